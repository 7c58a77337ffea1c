package messaging

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/commbench/commbench/drivers"
)

// Reconnection backoff (cenkalti/backoff/v5's exponential backoff with jitter): the first retry
// after about 100 ms, doubling up to 2 s, each randomized by ±50%. Retries go on until the
// workload stops, so the run's own end bounds them.
const (
	reconnectInitial = 100 * time.Millisecond
	reconnectMax     = 2 * time.Second
	reconnectJitter  = 0.5
)

// link is one broker connection of a workload, a producer's or a consumer's. When the
// connection is lost (an error wrapping drivers.ErrUnreachable, or a subscription that ended by
// itself) it is re-established in the background with bounded exponential backoff and jitter,
// and a consumer subscribes again; meanwhile publishes fail at once with the cause (counted as
// failed publishes).
type link struct {
	w        *Workload
	producer bool
	index    int
	handle   func(*drivers.Message) error // consumer's handler

	mu   sync.Mutex
	conn drivers.Conn
	pub  drivers.Publisher
	sub  drivers.Subscribed
	gen  int   // connection generation: a loss reported by an older connection is ignored
	down error // non-nil while the connection is lost: the cause
}

func (l *link) name() string {
	if l.producer {
		return fmt.Sprintf("producer %d", l.index)
	}
	return fmt.Sprintf("consumer %d", l.index)
}

// open connects (and subscribes, for a consumer) once.
func (l *link) open(ctx context.Context) error {
	c, err := l.w.driver.Open(ctx, l.w.target)
	if err != nil {
		return fmt.Errorf("%s: %w", l.name(), err)
	}
	var pub drivers.Publisher
	var sub drivers.Subscribed
	if l.producer {
		p, ok := c.(drivers.Publisher)
		if !ok {
			_ = c.Close()
			return fmt.Errorf("%s cannot publish: %w", l.w.driver.Name(), drivers.ErrUnsupported)
		}
		pub = p
	} else {
		s, ok := c.(drivers.Subscriber)
		if !ok {
			_ = c.Close()
			return fmt.Errorf("%s cannot subscribe: %w", l.w.driver.Name(), drivers.ErrUnsupported)
		}
		if sub, err = s.Subscribe(ctx, l.w.cfg.Subscription, l.handle); err != nil {
			_ = c.Close()
			return fmt.Errorf("%s: %w", l.name(), err)
		}
	}
	l.mu.Lock()
	l.gen++
	gen := l.gen
	l.conn, l.pub, l.sub, l.down = c, pub, sub, nil
	l.mu.Unlock()
	if e, ok := sub.(drivers.Ending); ok {
		go l.watch(e, sub, gen)
	}
	return nil
}

// watch re-establishes a consumer whose subscription ended while the workload was running.
func (l *link) watch(e drivers.Ending, sub drivers.Subscribed, gen int) {
	select {
	case <-e.Done():
	case <-l.w.stop:
		return
	}
	if l.w.stopping() {
		return
	}
	cause := sub.Close()
	if cause == nil {
		cause = errors.New("subscription ended")
	}
	l.lost(gen, cause)
}

// publish publishes through the current connection; while it is lost it fails at once.
func (l *link) publish(ctx context.Context, m *drivers.Message, done func(error)) error {
	l.mu.Lock()
	pub, down, gen := l.pub, l.down, l.gen
	l.mu.Unlock()
	if down != nil {
		return fmt.Errorf("%s: broker connection lost, reconnecting: %w", l.name(), down)
	}
	err := pub.Publish(ctx, m, func(err error) {
		if isLost(err) {
			l.lost(gen, err)
		}
		done(err)
	})
	if isLost(err) {
		l.lost(gen, err)
	}
	return err
}

// isLost reports whether err means the connection is gone.
func isLost(err error) bool {
	return err != nil && (errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrClosed))
}

// lost marks connection generation gen lost (once per loss) and reconnects in the background.
func (l *link) lost(gen int, cause error) {
	if l.w.stopping() {
		return
	}
	l.mu.Lock()
	if l.down != nil || gen != l.gen {
		l.mu.Unlock()
		return
	}
	l.down = cause
	conn, sub := l.conn, l.sub
	l.conn, l.pub, l.sub = nil, nil, nil
	l.mu.Unlock()
	l.w.losses.Add(1)
	l.w.bg.Add(1)
	go func() {
		defer l.w.bg.Done()
		if sub != nil {
			_ = sub.Close()
		}
		if conn != nil {
			_ = conn.Close()
		}
		l.reconnect()
	}()
}

// reconnect retries open with exponential backoff and jitter until it succeeds or the workload
// stops.
func (l *link) reconnect() {
	b := &backoff.ExponentialBackOff{InitialInterval: reconnectInitial, RandomizationFactor: reconnectJitter, Multiplier: 2, MaxInterval: reconnectMax}
	b.Reset()
	t := time.NewTimer(b.NextBackOff())
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-l.w.stop:
			return
		}
		// The subscription lives as long as the context it was made with (amqp091's
		// ConsumeWithContext): the workload's, cancelled when it stops.
		err := l.open(l.w.life)
		if err == nil {
			l.w.reconnects.Add(1)
			return
		}
		l.mu.Lock()
		l.down = err
		l.mu.Unlock()
		t.Reset(b.NextBackOff())
	}
}

// close closes the subscription and the connection.
func (l *link) close() error {
	l.mu.Lock()
	conn, sub := l.conn, l.sub
	l.conn, l.pub, l.sub = nil, nil, nil
	l.mu.Unlock()
	var errs []error
	if sub != nil {
		errs = append(errs, sub.Close())
	}
	if conn != nil {
		errs = append(errs, conn.Close())
	}
	return errors.Join(errs...)
}

// closeSub closes the subscription only.
func (l *link) closeSub() {
	l.mu.Lock()
	sub := l.sub
	l.mu.Unlock()
	if sub != nil {
		_ = sub.Close()
	}
}

// flush waits for the current connection's outstanding acknowledgements.
func (l *link) flush(ctx context.Context) error {
	l.mu.Lock()
	pub, down := l.pub, l.down
	l.mu.Unlock()
	if down != nil || pub == nil {
		return down
	}
	return pub.Flush(ctx)
}

// isDown returns the cause while the connection is lost, else nil.
func (l *link) isDown() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down
}
