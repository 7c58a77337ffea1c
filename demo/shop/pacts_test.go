//go:build pact

package shop

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	message "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/pact-foundation/pact-go/v2/models"
)

var regenerate = flag.Bool("regenerate", false, "rewrite the shop's consumer pacts in testdata/pacts/shop with pact-go's consumer DSL")

// pactDir holds the committed shop pacts, relative to this package.
var pactDir = filepath.Join("..", "..", "testdata", "pacts", "shop")

type obj = map[string]any

// orderBody is what the web consumer relies on in an order: the shop's REST representation.
func orderBody(id matchers.Matcher) obj {
	return obj{
		"id":          id,
		"customer_id": matchers.Regex("c-1", `^c-[0-9]+$`),
		"status":      matchers.Regex("PLACED", `^(PLACED|PAID|SHIPPED)$`),
		"items": matchers.EachLike(obj{
			"sku": matchers.Like("SKU-1"), "qty": matchers.Integer(2),
			"unit_price": obj{"currency": matchers.Regex("EUR", `^[A-Z]{3}$`), "amount_minor": matchers.Integer(1250)},
		}, 1),
		"total": obj{"currency": matchers.Regex("EUR", `^[A-Z]{3}$`), "amount_minor": matchers.Integer(2500)},
	}
}

// orderPlaced is the OrderPlaced event the shipping and billing consumers rely on.
func orderPlaced() obj {
	return obj{
		"event_id":    matchers.UUID(),
		"occurred_at": matchers.Regex("2024-06-15T08:00:00Z", `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`),
		"order": obj{
			"id":          matchers.Like("o-1"),
			"customer_id": matchers.Regex("c-1", `^c-[0-9]+$`),
			"status":      matchers.S("PLACED"),
			"total":       obj{"currency": matchers.Regex("EUR", `^[A-Z]{3}$`), "amount_minor": matchers.Integer(2500)},
		},
	}
}

// TestGeneratePacts writes the shop's consumer pacts with pact-go's consumer DSL: web ->
// orders-api (HTTP, V4, run against pact-go's mock server), and the OrderPlaced event as
// shipping reads it from Kafka and billing from RabbitMQ (V4 asynchronous messages whose
// metadata names the topic, or the exchange and routing key). With -regenerate it rewrites
// testdata/pacts/shop; otherwise it fails when the committed files differ from what the DSL
// writes now.
func TestGeneratePacts(t *testing.T) {
	dir := t.TempDir()
	if *regenerate {
		dir = pactDir
	}
	files := map[string]func(t *testing.T, dir string){
		"web-orders-api.json":        writeWebPact,
		"shipping-order-events.json": func(t *testing.T, dir string) { writeEventPact(t, dir, "shipping", kafkaEvent) },
		"billing-order-events.json":  func(t *testing.T, dir string) { writeEventPact(t, dir, "billing", amqpEvent) },
	}
	for name, write := range files {
		t.Run(name, func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			write(t, dir)
			if *regenerate {
				return
			}
			got, want := readJSON(t, filepath.Join(dir, name)), readJSON(t, filepath.Join(pactDir, name))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s is stale: pact-go's DSL now writes something else; regenerate it with "+
					"go test -tags pact ./demo/shop -run TestGeneratePacts -regenerate", name)
			}
		})
	}
}

// normalised drops what changes from run to run: pact-go's and the FFI's versions.
func readJSON(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it: go test -tags pact ./demo/shop -run TestGeneratePacts -regenerate)", err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if md, ok := v["metadata"].(map[string]any); ok {
		delete(md, "pactRust")
		delete(md, "pactGo")
	}
	return v
}

