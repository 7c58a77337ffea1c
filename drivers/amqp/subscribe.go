package amqp

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// Subscribe consumes s.Route on its own channel and returns once the consumer is registered, so
// messages published afterwards are received. "exchange/routing.key" declares an exclusive,
// auto-deleted, server-named queue bound to the exchange (checked, or declared with option
// declare); "queue:NAME" consumes an existing queue (declared, of queue_type, and bound per
// option bind, with option declare). handle runs on one goroutine per subscription; with manual
// acknowledgement (the default) a nil return acks the message and an error nacks it with
// requeue; s.AutoAck makes the broker consider it acknowledged on delivery. s.Prefetch (default
// option prefetch) is the channel's QoS prefetch count.
func (c *Conn) Subscribe(ctx context.Context, s drivers.Subscription, handle func(*drivers.Message) error) (drivers.Subscribed, error) {
	if c.closed.Load() {
		return nil, c.connError()
	}
	queue, named := strings.CutPrefix(s.Route, "queue:")
	var exchange, key string
	if !named {
		exchange, key = splitRoute(s.Route)
		if exchange == "" {
			return nil, fmt.Errorf("amqp: subscription route %q: expected exchange/routing.key or queue:NAME", s.Route)
		}
		if err := c.ensureExchange(exchange); err != nil {
			return nil, err
		}
	} else if err := c.ensureQueue(queue); err != nil {
		return nil, err
	}
	ch, err := c.channel()
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) (drivers.Subscribed, error) {
		_ = ch.Close()
		return nil, fmt.Errorf("amqp %s: subscribe %s: %s: %w", c.where, s.Route, what, c.opError(err))
	}
	prefetch := c.opts.prefetch
	if s.Prefetch > 0 {
		prefetch = s.Prefetch
	}
	if !s.AutoAck && prefetch > 0 {
		if err := ch.Qos(prefetch, 0, false); err != nil {
			return fail("set prefetch", err)
		}
	}
	if !named {
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return fail("declare temporary queue", err)
		}
		if err := ch.QueueBind(q.Name, key, exchange, false, nil); err != nil {
			return fail("bind temporary queue", err)
		}
		queue = q.Name
	}
	closes := ch.NotifyClose(make(chan *amqp091.Error, 1))
	tag := fmt.Sprintf("commbench-%d", subscriptionSeq.Add(1))
	deliveries, err := ch.ConsumeWithContext(ctx, queue, tag, s.AutoAck, false, false, false, nil)
	if err != nil {
		return fail("consume", err)
	}
	sub := &subscription{c: c, ch: ch, tag: tag, closes: closes, done: make(chan struct{})}
	go sub.run(deliveries, s.AutoAck, handle)
	return sub, nil
}

var subscriptionSeq atomic.Int64

// ensureQueue checks that a named queue exists or, with option declare, declares it durable with
// the configured queue type and binds it as option bind says.
func (c *Conn) ensureQueue(queue string) error {
	if queue == "" {
		return fmt.Errorf("amqp: subscription route queue: needs a queue name (queue:NAME)")
	}
	if c.opts.bind {
		if err := c.ensureExchange(c.opts.bindExchange); err != nil {
			return err
		}
	}
	err := c.withChannel(func(ch *amqp091.Channel) error {
		if !c.opts.declare {
			_, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
			return err
		}
		if _, err := ch.QueueDeclare(queue, true, false, false, false, amqp091.Table{"x-queue-type": c.opts.queueType}); err != nil {
			return err
		}
		if c.opts.bind {
			return ch.QueueBind(queue, c.opts.bindKey, c.opts.bindExchange, false, nil)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("amqp %s: queue %q: %w", c.where, queue, c.opError(err))
	}
	return nil
}

type subscription struct {
	c      *Conn
	ch     *amqp091.Channel
	tag    string
	closes <-chan *amqp091.Error
	done   chan struct{}
	closed atomic.Bool
}

func (s *subscription) run(deliveries <-chan amqp091.Delivery, autoAck bool, handle func(*drivers.Message) error) {
	defer close(s.done)
	for d := range deliveries {
		err := handle(fromDelivery(&d))
		if autoAck {
			continue
		}
		if err != nil {
			_ = d.Nack(false, true)
		} else {
			_ = d.Ack(false)
		}
	}
}

// Done is closed when the subscription ended: after Close, or when its channel or connection
// closed (a lost connection: Close then returns the cause). Workloads watch it to re-subscribe.
func (s *subscription) Done() <-chan struct{} { return s.done }

// Close cancels the consumer, waits for the handler to return and closes the channel. It returns
// the closure cause when the channel or the connection closed while the subscription ran: the
// broker's reply code and text for a channel closure; for a lost connection an error wrapping
// drivers.ErrUnreachable (with the broker's reply code and text when the broker closed it).
func (s *subscription) Close() error {
	if s.closed.Swap(true) {
		<-s.done
		return nil
	}
	_ = s.ch.Cancel(s.tag, false)
	<-s.done
	var cause error
	select {
	case e, ok := <-s.closes:
		if ok && e != nil {
			cause = fmt.Errorf("amqp %s: subscription: %w", s.c.where, s.c.closeError(e))
		}
	default:
	}
	_ = s.ch.Close()
	return cause
}
