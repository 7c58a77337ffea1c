package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/commbench/commbench/contracts/verifier/messagetest"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/testenv"
)

// orderPlaced is the shop's OrderPlaced event (testdata/samples/order-placed.json) in the value
// model, with its event id and order id replaced.
func orderPlaced(t *testing.T, eventID, orderID string) any {
	t.Helper()
	b, err := os.ReadFile(shopFile(t, "samples", "order-placed.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := formats.ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	m["event_id"] = eventID
	m["order"].(map[string]any)["id"] = orderID
	return m
}

// orderPlacedPact writes a V4 pact with one asynchronous message, "an order placed event",
// whose contents are the binary body (base64) of contentType. Matching rules: $.event_id by
// type, $.order.id by the regex ^ord-\d+$; every other field must equal the sample's.
func orderPlacedPact(t *testing.T, contentType string, body []byte) string {
	t.Helper()
	rule := func(m map[string]any) map[string]any {
		return map[string]any{"combine": "AND", "matchers": []any{m}}
	}
	doc := map[string]any{
		"consumer": map[string]any{"name": "shop-web"},
		"provider": map[string]any{"name": "orders"},
		"interactions": []any{map[string]any{
			"type":        "Asynchronous/Messages",
			"description": "an order placed event",
			"contents":    map[string]any{"contentType": contentType, "encoded": "base64", "content": base64.StdEncoding.EncodeToString(body)},
			"metadata":    map[string]any{"contentType": contentType},
			"matchingRules": map[string]any{"body": map[string]any{
				"$.event_id": rule(map[string]any{"match": "type"}),
				"$.order.id": rule(map[string]any{"match": "regex", "regex": `^ord-\d+$`}),
			}},
		}},
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": "4.0"}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "order-placed-pact.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// avroDepFiles are the .avsc files defining the named types order_placed.avsc references.
func avroDepFiles(t *testing.T) []string {
	var out []string
	for _, f := range []string{"order.avsc", "order_item.avsc", "money.avsc", "address.avsc"} {
		out = append(out, shopFile(t, "schemas", f))
	}
	return out
}

// TestVerifyBinaryMessagesThroughCLI verifies message pacts whose contents are Protobuf and Avro
// (raw, and in the Confluent wire format resolved through an in-process schema registry) against
// an in-process provider publishing to kfake or RabbitMQ: an order id that the pact's regex
// accepts passes although it differs from the pact's example; one that the regex rejects fails
// with the field's path.
func TestVerifyBinaryMessagesThroughCLI(t *testing.T) {
	_, kafkaAddr := kafkatest.NewCluster(t, 1, 2, "orders.proto", "orders.avro", "orders.confluent")
	kafkaProvider := openBroker(t, kafka.New(), kafkaAddr)
	regURL, regEnv := shopRegistry(t)

	protoCodec, err := protobuf.New(formats.Options{Schema: shopFile(t, "schemas", "shop.proto"), Message: "shop.v1.OrderPlaced"})
	if err != nil {
		t.Fatal(err)
	}
	avroSchema := shopFile(t, "schemas", "order_placed.avsc")
	avroCodec, err := avro.New(formats.Options{Schema: avroSchema, SchemaFiles: avroDepFiles(t)})
	if err != nil {
		t.Fatal(err)
	}
	framed := confluent.NewAvro(avroCodec, registerOrderPlaced(t, regURL))

	type broker struct {
		provider messagetest.Conn
		route    string
		flags    []string
	}
	onKafka := func(topic string) func(t *testing.T) broker {
		return func(t *testing.T) broker {
			return broker{kafkaProvider, topic, []string{"--kafka-brokers", kafkaAddr, "--message-route", "^an order placed event$=kafka://" + topic}}
		}
	}
	onRabbitMQ := func(t *testing.T) broker {
		url := testenv.AMQPURL(t)
		key := "commbench.binary." + uuid.NewString()
		return broker{openBroker(t, amqp.New(), url), "amq.topic/" + key, []string{"--amqp-url", url, "--message-route", "^an order placed event$=amqp://amq.topic/" + key}}
	}
	const protoType = "application/protobuf;message=shop.v1.OrderPlaced"
	tests := []struct {
		name        string
		contentType string
		codec       formats.Codec
		broker      func(t *testing.T) broker
		flags       []string
		env         []string
	}{
		{"protobuf on kafka", protoType, protoCodec, onKafka("orders.proto"), []string{"--proto", shopFile(t, "schemas", "shop.proto")}, nil},
		{"protobuf on rabbitmq", protoType, protoCodec, onRabbitMQ, []string{"--proto", shopFile(t, "schemas", "shop.proto")}, nil},
		{"avro on kafka", "avro/binary", avroCodec, onKafka("orders.avro"), append([]string{"--avro-schema", avroSchema, "--schema-dep"}, strings.Join(avroDepFiles(t), ",")), nil},
		{"confluent avro on kafka", "avro/binary", framed, onKafka("orders.confluent"), []string{"--schema-registry", regURL}, regEnv},
	}
	variants := []struct {
		name, orderID string
		code          int
		want          []string
	}{
		{"correct", "ord-2001", 0, []string{"an order placed event [message] (passed)"}},
		{"wrong order id", "ORD-2001", 1, []string{"(failed)", "$.order.id", "ORD-2001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pactBody, err := tc.codec.Encode(orderPlaced(t, "5f0c6c1e-8d1b-4c39-9a57-1b7a4d0f2e11", "ord-1002"))
			if err != nil {
				t.Fatal(err)
			}
			pact := orderPlacedPact(t, tc.contentType, pactBody)
			b := tc.broker(t)
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					body, err := tc.codec.Encode(orderPlaced(t, uuid.NewString(), v.orderID))
					if err != nil {
						t.Fatal(err)
					}
					trigger := httptest.NewServer(messagetest.PublishOnPost(b.provider, func() *drivers.Message {
						return &drivers.Message{Route: b.route, ContentType: tc.contentType, Body: body}
					}))
					defer trigger.Close()
					args := append([]string{"verify", "--pact", pact, "--trigger-url", "order placed=" + trigger.URL,
						"--message-timeout", "500ms", "--no-color"}, append(b.flags, tc.flags...)...)
					code, stdout, stderr := runCLI(t, tc.env, args...)
					if code != v.code {
						t.Fatalf("exit %d, want %d\n%s\n%s", code, v.code, stdout, stderr)
					}
					for _, w := range v.want {
						if !strings.Contains(stdout, w) {
							t.Errorf("output lacks %q:\n%s", w, stdout)
						}
					}
				})
			}
		})
	}
}

// registerOrderPlaced registers order_placed.avsc in the shop registry (see shopRegistry), its
// shop.v1.Order reference resolved by the registry, and returns its schema id.
func registerOrderPlaced(t *testing.T, url string) int {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(url), sr.BasicAuth("user", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(shopFile(t, "schemas", "order_placed.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	ss, err := cl.CreateSchema(context.Background(), "orders-placed-value", sr.Schema{Schema: string(b), Type: sr.TypeAvro,
		References: []sr.SchemaReference{{Name: "shop.v1.Order", Subject: "orders-avro-value", Version: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return ss.ID
}