func writeWebPact(t *testing.T, dir string) {
	p, err := consumer.NewV4Pact(consumer.MockHTTPProviderConfig{
		Consumer: "web", Provider: "orders-api", PactDir: dir, LogDir: t.TempDir(), Host: "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path string, body any, want int) func(consumer.MockServerConfig) error {
		return func(cfg consumer.MockServerConfig) error {
			var r io.Reader
			if body != nil {
				raw, _ := json.Marshal(body)
				r = bytes.NewReader(raw)
			}
			req, err := http.NewRequest(method, fmt.Sprintf("http://%s:%d%s", cfg.Host, cfg.Port, path), r)
			if err != nil {
				return err
			}
			req.Header.Set("Accept", "application/json")
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != want {
				return fmt.Errorf("%s %s: mock server answered %d, want %d", method, path, resp.StatusCode, want)
			}
			return nil
		}
	}
	accept := func(b *consumer.V4RequestBuilder) { b.Header("Accept", matchers.S("application/json")) }
	jsonType := matchers.Regex("application/json", `^application/json(;\s*charset=[\w-]+)?$`)

	err = p.AddInteraction().
		GivenWithParameter(models.ProviderState{Name: "an order exists", Parameters: obj{"id": "o-1"}}).
		UponReceiving("a request for order o-1").
		WithRequest("GET", "/orders/o-1", accept).
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.Header("Content-Type", jsonType).JSONBody(orderBody(matchers.Like("o-1")))
		}).
		ExecuteTest(t, call("GET", "/orders/o-1", nil, 200))
	if err != nil {
		t.Fatal(err)
	}
	err = p.AddInteraction().
		Given("no order missing exists").
		UponReceiving("a request for an order that does not exist").
		WithRequest("GET", "/orders/missing", accept).
		WillRespondWith(404, func(b *consumer.V4ResponseBuilder) {
			b.Header("Content-Type", jsonType).JSONBody(obj{"error": matchers.Like("order missing not found")})
		}).
		ExecuteTest(t, call("GET", "/orders/missing", nil, 404))
	if err != nil {
		t.Fatal(err)
	}
	order := obj{"customer_id": "c-7", "items": []any{obj{"sku": "SKU-1", "qty": 2}}}
	err = p.AddInteraction().
		UponReceiving("a new order").
		WithRequest("POST", "/orders", func(b *consumer.V4RequestBuilder) {
			b.Header("Accept", matchers.S("application/json")).JSONBody(obj{
				"customer_id": matchers.Like("c-7"),
				"items":       matchers.EachLike(obj{"sku": matchers.Like("SKU-1"), "qty": matchers.Integer(2)}, 1),
			})
		}).
		WillRespondWith(201, func(b *consumer.V4ResponseBuilder) {
			b.Header("Content-Type", jsonType).
				Header("Location", matchers.Regex("/orders/o-1a2b3c4d", `^/orders/o-[0-9a-f]{8}$`)).
				JSONBody(orderBody(matchers.Regex("o-1a2b3c4d", `^o-[0-9a-f]{8}$`)))
		}).
		ExecuteTest(t, call("POST", "/orders", order, 201))
	if err != nil {
		t.Fatal(err)
	}
}

// Where the OrderPlaced events travel, as their consumers record it in the message metadata.
var (
	kafkaEvent = map[string]string{"kafka_topic": KafkaTopic, "contentType": "application/json"}
	amqpEvent  = map[string]string{"exchange": AMQPExchange, "routingKey": AMQPRouting, "contentType": "application/json"}
)

// writeEventPact writes consumer's pact for the OrderPlaced event with metadata md. pact-go merges
// into a file already on disk, so it writes to a scratch folder first.
func writeEventPact(t *testing.T, dir, consumerName string, md map[string]string) {
	scratch := t.TempDir()
	p, err := message.NewAsynchronousPact(message.Config{Consumer: consumerName, Provider: "order-events", PactDir: scratch})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	err = p.AddAsynchronousMessage().
		GivenWithParameter(models.ProviderState{Name: "an order was placed", Parameters: obj{"id": "o-1"}}).
		ExpectsToReceive("an OrderPlaced event").
		WithMetadata(md).
		WithJSONContent(orderPlaced()).
		AsType(&got).
		ConsumedBy(func(m message.AsynchronousMessage) error {
			// The consumer's handler: it needs the order id and the total to ship or bill.
			e, ok := m.Body.(*map[string]any)
			if !ok {
				return fmt.Errorf("body is %T", m.Body)
			}
			order, _ := (*e)["order"].(map[string]any)
			if order["id"] == nil || order["total"] == nil {
				return fmt.Errorf("event lacks order id or total: %v", *e)
			}
			return nil
		}).
		Verify(t)
	if err != nil {
		t.Fatal(err)
	}
	name := consumerName + "-order-events.json"
	raw, err := os.ReadFile(filepath.Join(scratch, name))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), raw, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
