package bench

import (
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/commbench/commbench/results"
)

func usToMS(us int64) float64 { return float64(us) / 1000 }

// Latency summarises h (values in µs) as results.Latency: percentiles in ms and the histogram
// encoded with hdrhistogram-go's V2 compressed encoding (base64), so that results from several
// runs merge exactly (DecodeLatency, then Merge). An empty histogram returns nil.
func Latency(h *hdr.Histogram) *results.Latency {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	l := &results.Latency{
		Count:   h.TotalCount(),
		MinMS:   usToMS(h.Min()),
		MeanMS:  h.Mean() / 1000,
		StdevMS: h.StdDev() / 1000,
		P50MS:   usToMS(h.ValueAtQuantile(50)),
		P90MS:   usToMS(h.ValueAtQuantile(90)),
		P95MS:   usToMS(h.ValueAtQuantile(95)),
		P99MS:   usToMS(h.ValueAtQuantile(99)),
		P999MS:  usToMS(h.ValueAtQuantile(99.9)),
		P9999MS: usToMS(h.ValueAtQuantile(99.99)),
		MaxMS:   usToMS(h.Max()),
	}
	if enc, err := h.Encode(hdr.V2CompressedEncodingCookieBase); err == nil {
		l.Histogram = string(enc)
	}
	return l
}

// DecodeLatency returns the histogram stored in l.Histogram (values in µs), for exact merges
// of results from several runs or machines. It fails when the field is empty or not an
// hdrhistogram-go V2 compressed encoding.
func DecodeLatency(l *results.Latency) (*hdr.Histogram, error) {
	if l == nil || l.Histogram == "" {
		return nil, errNoHistogram
	}
	return hdr.Decode([]byte(l.Histogram))
}

type benchError string

func (e benchError) Error() string { return string(e) }

const errNoHistogram = benchError("latency has no encoded histogram")

// workload builds the results of the run; loadEnd is when the load stopped (ns from base). The
// measured period ends at the planned end for a timed run that was not interrupted, else when
// the load stopped, or later when the last measured operation completed after that (in the
// drain): the time actually measured.
func (e *Engine) workload(pts []results.Point, loadEnd int64, interrupted bool) *results.Workload {
	m := e.rec.merge()
	end := loadEnd
	if !interrupted && e.endNS > 0 && e.cfg.Count == 0 {
		end = e.endNS
	}
	end = max(end, m.lastEnd)
	info := e.cfg.Info
	w := &results.Workload{
		Name: info.Name, Driver: info.Driver, Operation: info.Operation, Target: info.Target, Format: info.Format,
		Model:       "closed",
		Concurrency: e.cfg.Workers,
		Started:     e.clk.wall(e.warmNS),
		Ended:       e.clk.wall(max(end, e.warmNS)),
		Interrupted: interrupted,
		Series:      pts,
	}
	if e.open {
		w.Model = "open"
		w.RatePerS = e.cfg.Rate
		if w.RatePerS == 0 && e.endNS > e.warmNS {
			// Stages: the mean planned rate over the measured period.
			planned := e.sched.countBy(float64(e.endNS)/1e9) - float64(e.warmCount)
			w.RatePerS = math.Round(1000*planned/time.Duration(e.endNS-e.warmNS).Seconds()) / 1000
		}
	}
	secs := time.Duration(max(end-e.warmNS, 0)).Seconds()
	w.DurationS = secs
	w.Totals = results.Totals{
		Requests:  m.ok + m.errs,
		Succeeded: m.ok,
		Errors:    m.errs,
		Canceled:  m.canceled,
		Bytes:     m.bytes,
		Intended:  e.intended.Load(),
		Late:      m.late,
		Dropped:   e.dropped.Load(),

		MessagesSent:     m.sent,
		MessagesReceived: m.received,
	}
	if secs > 0 {
		w.Totals.ThroughputPerS = float64(m.ok) / secs
	}
	if n := m.ok + m.errs; n > 0 {
		w.Totals.ErrorRate = float64(m.errs) / float64(n)
	}
	w.Latency = Latency(m.latency)
	w.FailedLatency = Latency(m.failed)
	if e.open {
		w.ServiceTime = Latency(m.service)
		w.ScheduleDelay = Latency(m.delay)
	} else if w.Latency != nil {
		st := *w.Latency
		w.ServiceTime = &st
	}
	if len(m.classes) > 0 {
		w.Errors = m.classes
	}
	w.FellBehind = w.IsBehind()
	if len(m.codes) > 0 {
		w.StatusCodes = m.codes
	}
	return w
}
