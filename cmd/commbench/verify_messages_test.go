package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/contracts/verifier/messagetest"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

func openBroker(t *testing.T, d drivers.Driver, address string) messagetest.Conn {
	t.Helper()
	c, err := d.Open(context.Background(), drivers.Target{Address: address, ConnectTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.(messagetest.Conn)
}

// metadataMessage is what the provider of real-pacts/message-with-metadata-v4.json publishes:
// correct, or with a missing header or a wrong field type.
func metadataMessage(route, variant string) *drivers.Message {
	m := &drivers.Message{Route: route, ContentType: "application/json", Body: []byte(`{"someField":"another value"}`),
		Headers: map[string][]string{"someKey": {"anotherString"}}}
	switch variant {
	case "missing header":
		m.Headers = nil
	case "wrong field type":
		m.Body = []byte(`{"someField":42}`)
	}
	return m
}

func TestVerifyRealMessagePactOverBrokers(t *testing.T) {
	pact := testenv.SharedFile(t, "real-pacts", "message-with-metadata-v4.json")
	type broker struct {
		flags    []string
		provider messagetest.Conn
		route    string
	}
	brokers := map[string]func(t *testing.T) broker{
		"kafka": func(t *testing.T) broker {
			_, addr := kafkatest.NewCluster(t, 2, 2, "events")
			return broker{[]string{"--kafka-brokers", addr, "--message-route", "^A message with metadata$=kafka://events"}, openBroker(t, kafka.New(), addr), "events"}
		},
		"rabbitmq": func(t *testing.T) broker {
			url := testenv.AMQPURL(t)
			key := "commbench.cli." + uuid.NewString()
			return broker{[]string{"--amqp-url", url, "--message-route", "metadata=amqp://amq.topic/" + key}, openBroker(t, amqp.New(), url), "amq.topic/" + key}
		},
	}
	tests := []struct {
		variant string
		code    int
		want    []string
	}{
		{"correct", 0, []string{"✓ test_consumer → AmqpProviderWithMetadata: A message with metadata [message] (passed)"}},
		{"missing header", 1, []string{"(failed)", "someKey", "missing"}},
		{"wrong field type", 1, []string{"(failed)", "$.someField"}},
	}
	for name, setup := range brokers {
		t.Run(name, func(t *testing.T) {
			b := setup(t)
			for _, tc := range tests {
				t.Run(tc.variant, func(t *testing.T) {
					trigger := httptest.NewServer(messagetest.PublishOnPost(b.provider, func() *drivers.Message { return metadataMessage(b.route, tc.variant) }))
					defer trigger.Close()
					out := filepath.Join(t.TempDir(), "results.json")
					args := append([]string{"verify", "--pact", pact, "--trigger-url", "metadata=" + trigger.URL + "/publish",
						"--message-timeout", "500ms", "--json", out, "--no-color"}, b.flags...)
					code, stdout, stderr := runCLI(t, nil, args...)
					if code != tc.code {
						t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
					}
					for _, w := range tc.want {
						if !strings.Contains(stdout, w) {
							t.Errorf("output lacks %q:\n%s", w, stdout)
						}
					}
					f := mustReadResults(t, out)
					if f.Verification.Summary.Total != 1 {
						t.Errorf("summary %+v", f.Verification.Summary)
					}
					if echo, _ := json.Marshal(f.Run.Config); !strings.Contains(string(echo), `"messages"`) || strings.Contains(string(echo), "guest:guest") {
						t.Errorf("config echo lacks the message flags or shows credentials: %s", echo)
					}
				})
			}
		})
	}
}

func mustReadResults(t *testing.T, path string) *results.File {
	t.Helper()
	f, err := readResults(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVerifyRequestReplyOverBrokers(t *testing.T) {
	pact := testenv.SharedFile(t, "real-pacts", "kafka-request-reply.json")
	tests := []struct {
		name  string
		setup func(t *testing.T) ([]string, messagetest.Conn, string, bool)
	}{
		{"kafka with --create-topics", func(t *testing.T) ([]string, messagetest.Conn, string, bool) {
			_, addr := kafkatest.NewCluster(t, 1, 1) // no topics: --create-topics makes them
			return []string{"--kafka-brokers", addr, "--create-topics", "--message-route", "a test message=kafka://requests"}, nil, addr, true
		}},
		{"rabbitmq", func(t *testing.T) ([]string, messagetest.Conn, string, bool) {
			url := testenv.AMQPURL(t)
			key := "commbench.rpc." + uuid.NewString()
			c := openBroker(t, amqp.New(), url)
			return []string{"--amqp-url", url, "--message-route", "a test message=amqp://amq.direct/" + key}, c, "amq.direct/" + key, false
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags, provider, route, isKafka := tc.setup(t)
			if isKafka {
				// The provider creates its request topic itself, as a Spring listener would.
				c, err := kafka.New().Open(context.Background(), drivers.Target{Address: route, Options: map[string]string{"create_topics": "true"}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Close() })
				provider, route = c.(messagetest.Conn), "requests"
			}
			sub, err := messagetest.Reply(context.Background(), provider, route, isKafka, func(*drivers.Message) *drivers.Message {
				return &drivers.Message{ContentType: "application/json", Body: []byte(`{"name":"321dcba"}`)}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			code, stdout, stderr := runCLI(t, nil, append([]string{"verify", "--pact", pact, "--message-timeout", "3s", "--no-color"}, flags...)...)
			if code != 0 || !strings.Contains(stdout, "a test message [message] (passed)") {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestVerifyMessagesBrokerFaults(t *testing.T) {
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json")
	amqpURL := testenv.AMQPURL(t)
	wrongCreds := strings.Replace(amqpURL, "guest:guest@", "guest:${WRONG}@", 1)
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"kafka unreachable", nil, []string{"--kafka-brokers", "127.0.0.1:1"}, 3, []string{"127.0.0.1:1", "unreachable"}},
		{"amqp unreachable", nil, []string{"--amqp-url", "amqp://guest:guest@127.0.0.1:1/"}, 3, []string{"127.0.0.1:1", "unreachable"}},
		{"amqp wrong credentials", []string{"WRONG=not-the-password"}, []string{"--amqp-url", wrongCreds}, 3, []string{"authentication refused"}},
		{"bad route", nil, []string{"--kafka-brokers", "127.0.0.1:1", "--message-route", "order=mqtt://x"}, 2, []string{"--message-route", "want REGEX=kafka://"}},
		{"route without broker", nil, []string{"--message-route", "order=kafka://x"}, 2, []string{"need --kafka-brokers"}},
		{"schema dependency without schema", nil, []string{"--kafka-brokers", "127.0.0.1:1", "--schema-dep", "money.avsc"}, 2, []string{"--schema-dep needs --avro-schema"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--pact", pact, "--connect-timeout", "1s"}, tc.args...)
			code, stdout, stderr := runCLI(t, tc.env, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
			if strings.Contains(stderr+stdout, "not-the-password") {
				t.Error("the password leaked")
			}
		})
	}
}

func TestVerifyMessagesRoutesFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.routes")
	if err := os.WriteFile(bad, []byte("# routes\norder=kafka://orders\n\n(unclosed=kafka://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json")
	code, _, stderr := runCLI(t, nil, "verify", "--pact", pact, "--kafka-brokers", "127.0.0.1:1", "--message-routes", bad)
	if code != 2 || !strings.Contains(stderr, "bad.routes:4") || !strings.Contains(stderr, "regular expression") {
		t.Fatalf("exit %d: %s", code, stderr)
	}

	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	provider := openBroker(t, kafka.New(), addr)
	good := filepath.Join(dir, "good.routes")
	if err := os.WriteFile(good, []byte("# routes\n^an order created event$=kafka://orders\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	states := httptest.NewServer(messagetest.PublishOnPost(provider, func() *drivers.Message {
		return &drivers.Message{Route: "orders", ContentType: "application/json", Headers: map[string][]string{"eventType": {"OrderCreated"}},
			Body: []byte(`{"orderId":"o-3","total":3,"items":[{"sku":"X","qty":1}]}`)}
	}))
	defer states.Close()
	code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--kafka-brokers", addr, "--message-routes", good, "--state-change-url", states.URL, "--message-timeout", "2s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestVerifyMessagesMissingExchange: a missing exchange is a clear error naming --declare, and
// --declare creates it.
func TestVerifyMessagesMissingExchange(t *testing.T) {
	url := testenv.AMQPURL(t)
	exchange := "commbench.verify.missing." + uuid.NewString()
	t.Cleanup(func() { deleteExchange(t, url, exchange) })
	provider := openBroker(t, amqp.New(), url)
	states := httptest.NewServer(messagetest.PublishOnPost(provider, func() *drivers.Message {
		return &drivers.Message{Route: exchange + "/orders.created", ContentType: "application/json", Headers: map[string][]string{"eventType": {"OrderCreated"}},
			Body: []byte(`{"orderId":"o-3","total":3,"items":[{"sku":"X","qty":1}]}`)}
	}))
	defer states.Close()
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json")
	base := []string{"verify", "--pact", pact, "--amqp-url", url, "--state-change-url", states.URL, "--message-timeout", "2s",
		"--message-route", "order=amqp://" + exchange + "/orders.created", "--no-color"}
	code, stdout, stderr := runCLI(t, nil, base...)
	if code != 1 || !strings.Contains(stdout, "NOT_FOUND") || !strings.Contains(stdout, "--declare") {
		t.Fatalf("missing exchange: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, nil, append(base, "--declare")...)
	if code != 0 {
		t.Fatalf("--declare: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func deleteExchange(t *testing.T, url, name string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Log(err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	_ = ch.ExchangeDelete(name, false, false)
}

// TestVerifyMessagesBrokerClosesMidRun: the broker connection goes away while the second
// interaction's provider state is set up (the Kafka cluster stops; the network between the CLI
// and RabbitMQ is cut by a proxy, so no other client of the broker is touched); the run exits 3,
// saying so, and the results keep the first interaction's pass.
func TestVerifyMessagesBrokerClosesMidRun(t *testing.T) {
	type broker struct {
		flags    []string
		provider messagetest.Conn
		route    string
		lose     func()
		want     string
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) broker
	}{
		{"kafka cluster stops", func(t *testing.T) broker {
			cluster, addr, err := kafkatest.Start(1, 1, []string{"orders"})
			if err != nil {
				t.Fatal(err)
			}
			var once sync.Once
			t.Cleanup(func() { once.Do(cluster.Close) })
			return broker{[]string{"--kafka-brokers", addr, "--message-route", "order=kafka://orders"},
				openBroker(t, kafka.New(), addr), "orders", func() { once.Do(cluster.Close) }, "stopped answering"}
		}},
		{"rabbitmq connection cut", func(t *testing.T) broker {
			provider := openBroker(t, amqp.New(), testenv.AMQPURL(t))
			proxied, p := testenv.ProxiedAMQPURL(t)
			key := "commbench.lost." + uuid.NewString()
			return broker{[]string{"--amqp-url", proxied, "--message-route", "order=amqp://amq.topic/" + key},
				provider, "amq.topic/" + key, func() { p.Cut() }, "connection lost"}
		}},
	}
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-lifecycle-v4.json")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.setup(t)
			publish := messagetest.PublishOnPost(b.provider, func() *drivers.Message {
				return &drivers.Message{Route: b.route, ContentType: "application/json", Headers: map[string][]string{"eventType": {"OrderCreated"}},
					Body: []byte(`{"orderId":"o-3","total":3,"items":[{"sku":"X","qty":1}]}`)}
			})
			states := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var sc struct{ State string }
				_ = json.NewDecoder(r.Body).Decode(&sc)
				if sc.State == "an order is shipped" {
					b.lose()
					fmt.Fprint(w, "{}")
					return
				}
				publish.ServeHTTP(w, r)
			}))
			defer states.Close()
			out := filepath.Join(t.TempDir(), "results.json")
			args := append([]string{"verify", "--pact", pact, "--state-change-url", states.URL, "--message-timeout", "500ms", "--json", out}, b.flags...)
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != 3 || !strings.Contains(stderr, b.want) {
				t.Fatalf("exit %d, want 3 and %q\n%s\n%s", code, b.want, stdout, stderr)
			}
			t.Log(strings.TrimSpace(stderr))
			f := mustReadResults(t, out)
			if f.Run.Interrupted || f.Run.Error == "" || len(f.Verification.Interactions) != 2 || f.Verification.Interactions[0].Status != results.StatusPassed || // stopped, not interrupted
				f.Verification.Interactions[1].Status != results.StatusError {
				t.Fatalf("results: %+v %+v", f.Run, f.Verification.Interactions)
			}
		})
	}
}

func TestVerifyHTTPMessageModeCLI(t *testing.T) {
	tests := []struct {
		name, body string
		code       int
	}{
		{"correct", `{"orderId":"o-2","total":1,"items":[{"sku":"C","qty":1}]}`, 0},
		{"wrong field type", `{"orderId":"o-2","total":1,"items":[{"sku":"C","qty":1.5}]}`, 1},
	}
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Pact-Message-Metadata", "eyJldmVudFR5cGUiOiJPcmRlckNyZWF0ZWQifQ==") // {"eventType":"OrderCreated"}
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--message-provider-url", srv.URL, "--no-color")
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			if tc.code == 1 && !strings.Contains(stdout, "$.items[0].qty") {
				t.Errorf("no qty mismatch:\n%s", stdout)
			}
		})
	}
}
