package amqp

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// directReplyTo is RabbitMQ's direct reply-to pseudo queue
// (https://www.rabbitmq.com/docs/direct-reply-to).
const directReplyTo = "amq.rabbitmq.reply-to"

// Request publishes req to its "exchange/routing.key" with reply-to set to RabbitMQ's direct
// reply-to and a correlation id (req.Properties["correlation_id"], else a random UUID), and
// waits up to the target's request timeout (or ctx) for the reply with that correlation id. The
// request is mandatory: when no queue is bound for it the error wraps ErrReturned at once.
func (c *Conn) Request(ctx context.Context, req *drivers.Message) (*drivers.Message, error) {
	if c.closed.Load() {
		return nil, c.connError()
	}
	p, err := toPublishing(req, c.opts)
	if err != nil {
		return nil, err
	}
	if err := c.ensureExchange(p.exchange); err != nil {
		return nil, err
	}
	r, err := c.requester()
	if err != nil {
		return nil, err
	}
	if p.msg.CorrelationId == "" {
		p.msg.CorrelationId = uuid.NewString()
	}
	p.msg.ReplyTo = directReplyTo
	wait := make(chan reply, 1)
	r.mu.Lock()
	r.waiting[p.msg.CorrelationId] = wait
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.waiting, p.msg.CorrelationId)
		r.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	if err := r.ch.PublishWithContext(ctx, p.exchange, p.key, true, false, p.msg); err != nil {
		return nil, fmt.Errorf("amqp %s: request: %w", c.where, c.opError(err))
	}
	select {
	case rep := <-wait:
		return rep.msg, rep.err
	case <-r.done:
		return nil, fmt.Errorf("amqp %s: request to %s: %w", c.where, req.Route, r.err)
	case <-ctx.Done():
		return nil, fmt.Errorf("amqp %s: no reply from %s within %s: %w", c.where, req.Route, c.requestTimeout, ctx.Err())
	}
}

type reply struct {
	msg *drivers.Message
	err error
}

// requester owns the channel consuming direct reply-to; requests are published on it too, as
// RabbitMQ requires.
type requester struct {
	c       *Conn
	ch      *amqp091.Channel
	done    chan struct{}
	closes  <-chan *amqp091.Error
	err     error // why the channel closed; set before done is closed
	mu      sync.Mutex
	waiting map[string]chan reply
}

func (c *Conn) requester() (*requester, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.req != nil {
		select {
		case <-c.req.done:
		default:
			return c.req, nil
		}
	}
	ch, err := c.channel()
	if err != nil {
		return nil, err
	}
	deliveries, err := ch.Consume(directReplyTo, "", true, false, false, false, nil)
	if err != nil {
		_ = ch.Close()
		return nil, fmt.Errorf("amqp %s: consume %s: %w", c.where, directReplyTo, c.opError(err))
	}
	r := &requester{c: c, ch: ch, done: make(chan struct{}), waiting: map[string]chan reply{},
		closes: ch.NotifyClose(make(chan *amqp091.Error, 1))}
	returns := ch.NotifyReturn(make(chan amqp091.Return, 16))
	go r.run(deliveries, returns)
	c.req = r
	return r, nil
}

func (r *requester) run(deliveries <-chan amqp091.Delivery, returns <-chan amqp091.Return) {
	defer func() {
		r.err = r.cause()
		close(r.done)
	}()
	for deliveries != nil || returns != nil {
		select {
		case d, ok := <-deliveries:
			if !ok {
				deliveries = nil
				continue
			}
			r.deliver(d.CorrelationId, reply{msg: fromDelivery(&d)})
		case ret, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			r.c.returned.Add(1)
			r.deliver(ret.CorrelationId, reply{err: fmt.Errorf("amqp %s: request %w: exchange %q routing key %q: %d %s (is the provider consuming?)",
				r.c.where, ErrReturned, ret.Exchange, ret.RoutingKey, ret.ReplyCode, ret.ReplyText)})
		}
	}
}

func (r *requester) deliver(correlationID string, rep reply) {
	r.mu.Lock()
	w := r.waiting[correlationID]
	r.mu.Unlock()
	if w != nil {
		select {
		case w <- rep:
		default: // a duplicate reply: the first one counts
		}
	}
}

func (r *requester) cause() error {
	select {
	case e, ok := <-r.closes:
		if ok && e != nil {
			return r.c.closeError(e)
		}
	default:
	}
	return r.c.connError()
}
