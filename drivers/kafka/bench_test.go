package kafka

import (
	"context"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

// BenchmarkProduce produces 100-byte records (acks=all, idempotent, no compression, linger 5ms)
// to a 3-broker, 6-partition kfake cluster and reports acknowledged msg/s.
func BenchmarkProduce(b *testing.B) {
	_, seeds := kafkatest.NewCluster(b, 3, 6, "bench")
	c := open(b, seeds, map[string]string{"linger": "5ms"})
	m := &drivers.Message{Route: "bench", Body: make([]byte, 100)}
	done := func(err error) {
		if err != nil {
			b.Error(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
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
