package messaging

import (
	"context"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// streamHist is a consume-only stream's end-to-end latency histogram (µs).
type streamHist struct {
	mu   sync.Mutex // uncontended: one stream's handler runs on one goroutine
	hist *hdrhistogram.Histogram
}

// observeForeign records the end-to-end latency of a stamped message of any run (consume-only
// workloads have no producer of their own to reconcile against).
func (w *Workload) observeForeign(name string, m *drivers.Message, now time.Time) {
	st, err := integrity.Parse(m.Headers)
	if err != nil {
		return
	}
	w.e2eMu.Lock()
	s, ok := w.e2e[name]
	if !ok {
		s = &streamHist{hist: results.NewHistogram()}
		w.e2e[name] = s
	}
	w.e2eMu.Unlock()
	s.mu.Lock()
	_ = s.hist.RecordValue(min(max((now.UnixNano()-st.Sent)/1000, 0), results.HistogramHighestUS))
	s.mu.Unlock()
}

// consumeOp is the engine's view of a consume workload (bench.Operation, bench.Finisher): each call of Do takes one received message, so the engine's throughput and
// bytes are the consumers'.
type consumeOp Workload

// Do waits for the next received message and returns its body size; it returns ctx's error
// when the run ends first. Deliveries are handed to Do only once the engine called it (warm-up
// included, which the engine excludes from the figures).
func (o *consumeOp) Do(ctx context.Context, _ int, _ uint64) (int, error) {
	w := (*Workload)(o)
	w.started.Store(true)
	select {
	case n := <-w.inbox:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Finish stops the consumers and replaces the engine's latency (the wait for the next message,
// meaningless here) by the end-to-end latency from the stamped send time.
func (o *consumeOp) Finish(_ context.Context, wl *results.Workload) error {
	w := (*Workload)(o)
	w.stopRecv.Store(true)
	for _, s := range w.subs {
		_ = s.Close()
	}
	all := results.NewHistogram()
	w.e2eMu.Lock()
	for _, s := range w.e2e {
		s.mu.Lock()
		all.Merge(s.hist)
		s.mu.Unlock()
	}
	w.e2eMu.Unlock()
	wl.Latency, wl.ServiceTime, wl.ScheduleDelay = nil, nil, nil
	wl.EndToEnd = bench.Latency(all)
	return nil
}
