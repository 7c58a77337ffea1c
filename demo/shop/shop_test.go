package shop

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/testenv"
)

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s: %v: %s", url, err, raw)
	}
	return resp.StatusCode, body
}

// TestOrdersAPI checks the REST API and its --break drift.
func TestOrdersAPI(t *testing.T) {
	tests := []struct {
		name          string
		broken        bool
		missingStatus int
		statusField   string
	}{
		{"as contracted", false, 404, "status"},
		{"broken", true, 200, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, err := Start(context.Background(), Options{Root: testenv.ModuleRoot(t), Break: tt.broken})
			if err != nil {
				t.Fatal(err)
			}
			defer sys.Close()
			code, order := get(t, sys.RESTURL+"/orders/o-7")
			if code != 200 || order["id"] != "o-7" || order[tt.statusField] != "PLACED" {
				t.Fatalf("GET /orders/o-7: %d %v", code, order)
			}
			if code, _ := get(t, sys.RESTURL+"/orders/missing"); code != tt.missingStatus {
				t.Fatalf("GET /orders/missing: %d, want %d", code, tt.missingStatus)
			}
		})
	}
}

// TestStatePublishesOrderPlaced: the provider state "an order was placed" publishes an
// OrderPlaced event for the order id in its params, here to an external Kafka cluster whose
// topic the shop creates.
func TestStatePublishesOrderPlaced(t *testing.T) {
	_, brokers := kafkatest.NewCluster(t, 1, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sys, err := Start(ctx, Options{Root: testenv.ModuleRoot(t), KafkaBrokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if sys.KafkaBrokers != brokers || sys.AMQPErr == nil {
		t.Fatalf("brokers %q (want %q), AMQP error %v", sys.KafkaBrokers, brokers, sys.AMQPErr)
	}
	resp, err := http.Post(sys.RESTURL+"/_pact/state", "application/json",
		strings.NewReader(`{"state": "an order was placed", "params": {"id": "o-42"}, "action": "setup"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || sys.Published() != 1 {
		t.Fatalf("state change: %d, published %d", resp.StatusCode, sys.Published())
	}
	conn, err := kafka.New().Open(ctx, drivers.Target{Address: brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make(chan *drivers.Message, 1)
	sub, err := conn.(drivers.Subscriber).Subscribe(ctx, drivers.Subscription{Route: KafkaTopic, From: "start"}, func(m *drivers.Message) error {
		select {
		case got <- m:
		default:
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	select {
	case m := <-got:
		var e map[string]any
		if err := json.Unmarshal(m.Body, &e); err != nil || string(m.Key) != "o-42" || e["order"].(map[string]any)["id"] != "o-42" {
			t.Fatalf("event key %q body %s (%v)", m.Key, m.Body, err)
		}
	case <-ctx.Done():
		t.Fatal("no OrderPlaced event on the topic")
	}
}
