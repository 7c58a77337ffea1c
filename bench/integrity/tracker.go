// Package integrity is commbench's messaging integrity accounting: producers stamp each message in
// headers (run id, producer id, sequence number, send time), consumers check every delivery online
// per stream (order, duplicates, end-to-end latency), and Reconcile compares what the broker
// acknowledged with what was received, in the manner of Jepsen's queue checker:
//
//   - lost: acknowledged by the broker (publisher confirm, Kafka acks) but never received;
//   - duplicate: a delivery of a sequence number already received from that producer (exact, from
//     a per-producer bitmap that collapses runs of consecutive numbers, never a hash set of ids);
//   - out-of-order: a delivery whose sequence number is lower than the highest already seen from
//     that producer on the same stream, and is not a duplicate (RabbitMQ's omq counts duplicates as
//     out of order; here the two are separate);
//   - unexpected: stamped with this run's id but never sent by it (unknown producer, or a sequence
//     number the producer had not yet issued);
//   - ignored: stamped by another run, or not stamped at all; excluded from every other figure.
//
// A stream is one ordered channel chosen by the consumer: an AMQP queue as seen by one consumer,
// a Kafka partition. Ordering is checked per stream and per producer, duplicates per producer
// across streams.
//
// Memory: tracking costs 2 bits per message (acknowledged and received sets) at worst, and 8 bytes
// per 65 536 consecutive messages in the usual case, plus one HDR histogram per stream.
package integrity

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/commbench/commbench/results"
)

// Tracker accounts the messages of one run. Its methods are safe for concurrent use: producers
// and streams each carry their own locks, so goroutines working on different producers and
// streams do not contend.
type Tracker struct {
	run string

	// consume-only (NewObserver): no producers of its own; the run id may be adopted from the
	// first stamped delivery, other deliveries count as unexpected, gaps are checked.
	observer bool
	runMu    sync.Mutex
	late     atomic.Bool // deliveries from now on arrived after the drain

	regMu     sync.Mutex
	producers atomic.Pointer[map[uint32]*Producer] // copy on write: read on every delivery

	streamMu sync.Mutex
	streams  map[string]*Stream
}

// New returns a tracker for run id run: 1 to MaxRunIDLen printable ASCII bytes without spaces
// (a UUID fits). An invalid id is an error saying what was expected.
func New(run string) (*Tracker, error) {
	if _, err := Parse(map[string][]string{HeaderRun: {run}, HeaderProducer: {"0"}, HeaderSeq: {"0"}, HeaderSent: {"0"}}); err != nil {
		return nil, fmt.Errorf("run id: %w", err)
	}
	t := &Tracker{run: run, streams: map[string]*Stream{}}
	t.producers.Store(&map[uint32]*Producer{})
	return t, nil
}

// NewObserver returns a tracker for a consume-only run, which has no producers of its own: it
// checks the deliveries stamped with run id run (or, when run is "", with the run id of the
// first stamped delivery) for duplicates, order per producer and stream, and gaps (sequence
// numbers of a producer missing between the lowest and the highest received); deliveries
// without a valid stamp or of another run count as unexpected. A non-empty invalid run id is an
// error.
func NewObserver(run string) (*Tracker, error) {
	if run != "" {
		if _, err := New(run); err != nil {
			return nil, err
		}
	}
	t := &Tracker{run: run, observer: true, streams: map[string]*Stream{}}
	t.producers.Store(&map[uint32]*Producer{})
	return t, nil
}

// Run returns the run id ("" for an observer that has not seen a stamped delivery yet).
func (t *Tracker) Run() string {
	if t.observer {
		t.runMu.Lock()
		defer t.runMu.Unlock()
	}
	return t.run
}

// runOf returns the run id deliveries are checked against, adopting st's for an observer that
// has none yet.
func (t *Tracker) runOf(st Stamp) string {
	if !t.observer {
		return t.run
	}
	t.runMu.Lock()
	defer t.runMu.Unlock()
	if t.run == "" {
		t.run = st.Run
	}
	return t.run
}

