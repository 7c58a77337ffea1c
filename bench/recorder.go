package bench

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range and precision: values in µs from 1 µs to 60 s at 3 significant digits, as
// results.Latency documents. Larger values are recorded as 60 s.
const (
	histMinUS  = 1
	histMaxUS  = 60_000_000
	histDigits = 3
)

func newHist() *hdr.Histogram { return hdr.New(histMinUS, histMaxUS, histDigits) }

func recordUS(h *hdr.Histogram, ns int64) {
	us := ns / 1000
	if us < histMinUS {
		us = histMinUS
	} else if us > histMaxUS {
		us = histMaxUS
	}
	_ = h.RecordValue(us) // in range by construction
}

// shard is one recorder: the histograms and counters of the workers that map to it. Each worker
// records into its own shard under an uncontended mutex; shards are merged when the series
// ticks and at the end. Per-goroutine histograms with hundreds of workers would cost 136 KB
// each, so workers share GOMAXPROCS x 4 shards at most.
type shard struct {
	mu       sync.Mutex
	latency  *hdr.Histogram // successes: from the intended send time (open), or the service time (closed)
	failed   *hdr.Histogram // the same for failed operations
	service  *hdr.Histogram // successes: actual send to response (open model only)
	delay    *hdr.Histogram // every send: intended to actual send (open model only)
	interval *hdr.Histogram // latency of successes since the last series tick
	ok, errs int64
	canceled int64 // in errs too
	inflight int64 // measured operations begun and not recorded yet
	lastEnd  int64 // latest end of a recorded operation
	bytes    int64
	late     int64
	sent     int64 // messages of streaming operations (MessageCounter)
	received int64
	// since the last tick
	iOK, iErrs, iBytes int64
	closed             bool // merged for the results: later samples are left out
	classes            map[string]int64
	codes              map[string]int64 // StatusCode of failed operations
	_                  [64]byte         // keep shards on separate cache lines
}

func newShard(open bool) *shard {
	s := &shard{latency: newHist(), failed: newHist(), interval: newHist(), classes: map[string]int64{}}
	if open {
		s.service, s.delay = newHist(), newHist()
	}
	return s
}

// sample is one completed, measured operation; times are nanoseconds on the engine's clock.
type sample struct {
	intended, start, end int64
	bytes                int
	sent, received       int // messages (MessageCounter)
	err                  error
	late                 bool
	canceled             bool // the engine had cancelled the operation's context
}

// begin counts a measured operation as in flight until record; an operation still in flight
// when the shard is merged is counted as canceled, so nothing vanishes from the counts.
func (s *shard) begin() {
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
}

// unbegin undoes begin for an operation that did not take place (ErrNoOperation).
func (s *shard) unbegin() {
	s.mu.Lock()
	if !s.closed {
		s.inflight--
	}
	s.mu.Unlock()
}

func (s *shard) record(x *sample) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.inflight--
	s.lastEnd = max(s.lastEnd, x.end)
	if s.delay != nil {
		recordUS(s.delay, x.start-x.intended)
	}
	if x.late {
		s.late++
	}
	if x.err != nil {
		recordUS(s.failed, x.end-x.intended)
		s.errs++
		s.iErrs++
		if x.canceled {
			s.canceled++
			s.classes[ClassCanceled]++
		} else {
			s.classes[Classify(x.err)]++
			if c := StatusCode(x.err); c != "" {
				if s.codes == nil {
					s.codes = map[string]int64{}
				}
				s.codes[c]++
			}
		}
	} else {
		recordUS(s.latency, x.end-x.intended)
		recordUS(s.interval, x.end-x.intended)
		if s.service != nil {
			recordUS(s.service, x.end-x.start)
		}
		s.ok++
		s.iOK++
		s.bytes += int64(x.bytes)
		s.iBytes += int64(x.bytes)
		s.sent += int64(x.sent)
		s.received += int64(x.received)
	}
	s.mu.Unlock()
}

// recorders is the set of shards of one run.
type recorders struct {
	shards []*shard
	tick   *hdr.Histogram // scratch for merging interval histograms, used by the ticker only
}

func newRecorders(n int, open bool) *recorders {
	r := &recorders{shards: make([]*shard, n), tick: newHist()}
	for i := range r.shards {
		r.shards[i] = newShard(open)
	}
	return r
}

func (r *recorders) shard(i uint64) *shard { return r.shards[i%uint64(len(r.shards))] }

// interval collects and resets the per-tick figures of every shard.
func (r *recorders) interval() (ok, errs, bytes int64, h *hdr.Histogram) {
	r.tick.Reset()
	for _, s := range r.shards {
		s.mu.Lock()
		r.tick.Merge(s.interval)
		s.interval.Reset()
		ok, errs, bytes = ok+s.iOK, errs+s.iErrs, bytes+s.iBytes
		s.iOK, s.iErrs, s.iBytes = 0, 0, 0
		s.mu.Unlock()
	}
	return ok, errs, bytes, r.tick
}

// counts sums the cumulative counters (for progress).
func (r *recorders) counts() (ok, errs int64) {
	for _, s := range r.shards {
		s.mu.Lock()
		ok, errs = ok+s.ok, errs+s.errs
		s.mu.Unlock()
	}
	return ok, errs
}

// merged is the end-of-run merge of all shards.
type merged struct {
	latency, failed, service, delay *hdr.Histogram
	ok, errs, bytes, late           int64
	canceled                        int64 // in errs too
	lastEnd                         int64
	sent, received                  int64
	classes                         map[string]int64
	codes                           map[string]int64 // exact status codes of failed operations
}

func (r *recorders) merge() merged {
	m := merged{latency: newHist(), failed: newHist(), classes: map[string]int64{}, codes: map[string]int64{}}
	if r.shards[0].service != nil {
		m.service, m.delay = newHist(), newHist()
	}
	for _, s := range r.shards {
		s.mu.Lock()
		s.closed = true
		// Operations still in flight (they ignored the cancellation, or their acknowledgement
		// never came) are canceled: counted, with no latency.
		if s.inflight > 0 {
			s.errs += s.inflight
			s.canceled += s.inflight
			s.classes[ClassCanceled] += s.inflight
			s.inflight = 0
		}
		m.latency.Merge(s.latency)
		m.failed.Merge(s.failed)
		m.canceled += s.canceled
		m.lastEnd = max(m.lastEnd, s.lastEnd)
		if s.service != nil {
			m.service.Merge(s.service)
			m.delay.Merge(s.delay)
		}
		m.ok, m.errs, m.bytes, m.late = m.ok+s.ok, m.errs+s.errs, m.bytes+s.bytes, m.late+s.late
		m.sent, m.received = m.sent+s.sent, m.received+s.received
		for k, v := range s.classes {
			m.classes[k] += v
		}
		for k, v := range s.codes {
			m.codes[k] += v
		}
		s.mu.Unlock()
	}
	return m
}

// clock reads monotonic nanoseconds since base.
type clock struct{ base time.Time }

func (c clock) now() int64 { return int64(time.Since(c.base)) }

func (c clock) wall(ns int64) time.Time { return c.base.Add(time.Duration(ns)) }
