package messaging

import (
	"context"
	"errors"
	"sync"

	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
)

// faults is an in-process consumer path that misbehaves on purpose: keyed by the stamped sequence
// number of producer 0, it drops deliveries (acknowledges without handing them on), duplicates
// them (hands them on twice), delays them past the next delivery of their stream, and nacks them
// with requeue a number of times after handing them on (the broker redelivers).
type faults struct {
	drop, dup, late map[uint64]bool
	nack            map[uint64]int

	mu     sync.Mutex
	held   map[string][]*drivers.Message // stream -> delayed deliveries
	nacked int
}

// newFaults injects the given faults; nack maps a sequence number to its nack count.
func newFaults(drop, dup, late []uint64, nack map[uint64]int) *faults {
	f := &faults{drop: map[uint64]bool{}, dup: map[uint64]bool{}, late: map[uint64]bool{}, nack: map[uint64]int{}, held: map[string][]*drivers.Message{}}
	for _, s := range drop {
		f.drop[s] = true
	}
	for _, s := range dup {
		f.dup[s] = true
	}
	for _, s := range late {
		f.late[s] = true
	}
	for s, n := range nack {
		f.nack[s] = n
	}
	return f
}

var errInjectedNack = errors.New("injected nack")

func (f *faults) wrap(consumer int, handle func(*drivers.Message) error) func(*drivers.Message) error {
	return func(m *drivers.Message) error {
		st, err := integrity.Parse(m.Headers)
		if err != nil || st.Producer != 0 {
			return handle(m)
		}
		stream := streamName(consumer, m)
		f.mu.Lock()
		switch {
		case f.drop[st.Seq]:
			delete(f.drop, st.Seq) // a redelivery would not be a loss
			f.mu.Unlock()
			return nil
		case f.late[st.Seq]:
			delete(f.late, st.Seq)
			f.held[stream] = append(f.held[stream], m)
			f.mu.Unlock()
			return nil
		}
		held := f.held[stream]
		f.held[stream] = nil
		dup := f.dup[st.Seq]
		delete(f.dup, st.Seq)
		nack := f.nack[st.Seq] > 0
		if nack {
			f.nack[st.Seq]--
			f.nacked++
		}
		f.mu.Unlock()
		err = handle(m)
		for _, h := range held {
			_ = handle(h)
		}
		if dup {
			_ = handle(m)
		}
		if nack {
			return errInjectedNack
		}
		return err
	}
}

// faultDriver wraps a driver so that every subscription goes through f.
type faultDriver struct {
	drivers.Driver
	f        *faults
	mu       sync.Mutex
	consumer int
}

type faultConn struct {
	drivers.Conn
	d *faultDriver
}

func (d *faultDriver) Open(ctx context.Context, t drivers.Target) (drivers.Conn, error) {
	c, err := d.Driver.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: c, d: d}, nil
}

func (c *faultConn) Publish(ctx context.Context, m *drivers.Message, done func(error)) error {
	return c.Conn.(drivers.Publisher).Publish(ctx, m, done)
}

func (c *faultConn) Flush(ctx context.Context) error { return c.Conn.(drivers.Publisher).Flush(ctx) }

func (c *faultConn) Subscribe(ctx context.Context, s drivers.Subscription, handle func(*drivers.Message) error) (drivers.Subscribed, error) {
	c.d.mu.Lock()
	i := c.d.consumer
	c.d.consumer++
	c.d.mu.Unlock()
	return c.Conn.(drivers.Subscriber).Subscribe(ctx, s, c.d.f.wrap(i, handle))
}
