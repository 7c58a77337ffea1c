package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// Publish sends m to the exchange and routing key of m.Route (see the package doc for properties).
// The exchange is checked (or declared, option declare) the first time it is used, so a missing
// exchange is a synchronous error. With publisher confirms (option confirm, default on) done is
// called from the connection's confirm goroutine when the broker acks (nil), nacks, or returns
// the message (ErrReturned, mandatory only), or with the cause when the channel closes first;
// Publish blocks while max_in_flight messages are unconfirmed. Without confirms done(nil) is
// called once the message is written. On error done is not called.
func (c *Conn) Publish(ctx context.Context, m *drivers.Message, done func(error)) error {
	if c.closed.Load() {
		return fmt.Errorf("amqp %s: publish: %w", c.where, drivers.ErrClosed)
	}
	p, err := toPublishing(m, c.opts)
	if err != nil {
		return err
	}
	if err := c.ensureExchange(p.exchange); err != nil {
		return err
	}
	pb, err := c.publisher()
	if err != nil {
		return err
	}
	return pb.publish(ctx, p, done)
}

// Flush waits until every message published so far is confirmed (its done called) or ctx ends.
// It returns the channel's closure cause when the broker closed the publishing channel.
func (c *Conn) Flush(ctx context.Context) error {
	pb := c.pub.Load()
	if pb == nil {
		return nil
	}
	return pb.flush(ctx)
}

// pending is a published, unconfirmed message.
type pending struct {
	tag                  uint64
	done                 func(error)
	exchange, key, msgID string
	mandatory, returned  bool
	replyCode            uint16
	replyText            string
}

// publisher owns the connection's publishing channel. Delivery tags are sequential and amqp091
// delivers confirmations in tag order, so unconfirmed messages form a FIFO ring (bounded by
// max_in_flight) matched against confirmations without a map. basic.return arrives before the
// confirmation of the same message and is matched to the oldest unconfirmed mandatory message
// with the same exchange, routing key and message id.
type publisher struct {
	c        *Conn
	ch       *amqp091.Channel
	confirm  bool
	slots    chan struct{}
	loopDone chan struct{}

	pubMu sync.Mutex // serializes delivery-tag assignment and basic.publish

	qMu     sync.Mutex // guards the fields below; never held while writing to the socket
	ring    []pending
	head, n int
	waiters []chan struct{}
	dead    error
}

func (c *Conn) publisher() (*publisher, error) {
	if pb := c.pub.Load(); pb != nil {
		return pb, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if pb := c.pub.Load(); pb != nil {
		return pb, nil
	}
	ch, err := c.channel()
	if err != nil {
		return nil, err
	}
	if c.opts.confirm {
		if err := ch.Confirm(false); err != nil {
			_ = ch.Close()
			return nil, fmt.Errorf("amqp %s: enable publisher confirms: %w", c.where, c.opError(err))
		}
	}
	pb := &publisher{
		c: c, ch: ch, confirm: c.opts.confirm,
		slots:    make(chan struct{}, c.opts.maxInFlight),
		loopDone: make(chan struct{}),
		ring:     make([]pending, c.opts.maxInFlight),
	}
	confirms := ch.NotifyPublish(make(chan amqp091.Confirmation, c.opts.maxInFlight))
	returns := ch.NotifyReturn(make(chan amqp091.Return, 64))
	closes := ch.NotifyClose(make(chan *amqp091.Error, 1))
	go pb.loop(confirms, returns, closes)
	c.pub.Store(pb)
	return pb, nil
}

func (pb *publisher) publish(ctx context.Context, p publishing, done func(error)) error {
	if !pb.confirm {
		if err := pb.ch.PublishWithContext(ctx, p.exchange, p.key, p.mandatory, false, p.msg); err != nil {
			return pb.sendError(err)
		}
		if done != nil {
			done(nil)
		}
		return nil
	}
	select {
	case pb.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-pb.loopDone:
		return pb.deadError()
	}
	pb.pubMu.Lock()
	defer pb.pubMu.Unlock()
	pb.qMu.Lock()
	if pb.dead != nil {
		err := pb.dead
		pb.qMu.Unlock()
		<-pb.slots
		return err
	}
	tag := pb.ch.GetNextPublishSeqNo()
	pb.ring[(pb.head+pb.n)%len(pb.ring)] = pending{tag: tag, done: done, exchange: p.exchange, key: p.key,
		msgID: p.msg.MessageId, mandatory: p.mandatory}
	pb.n++
	pb.qMu.Unlock()
	if err := pb.ch.PublishWithContext(ctx, p.exchange, p.key, p.mandatory, false, p.msg); err != nil {
		// Not sent, so not confirmed: take it back (failAll also holds pubMu, so it is still there).
		pb.qMu.Lock()
		pb.n--
		pb.ring[(pb.head+pb.n)%len(pb.ring)] = pending{}
		pb.qMu.Unlock()
		<-pb.slots
		return pb.sendError(err)
	}
	return nil
}

// sendError describes a failed basic.publish, with the broker's closure cause when there is one.
func (pb *publisher) sendError(err error) error {
	if errors.Is(err, amqp091.ErrClosed) {
		select {
		case <-pb.loopDone:
			return pb.deadError()
		default:
		}
		if pb.c.conn.IsClosed() {
			return pb.c.connError()
		}
	}
	return fmt.Errorf("amqp %s: publish: %w", pb.c.where, err)
}

func (pb *publisher) deadError() error {
	pb.qMu.Lock()
	defer pb.qMu.Unlock()
	return pb.dead
}

func (pb *publisher) loop(confirms <-chan amqp091.Confirmation, returns <-chan amqp091.Return, closes <-chan *amqp091.Error) {
	defer close(pb.loopDone)
	for {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			pb.onReturn(r)
		case cf, ok := <-confirms:
			if !ok {
				pb.failAll(closes)
				return
			}
			// A return is sent before its message's confirmation: take those already queued first.
			for drained := false; returns != nil && !drained; {
				select {
				case r, ok := <-returns:
					if !ok {
						returns = nil
					} else {
						pb.onReturn(r)
					}
				default:
					drained = true
				}
			}
			pb.onConfirm(cf)
		}
	}
}

