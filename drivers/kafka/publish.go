package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commbench/commbench/drivers"
)

// Publish produces m to the topic m.Route (checked, or created with create_topics, the first time
// it is used, so a missing topic is a synchronous error). done is called from the client's
// goroutine when the broker acknowledged the record per the acks option (nil), or with the
// error that failed it (a *kerr.Error for broker error codes, wrapped with topic and
// partition). Publish blocks while max_buffered records are unacknowledged, or until ctx ends; a
// record whose ctx ends before it is sent fails. On error done is not called.
func (c *Conn) Publish(ctx context.Context, m *drivers.Message, done func(error)) error {
	if c.closed.Load() {
		return c.closedError("publish")
	}
	r, err := c.toRecord(m)
	if err != nil {
		return err
	}
	if err := c.ensureTopic(ctx, r.Topic); err != nil {
		return err
	}
	if done == nil {
		c.cl.Produce(ctx, r, nil)
		return nil
	}
	c.cl.Produce(ctx, r, func(r *kgo.Record, err error) {
		if err != nil {
			err = fmt.Errorf("kafka produce to %s[%d]: %w", r.Topic, r.Partition, err)
		}
		done(err)
	})
	return nil
}

// Flush waits until every record produced so far is acknowledged or failed, or ctx ends.
func (c *Conn) Flush(ctx context.Context) error {
	if c.closed.Load() {
		return c.closedError("flush")
	}
	return c.cl.Flush(ctx)
}