// DrainEnded marks the end of the drain grace period: first deliveries observed from now on
// (before the consumers close) are counted in Integrity.Late as well as received: late, not
// lost.
func (t *Tracker) DrainEnded() { t.late.Store(true) }

// Producer returns the producer with id, registering it on first use. Register every producer
// before it sends: a delivery from an unregistered producer of this run counts as unexpected.
func (t *Tracker) Producer(id uint32) *Producer {
	if p, ok := (*t.producers.Load())[id]; ok {
		return p
	}
	t.regMu.Lock()
	defer t.regMu.Unlock()
	old := *t.producers.Load()
	if p, ok := old[id]; ok {
		return p
	}
	m := make(map[uint32]*Producer, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	p := &Producer{run: t.run, id: id}
	m[id] = p
	t.producers.Store(&m)
	return p
}

func (t *Tracker) lookup(id uint32) *Producer { return (*t.producers.Load())[id] }

// Producer is the send side of one producer: it issues consecutive sequence numbers from 0 and
// records what the broker acknowledged. Safe for concurrent use (acknowledgements arrive on the
// client's goroutines).
type Producer struct {
	run      string
	id       uint32
	next     atomic.Uint64 // sequence numbers issued
	notSent  atomic.Int64
	refused  atomic.Int64
	returned atomic.Int64

	ackMu sync.Mutex
	acked seqSet

	recvMu          sync.Mutex
	recv            seqSet
	lowest, highest uint64 // of the received sequence numbers (recv not empty)
}

// ID returns the producer id.
func (p *Producer) ID() uint32 { return p.id }

// Next issues the next sequence number and returns the stamp to Apply to the message's headers.
// sent is the send time (the intended send time in the open model); partition is the Kafka
// partition the producer chose, or -1.
func (p *Producer) Next(sent time.Time, partition int32) Stamp {
	seq := p.next.Add(1) - 1
	return Stamp{Run: p.run, Producer: p.id, Seq: seq, Sent: sent.UnixNano(), Partition: partition}
}

// NotSent records that the message with seq was never handed to the broker (Publish failed), so
// it counts neither as sent nor as unconfirmed.
func (p *Producer) NotSent(seq uint64) { p.notSent.Add(1) }

// Acked records the broker's acknowledgement of seq (publisher confirm, Kafka acks). A repeated
// acknowledgement is counted once.
func (p *Producer) Acked(seq uint64) {
	if seq >= p.next.Load() {
		return
	}
	p.ackMu.Lock()
	p.acked.Add(seq)
	p.ackMu.Unlock()
}

// Refused records a broker refusal of seq (AMQP nack, Kafka produce error): sent, unconfirmed.
func (p *Producer) Refused(seq uint64) { p.refused.Add(1) }

// Returned records an AMQP mandatory message returned as unroutable: sent, unconfirmed, and
// counted in Integrity.Returned.
func (p *Producer) Returned(seq uint64) { p.returned.Add(1) }

// Done records the outcome of a publish as drivers.Publisher's done callback reports it: nil is an
// acknowledgement; an error matching isReturned (may be nil) a returned message; any other
// error a refusal.
func (p *Producer) Done(seq uint64, err error, isReturned func(error) bool) {
	switch {
	case err == nil:
		p.Acked(seq)
	case isReturned != nil && isReturned(err):
		p.Returned(seq)
	default:
		p.Refused(seq)
	}
}

// Outcome classifies one delivery.
type Outcome uint8

// Delivery outcomes.
const (
	Delivered  Outcome = iota // first delivery, in order
	OutOfOrder                // first delivery, lower than the highest already seen on its stream
	Duplicate                 // sequence already received from its producer
	Unexpected                // this run's id, but never sent by this run
	Ignored                   // another run's message or no valid stamp
)

var outcomeNames = [...]string{"delivered", "out-of-order", "duplicate", "unexpected", "ignored"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", o)
}

// Stream is the receive side of one ordered channel (an AMQP queue as one consumer sees it, a
// Kafka partition). Observe is meant to be called from the stream's one handler goroutine; it is
// safe, though serialised, from several.
type Stream struct {
	t    *Tracker
	name string

	mu       sync.Mutex
	highest  map[uint32]uint64 // producer -> highest sequence seen + 1
	last     *Producer         // cache of the previous delivery's producer
	hist     *hdrhistogram.Histogram
	received int64 // deliveries stamped with this run's id
	late     int64 // first deliveries after the drain ended
	lastNS   int64 // wall clock of the last delivery (Unix ns), any outcome
	counts   [5]int64
}

// Stream returns the stream named name, creating it on first use.
func (t *Tracker) Stream(name string) *Stream {
	t.streamMu.Lock()
	defer t.streamMu.Unlock()
	s, ok := t.streams[name]
	if !ok {
		s = &Stream{t: t, name: name, highest: map[uint32]uint64{}, hist: results.NewHistogram()}
		t.streams[name] = s
	}
	return s
}

// Name returns the stream name.
func (s *Stream) Name() string { return s.name }

// Observe parses the stamp in headers h of a delivery received at now and accounts it.
func (s *Stream) Observe(h map[string][]string, now time.Time) Outcome {
	st, err := Parse(h)
	if err != nil {
		out := Ignored
		if s.t.observer {
			out = Unexpected // consume-only: a message no producer of the run stamped
		}
		s.mu.Lock()
		s.lastNS = now.UnixNano()
		s.counts[out]++
		s.mu.Unlock()
		return out
	}
	return s.ObserveStamp(st, now)
}

// ObserveStamp accounts a delivery with stamp st received at now. A first delivery's end-to-end
// latency (now - st.Sent, clamped to 0..60 s) goes into the stream's histogram (results.NewHistogram); duplicates, which
// measure redelivery rather than transit, do not.
func (s *Stream) ObserveStamp(st Stamp, now time.Time) Outcome {
	run := s.t.runOf(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastNS = now.UnixNano()
	if st.Run != run {
		if s.t.observer {
			s.counts[Unexpected]++
			return Unexpected
		}
		s.counts[Ignored]++
		return Ignored
	}
	s.received++
	p := s.last
	if s.t.observer {
		if p == nil || p.id != st.Producer {
			p = s.t.Producer(st.Producer)
			s.last = p
		}
	} else if p == nil || p.id != st.Producer {
		p = s.t.lookup(st.Producer)
		if p == nil || st.Seq >= p.next.Load() {
			s.counts[Unexpected]++
			return Unexpected
		}
		s.last = p
	} else if st.Seq >= p.next.Load() {
		s.counts[Unexpected]++
		return Unexpected
	}
	p.recvMu.Lock()
	first := p.recv.Add(st.Seq)
	if first {
		if p.recv.Len() == 1 || st.Seq < p.lowest {
			p.lowest = st.Seq
		}
		p.highest = max(p.highest, st.Seq)
	}
	p.recvMu.Unlock()
	if !first {
		s.counts[Duplicate]++
		return Duplicate
	}
	if s.t.late.Load() {
		s.late++
	}
	lat := now.UnixNano() - st.Sent
	_ = s.hist.RecordValue(min(max(lat/1000, 0), results.HistogramHighestUS))
	out := Delivered
	if h := s.highest[st.Producer]; st.Seq+1 < h {
		out = OutOfOrder
	} else {
		s.highest[st.Producer] = st.Seq + 1
	}
	s.counts[out]++
	return out
}

// Outstanding returns how many acknowledged messages have not been received yet; a drain loop
// polls it until 0 or the grace period ends. Cost: a scan of the sets, small while messages flow.
func (t *Tracker) Outstanding() int64 {
	var n int64
	for _, p := range *t.producers.Load() {
		p.ackMu.Lock()
		p.recvMu.Lock()
		n += p.acked.CountNotIn(&p.recv)
		p.recvMu.Unlock()
		p.ackMu.Unlock()
	}
	return n
}

// Report is the reconciliation of a run.
type Report struct {
	Integrity results.Integrity
	// EndToEnd merges the streams' end-to-end latency histograms (µs).
	EndToEnd *hdrhistogram.Histogram
	// Streams lists the stream names, sorted.
	Streams []string
	// Bytes is the memory held by the sequence sets, in bytes.
	Bytes int64
}

// Reconcile compares acknowledged with received messages and fills results.Integrity (for an
// observer: received, duplicates, out-of-order, unexpected and gaps). Call it after the
// producers stopped and the consumers closed; deliveries observed afterwards are not counted. Rates are fractions of Acknowledged (0 when nothing was acknowledged).
func (t *Tracker) Reconcile() Report {
	var r Report
	in := &r.Integrity
	r.EndToEnd = results.NewHistogram()
	ps := *t.producers.Load()
	for _, p := range ps {
		p.ackMu.Lock()
		p.recvMu.Lock()
		sent := int64(p.next.Load()) - p.notSent.Load()
		in.Sent += sent
		in.Acknowledged += p.acked.Len()
		in.Unconfirmed += sent - p.acked.Len()
		in.Returned += p.returned.Load()
		in.Lost += p.acked.CountNotIn(&p.recv)
		if t.observer && p.recv.Len() > 0 {
			in.Gaps += int64(p.highest-p.lowest+1) - p.recv.Len()
		}
		r.Bytes += p.acked.Bytes() + p.recv.Bytes()
		p.recvMu.Unlock()
		p.ackMu.Unlock()
	}
	t.streamMu.Lock()
	for name, s := range t.streams {
		s.mu.Lock()
		in.Received += s.received
		in.Duplicates += s.counts[Duplicate]
		in.OutOfOrder += s.counts[OutOfOrder]
		in.Unexpected += s.counts[Unexpected]
		in.Ignored += s.counts[Ignored]
		in.Late += s.late
		r.EndToEnd.Merge(s.hist)
		s.mu.Unlock()
		r.Streams = append(r.Streams, name)
	}
	t.streamMu.Unlock()
	sort.Strings(r.Streams)
	if in.Acknowledged > 0 {
		a := float64(in.Acknowledged)
		in.LossRate = float64(in.Lost) / a
		in.DuplicateRate = float64(in.Duplicates) / a
		in.OutOfOrderRate = float64(in.OutOfOrder) / a
	} else if t.observer && in.Received > 0 {
		// consume-only: nothing acknowledged to compare with; rates of what was received.
		in.DuplicateRate = float64(in.Duplicates) / float64(in.Received)
		in.OutOfOrderRate = float64(in.OutOfOrder) / float64(in.Received)
	}
	return r
}

// lastDelivery returns the wall clock of the latest delivery on any stream (Unix ns, 0: none).
func (t *Tracker) lastDelivery() int64 {
	var last int64
	t.streamMu.Lock()
	for _, s := range t.streams {
		s.mu.Lock()
		last = max(last, s.lastNS)
		s.mu.Unlock()
	}
	t.streamMu.Unlock()
	return last
}

// Drain waits until every acknowledged message has been received and no delivery has arrived
// for settle (so trailing redeliveries and duplicates are counted), or until grace has passed,
// polling every 10 ms; it returns the number of acknowledged messages still outstanding. It
// returns early with ErrDrainStopped when stop is closed.
func (t *Tracker) Drain(grace, settle time.Duration, stop <-chan struct{}) (int64, error) {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if t.Outstanding() == 0 && time.Since(time.Unix(0, t.lastDelivery())) >= settle {
			return 0, nil
		}
		select {
		case <-deadline.C:
			return t.Outstanding(), nil
		case <-stop:
			return t.Outstanding(), ErrDrainStopped
		case <-tick.C:
		}
	}
}

// ErrDrainStopped: Drain was stopped before the outstanding messages arrived.
var ErrDrainStopped = errors.New("drain stopped")