func (pb *publisher) onReturn(r amqp091.Return) {
	pb.c.returned.Add(1)
	pb.qMu.Lock()
	defer pb.qMu.Unlock()
	for i := 0; i < pb.n; i++ {
		e := &pb.ring[(pb.head+i)%len(pb.ring)]
		if e.mandatory && !e.returned && e.exchange == r.Exchange && e.key == r.RoutingKey && e.msgID == r.MessageId {
			e.returned, e.replyCode, e.replyText = true, r.ReplyCode, r.ReplyText
			return
		}
	}
}

func (pb *publisher) onConfirm(cf amqp091.Confirmation) {
	pb.qMu.Lock()
	if pb.n == 0 || pb.ring[pb.head].tag != cf.DeliveryTag {
		pb.qMu.Unlock() // not one of ours (cannot happen: tags are assigned under pubMu)
		return
	}
	e := pb.ring[pb.head]
	pb.qMu.Unlock()
	if e.done != nil {
		var err error
		switch {
		case !cf.Ack:
			err = fmt.Errorf("amqp %s: %w: message %d to exchange %q routing key %q (publisher confirm)", pb.c.where, drivers.ErrNack, e.tag, e.exchange, e.key)
		case e.returned:
			err = fmt.Errorf("amqp %s: %w: exchange %q routing key %q: %d %s", pb.c.where, ErrReturned, e.exchange, e.key, e.replyCode, e.replyText)
		}
		e.done(err)
	}
	pb.qMu.Lock()
	pb.ring[pb.head] = pending{}
	pb.head = (pb.head + 1) % len(pb.ring)
	pb.n--
	var wake []chan struct{}
	if pb.n == 0 {
		wake, pb.waiters = pb.waiters, nil
	}
	pb.qMu.Unlock()
	<-pb.slots
	for _, w := range wake {
		close(w)
	}
}

// failAll runs when the channel closed: every unconfirmed message fails with the cause.
func (pb *publisher) failAll(closes <-chan *amqp091.Error) {
	var cause error
	select {
	case e, ok := <-closes:
		if ok && e != nil {
			cause = fmt.Errorf("amqp %s: %w", pb.c.where, pb.c.closeError(e))
		}
	default:
	}
	if cause == nil {
		cause = pb.c.connError()
	}
	pb.pubMu.Lock()
	pb.qMu.Lock()
	pb.dead = cause
	failed := make([]pending, 0, pb.n)
	for i := 0; i < pb.n; i++ {
		failed = append(failed, pb.ring[(pb.head+i)%len(pb.ring)])
	}
	pb.n = 0
	wake := pb.waiters
	pb.waiters = nil
	pb.qMu.Unlock()
	pb.pubMu.Unlock()
	pb.c.pub.CompareAndSwap(pb, nil) // the next Publish opens a new channel
	for _, e := range failed {
		if e.done != nil {
			e.done(cause)
		}
	}
	for _, w := range wake {
		close(w)
	}
}

func (pb *publisher) flush(ctx context.Context) error {
	pb.qMu.Lock()
	if pb.n == 0 {
		err := pb.dead
		pb.qMu.Unlock()
		return err
	}
	w := make(chan struct{})
	pb.waiters = append(pb.waiters, w)
	pb.qMu.Unlock()
	select {
	case <-w:
		return pb.deadError()
	case <-ctx.Done():
		return ctx.Err()
	}
}
