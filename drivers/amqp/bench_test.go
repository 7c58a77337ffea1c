package amqp

import (
	"context"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// BenchmarkPublishConfirm publishes 100-byte messages with publisher confirms to a bound queue
// (capped at 10000 messages, oldest dropped) and reports confirmed msg/s.
func BenchmarkPublishConfirm(b *testing.B) {
	c := open(b, map[string]string{"max_in_flight": "4096"})
	q := unique("bench")
	if err := c.withChannel(func(ch *amqp091.Channel) error {
		_, err := ch.QueueDeclare(q, false, true, false, false, amqp091.Table{"x-max-length": int32(10000)})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = c.withChannel(func(ch *amqp091.Channel) error { _, err := ch.QueueDelete(q, false, false, false); return err })
	})
	m := &drivers.Message{Route: "/" + q, Body: make([]byte, 100)}
	done := func(err error) {
		if err != nil {
			b.Error(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := c.Publish(ctx, m, done); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
