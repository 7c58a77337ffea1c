package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// publishOp is the engine's view of a publishing workload (bench.AsyncOperation, bench.Flusher,
// bench.Finisher).
type publishOp Workload

// Send publishes one stamped message from producer worker (mod Producers). The integrity stamp,
// with the intended send time (so end-to-end latency is coordinated-omission free in the open
// model), goes into the headers; the engine's Completion is done when the broker acknowledges or refuses
// it, and the producer's acknowledged set is updated first.
func (o *publishOp) Send(ctx context.Context, worker int, _ uint64, c bench.Completion) error {
	w := (*Workload)(o)
	i := worker % len(w.pubs)
	p := w.producers[i]
	sent := c.Intended()
	if sent.IsZero() {
		sent = time.Now()
	}
	st := p.Next(sent, -1)
	var body []byte
	if w.cfg.Body != nil {
		var err error
		if body, err = w.cfg.Body(i, st.Seq); err != nil {
			p.NotSent(st.Seq)
			return fmt.Errorf("payload of message %d of producer %d: %w", st.Seq, i, err)
		}
	}
	h := make(map[string][]string, len(w.cfg.Headers)+5)
	for k, v := range w.cfg.Headers {
		h[k] = []string{v}
	}
	st.Apply(h)
	m := &drivers.Message{Route: w.cfg.Route, Headers: h, Body: body, ContentType: w.cfg.ContentType}
	if w.cfg.Key != nil {
		m.Key = w.cfg.Key(i, st.Seq)
	}
	n := len(body)
	isReturned := w.cfg.IsReturned
	err := w.pubs[i].publish(ctx, m, func(err error) {
		p.Done(st.Seq, err, isReturned)
		if err != nil && isReturned(err) && !errors.Is(err, bench.ErrReturned) {
			err = fmt.Errorf("%w: %w", bench.ErrReturned, err)
		}
		c.Done(n, err)
	})
	if err != nil {
		p.NotSent(st.Seq)
		return err
	}
	return nil
}

// Flush waits for every producer's outstanding acknowledgements.
func (o *publishOp) Flush(ctx context.Context) error {
	w := (*Workload)(o)
	errs := make(chan error, len(w.pubs))
	for _, p := range w.pubs {
		go func() { errs <- p.flush(ctx) }()
	}
	var all []error
	for range w.pubs {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// settle is how long deliveries must have stopped before the drain ends early: long enough for
// a broker's redelivery after a nack (milliseconds on RabbitMQ) to be counted as a duplicate.
const settle = 250 * time.Millisecond

// Finish waits up to the drain grace period (and at most until ctx, the engine's drain, ends)
// for acknowledged messages to arrive and deliveries to settle; then deliveries arriving until
// the consumers are closed are late (counted as received and in Integrity.Late, not lost). It
// fills wl.Integrity (with Reconnects) and wl.EndToEnd. Without consumers only the producer-side
// figures (sent, acknowledged, unconfirmed, returned) are set. A drain cut short is not an
// error: what did not arrive is lost. The error is non-nil when a broker connection was lost
// and could not be re-established before the end: the run could not go on.
func (o *publishOp) Finish(ctx context.Context, wl *results.Workload) error {
	w := (*Workload)(o)
	if len(w.subs) > 0 {
		_, _ = w.tracker.Drain(w.cfg.Drain, settle, ctx.Done())
		w.tracker.DrainEnded()
	}
	lostErr := w.brokerLost()
	w.halt()
	for _, l := range w.subs {
		l.closeSub()
	}
	w.stopRecv.Store(true)
	r := w.tracker.Reconcile()
	in := r.Integrity
	if len(w.subs) == 0 {
		in = results.Integrity{Sent: in.Sent, Acknowledged: in.Acknowledged, Unconfirmed: in.Unconfirmed, Returned: in.Returned}
	} else {
		wl.EndToEnd = bench.Latency(r.EndToEnd)
	}
	in.Reconnects = w.reconnects.Load()
	in.ConnectionsLost = w.losses.Load()
	wl.Integrity = &in
	return lostErr
}
