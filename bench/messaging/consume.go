package messaging

import (
	"context"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// observe checks a consume-only delivery with the observer tracker and hands the messages of
// the checked run (first deliveries, out-of-order ones and duplicates) to the engine as
// received; unstamped and foreign messages are counted in Integrity.Unexpected only.
func (w *Workload) observe(s *integrity.Stream, m *drivers.Message, now time.Time) {
	if s.Observe(m.Headers, now) == integrity.Unexpected || !w.started.Load() {
		return
	}
	select {
	case w.inbox <- len(m.Body):
	case <-time.After(time.Second): // the run is ending; do not block the broker's delivery
	}
}

// consumeOp is the engine's view of a consume workload (bench.Operation, bench.Finisher): each
// call of Do takes one received message of the checked run, so the engine's throughput and bytes
// are the consumers'.
type consumeOp Workload

// Do waits for the next received message and returns its body size; when the run ends first it
// returns bench.ErrNoOperation (waiting is not an operation: nothing is counted). Deliveries are
// handed to Do only once the engine called it (warm-up included, which the engine excludes from
// the figures).
func (o *consumeOp) Do(ctx context.Context, _ int, _ uint64) (int, error) {
	w := (*Workload)(o)
	w.started.Store(true)
	select {
	case n := <-w.inbox:
		return n, nil
	case <-w.loadEnded:
		return 0, bench.ErrNoOperation
	case <-ctx.Done():
		return 0, bench.ErrNoOperation
	}
}

// LoadEnded ends the waits for the next message (bench.LoadEnder): the run is over.
func (o *consumeOp) LoadEnded() {
	w := (*Workload)(o)
	w.endOnce.Do(func() { close(w.loadEnded) })
}

// Finish stops the consumers, fills wl.Integrity with the observer's figures (received,
// duplicates, out-of-order per producer and stream, gaps, unexpected) and replaces the engine's
// latency (the wait for the next message, meaningless here) by the end-to-end latency from the
// stamped send time. The error is non-nil when a consumer's connection was lost and could not be
// re-established before the end.
func (o *consumeOp) Finish(_ context.Context, wl *results.Workload) error {
	w := (*Workload)(o)
	lostErr := w.brokerLost()
	w.halt()
	for _, l := range w.subs {
		l.closeSub()
	}
	w.stopRecv.Store(true)
	r := w.tracker.Reconcile()
	in := r.Integrity
	in.Reconnects = w.reconnects.Load()
	in.ConnectionsLost = w.losses.Load()
	wl.Integrity = &in
	wl.Latency, wl.FailedLatency, wl.ServiceTime, wl.ScheduleDelay = nil, nil, nil, nil
	wl.EndToEnd = bench.Latency(r.EndToEnd)
	return lostErr
}
