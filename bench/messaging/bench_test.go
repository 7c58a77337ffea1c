package messaging

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/testenv"
)

// BenchmarkPublishConsume runs publish-consume with integrity for b.N messages (2 producers,
// 1 consumer, closed model) and reports msg/s (acknowledged and received) and the integrity
// figures, against the real RabbitMQ and against kfake (in-process: its figure is the client
// path's, not a Kafka cluster's).
func BenchmarkPublishConsume(b *testing.B) {
	peers := []struct {
		name   string
		driver drivers.Driver
		target func(b *testing.B) (drivers.Target, string)
	}{
		{"amqp", amqp.New(), func(b *testing.B) (drivers.Target, string) {
			return drivers.Target{Address: testenv.AMQPURL(b)}, "amq.topic/commbench.bench." + uuid.NewString()
		}},
		{"kafka-kfake", kafka.New(), func(b *testing.B) (drivers.Target, string) {
			_, addr := kafkatest.NewCluster(b, 1, 3, "orders")
			return drivers.Target{Address: addr}, "orders"
		}},
	}
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) {
			target, route := p.target(b)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			w, err := Open(ctx, p.driver, target, Config{Operation: PublishConsume, RunID: uuid.NewString(), Route: route,
				Subscription: drivers.Subscription{Route: route}, Producers: 2, Body: body, Drain: 10 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			e, err := bench.New(bench.Config{Workers: w.Workers(), Count: uint64(b.N), Drain: 30 * time.Second}, w.Operation())
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			wl, err := e.Run(ctx)
			if err != nil {
				b.Fatal(err)
			}
			el := time.Since(start).Seconds()
			in := wl.Integrity
			if in.Lost != 0 || in.Received < int64(b.N) {
				b.Fatalf("integrity %+v", *in)
			}
			b.ReportMetric(float64(in.Received)/el, "msg/s")
			b.ReportMetric(wl.EndToEnd.P99MS, "e2e-p99-ms")
		})
	}
}
