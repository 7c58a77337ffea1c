package kafka

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/google/uuid"

	"github.com/commbench/commbench/drivers"
)

// Request produces req to its topic with a correlation id header (option correlation_header,
// default kafka_correlationId; req's own header of that name is kept, else a random UUID) and a
// reply topic header (option reply_topic_header, default kafka_replyTopic: Spring Kafka's
// ReplyingKafkaTemplate convention), then waits up to the target's request timeout (or ctx) for
// a record on the reply topic carrying the same correlation id. The reply topic is
// req.Properties["reply_topic"], else option reply_topic, else "<topic>.reply"; it is consumed
// from its end offsets, positioned before the request is produced.
func (c *Conn) Request(ctx context.Context, req *drivers.Message) (*drivers.Message, error) {
	if c.closed.Load() {
		return nil, c.closedError("request")
	}
	replyTopic := req.Properties["reply_topic"]
	if replyTopic == "" {
		replyTopic = c.opts.replyTopic
	}
	if replyTopic == "" {
		replyTopic = req.Route + ".reply"
	}
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	r, err := c.replier(ctx, replyTopic)
	if err != nil {
		return nil, err
	}
	corr := req.Header(c.opts.correlationHeader)
	m := *req
	m.Headers = maps.Clone(req.Headers)
	if m.Headers == nil {
		m.Headers = map[string][]string{}
	}
	if corr == "" {
		corr = uuid.NewString()
		m.Headers[c.opts.correlationHeader] = []string{corr}
	}
	m.Headers[c.opts.replyTopicHeader] = []string{replyTopic}
	wait := make(chan *drivers.Message, 1)
	r.mu.Lock()
	r.waiting[corr] = wait
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.waiting, corr)
		r.mu.Unlock()
	}()
	produced := make(chan error, 1)
	if err := c.Publish(ctx, &m, func(err error) { produced <- err }); err != nil {
		return nil, err
	}
	for {
		select {
		case resp := <-wait:
			return resp, nil
		case err := <-produced:
			if err != nil {
				return nil, fmt.Errorf("kafka request to %s: %w", req.Route, err)
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("kafka %s: no reply on %s to request on %s within %s: %w", c.seeds, replyTopic, req.Route, c.requestTimeout, ctx.Err())
		}
	}
}

// replier consumes one reply topic and hands replies to waiting requests by correlation id.
type replier struct {
	sub     drivers.Subscribed
	mu      sync.Mutex
	waiting map[string]chan *drivers.Message
}

func (c *Conn) replier(ctx context.Context, topic string) (*replier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.repliers[topic]; r != nil {
		return r, nil
	}
	r := &replier{waiting: map[string]chan *drivers.Message{}}
	sub, err := c.Subscribe(ctx, drivers.Subscription{Route: topic}, func(m *drivers.Message) error {
		corr := m.Header(c.opts.correlationHeader)
		r.mu.Lock()
		w := r.waiting[corr]
		r.mu.Unlock()
		if w != nil {
			select {
			case w <- m:
			default: // a duplicate reply: the first one counts
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reply topic: %w", err)
	}
	r.sub = sub
	if c.repliers == nil {
		c.repliers = map[string]*replier{}
	}
	c.repliers[topic] = r
	return r, nil
}
