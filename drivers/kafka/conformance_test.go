package kafka

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

// echo answers every request on topic "echo" with its body upper-cased, on the request's reply
// topic header with its correlation header, like a Spring ReplyingKafkaTemplate peer.
func echo(t *testing.T, seeds string) {
	t.Helper()
	c := open(t, seeds, nil)
	sub, err := c.Subscribe(context.Background(), drivers.Subscription{Route: "echo"}, func(m *drivers.Message) error {
		return c.Publish(context.Background(), &drivers.Message{
			Route: m.Header("kafka_replyTopic"), Body: bytes.ToUpper(m.Body),
			Headers: map[string][]string{"kafka_correlationId": {m.Header("kafka_correlationId")}},
		}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
}

func TestConformance(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 3, 3, "echo", "echo.reply", "stall", "stall.reply")
	echo(t, seeds)
	var seq atomic.Int64
	drivertest.Run(t, drivertest.Harness{
		Driver: New(),
		Target: func(*testing.T) drivers.Target { return drivers.Target{Address: seeds} },
		RoundTrip: func(ctx context.Context, c drivers.Conn) error {
			body := fmt.Appendf(nil, "ping-%d", seq.Add(1))
			resp, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "echo", Body: body})
			if err != nil {
				return err
			}
			if !bytes.Equal(resp.Body, bytes.ToUpper(body)) {
				return fmt.Errorf("reply %q to %q", resp.Body, body)
			}
			return nil
		},
		Stall: func(ctx context.Context, c drivers.Conn) error {
			_, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "stall"})
			return err
		},
		Address: func(hp string) string { return hp },
		TLSTarget: func(t *testing.T, certs *drivertest.Certs) drivers.Target {
			cluster, tlsSeeds, err := kafkatest.Start(1, 1, []string{"echo", "echo.reply"}, kfake.TLS(certs.ServerConfig(true)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(cluster.Close)
			tg := drivers.Target{Address: tlsSeeds, TLS: drivers.TLS{Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile}}
			// The echo peer of this cluster speaks TLS too.
			c, err := New().Open(context.Background(), tg)
			if err != nil {
				t.Fatalf("echo peer: %v", err)
			}
			t.Cleanup(func() { _ = c.Close() })
			sub, err := c.(*Conn).Subscribe(context.Background(), drivers.Subscription{Route: "echo"}, func(m *drivers.Message) error {
				return c.(*Conn).Publish(context.Background(), &drivers.Message{Route: m.Header("kafka_replyTopic"), Body: bytes.ToUpper(m.Body),
					Headers: map[string][]string{"kafka_correlationId": {m.Header("kafka_correlationId")}}}, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sub.Close() })
			return tg
		},
		MutualTLS: true,
	})
}
