package verifier_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/contracts/verifier/messagetest"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/tcpproxy"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// orderEvent is the provider's "order created" message in its correct and broken variants.
func orderEvent(route, variant string) *drivers.Message {
	m := &drivers.Message{Route: route, ContentType: "application/json", Key: []byte("o-1"),
		Headers: map[string][]string{"eventType": {"OrderCreated"}},
		Body:    []byte(`{"orderId":"o-9","total":99.9,"items":[{"sku":"B-2","qty":5}]}`)}
	switch variant {
	case "wrong field type":
		m.Body = []byte(`{"orderId":"o-9","total":"99.9","items":[{"sku":"B-2","qty":5}]}`)
	case "missing header":
		m.Headers = nil
	case "wrong header value":
		m.Headers["eventType"] = []string{"order-created"}
	}
	return m
}

func loadPact(t *testing.T, path string) []*contracts.Pact {
	t.Helper()
	ps, err := contracts.Load(context.Background(), path, contracts.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func open(t *testing.T, d drivers.Driver, address string) drivers.Conn {
	t.Helper()
	c, err := d.Open(context.Background(), drivers.Target{Address: address, ConnectTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func rule(t *testing.T, s string) verifier.RouteRule {
	t.Helper()
	r, err := verifier.ParseRouteRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// asyncCase is one provider behaviour and the verification outcome it must give.
type asyncCase struct {
	name, variant string
	wrongRoute    bool
	status        string
	want          []string // substrings of the mismatch messages and paths
}

var asyncCases = []asyncCase{
	{name: "correct", variant: "correct", status: results.StatusPassed},
	{name: "wrong field type", variant: "wrong field type", status: results.StatusFailed, want: []string{"$.total", "does not match"}},
	{name: "missing header", variant: "missing header", status: results.StatusFailed, want: []string{"eventType", "missing"}},
	{name: "wrong header value", variant: "wrong header value", status: results.StatusFailed, want: []string{"eventType", "order-created"}},
	{name: "wrong route", variant: "correct", wrongRoute: true, status: results.StatusFailed, want: []string{"no message on", "within 400ms"}},
}

// runAsync verifies the order-events pact with a provider that publishes on state setup through
// pub to route (or wrongRoute), checking the outcome.
func runAsync(t *testing.T, tc asyncCase, mc verifier.MessageConfig, pub drivers.Publisher, route, wrongRoute string) {
	t.Helper()
	to := route
	if tc.wrongRoute {
		to = wrongRoute
	}
	states := httptest.NewServer(messagetest.PublishOnPost(pub, func() *drivers.Message { return orderEvent(to, tc.variant) }))
	defer states.Close()
	// A message that never comes costs the whole timeout, so only the wrong-route case waits
	// briefly; the others get a timeout a loaded CI machine cannot miss.
	mc.Timeout = 10 * time.Second
	if tc.wrongRoute {
		mc.Timeout = 400 * time.Millisecond
	}
	pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
	v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(mc), StateChangeURL: states.URL}, pacts)
	if err != nil {
		t.Fatal(err)
	}
	checkOutcome(t, v, tc.status, tc.want)
}

func checkOutcome(t *testing.T, v *results.Verification, status string, want []string) {
	t.Helper()
	if len(v.Interactions) != 1 {
		t.Fatalf("%d interactions verified, want 1", len(v.Interactions))
	}
	r := v.Interactions[0]
	var text strings.Builder
	text.WriteString(r.Reason)
	for _, m := range r.Mismatches {
		text.WriteString("\n" + m.Category + " " + m.Path + ": " + m.Message)
	}
	if r.Status != status {
		t.Fatalf("status %s, want %s:%s", r.Status, status, text.String())
	}
	for _, w := range want {
		if !strings.Contains(text.String(), w) {
			t.Errorf("mismatches lack %q:%s", w, text.String())
		}
	}
}

func TestAsyncMessagesOnKafka(t *testing.T) {
	_, addr := kafkatest.NewCluster(t, 2, 3, "orders", "orders.other")
	conn := open(t, kafka.New(), addr).(verifier.BrokerConn)
	provider := open(t, kafka.New(), addr).(drivers.Publisher)
	for _, tc := range asyncCases {
		t.Run(tc.name, func(t *testing.T) {
			mc := verifier.MessageConfig{Kafka: conn, Routes: []verifier.RouteRule{rule(t, "^an order created=kafka://orders")}}
			runAsync(t, tc, mc, provider, "orders", "orders.other")
		})
	}
}

func TestAsyncMessagesOnRabbitMQ(t *testing.T) {
	url := testenv.AMQPURL(t)
	conn := open(t, amqp.New(), url).(verifier.BrokerConn)
	provider := open(t, amqp.New(), url).(drivers.Publisher)
	key := "commbench.verify." + uuid.NewString()
	for _, tc := range asyncCases {
		t.Run(tc.name, func(t *testing.T) {
			mc := verifier.MessageConfig{AMQP: conn, Routes: []verifier.RouteRule{rule(t, "order created=amqp://amq.topic/"+key+".created")}}
			runAsync(t, tc, mc, provider, "amq.topic/"+key+".created", "amq.topic/"+key+".deleted")
		})
	}
}

// TestProviderPublishingBeforeVerifyIsSeen proves the Preparer ordering: the provider publishes
// while its state is set up, before VerifyMessage would run; without Prepare subscribing first a
// subscription from the end offsets would miss the message.
func TestProviderPublishingBeforeVerifyIsSeen(t *testing.T) {
	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	conn := open(t, kafka.New(), addr).(verifier.BrokerConn)
	provider := open(t, kafka.New(), addr).(drivers.Publisher)
	m := verifier.NewMessages(verifier.MessageConfig{Kafka: conn, Timeout: 300 * time.Millisecond,
		Routes: []verifier.RouteRule{rule(t, "order=kafka://orders")}})
	pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
	in := pacts[0].Interactions[0]

	// Direct call without Prepare: the message published beforehand is not seen.
	done := make(chan error, 1)
	_ = provider.Publish(context.Background(), orderEvent("orders", "correct"), func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mis, err := m.VerifyMessage(context.Background(), pacts[0], in, nil)
	if err != nil || len(mis) == 0 || !strings.Contains(mis[0].Message, "no message on kafka://orders") {
		t.Fatalf("a message published before subscribing was matched: %v %+v", err, mis)
	}

	// Prepare, then publish (the state setup), then Verify: seen.
	pr, err := m.Prepare(context.Background(), pacts[0], in)
	if err != nil || pr == nil {
		t.Fatalf("prepare: %v %v", pr, err)
	}
	defer pr.Close()
	_ = provider.Publish(context.Background(), orderEvent("orders", "correct"), func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if mis, err := pr.Verify(context.Background(), nil); err != nil || len(mis) > 0 {
		t.Fatalf("prepared verification: %v %+v", err, mis)
	}
}

func TestRequestReplyRealPact(t *testing.T) {
	pactFile := testenv.SharedFile(t, "real-pacts", "kafka-request-reply.json")
	answers := map[string]string{
		"correct":          `{"name":"321dcba"}`,
		"wrong field type": `{"name":321}`,
	}
	brokers := []struct {
		name  string
		setup func(t *testing.T) (verifier.MessageConfig, messagetest.Conn, string, bool)
	}{
		{"kafka", func(t *testing.T) (verifier.MessageConfig, messagetest.Conn, string, bool) {
			_, addr := kafkatest.NewCluster(t, 1, 1, "requests", "requests.reply")
			c := open(t, kafka.New(), addr).(verifier.BrokerConn)
			return verifier.MessageConfig{Kafka: c, Routes: []verifier.RouteRule{rule(t, "a test message=kafka://requests")}},
				open(t, kafka.New(), addr).(messagetest.Conn), "requests", true
		}},
		{"rabbitmq", func(t *testing.T) (verifier.MessageConfig, messagetest.Conn, string, bool) {
			url := testenv.AMQPURL(t)
			key := "commbench.rpc." + uuid.NewString()
			c := open(t, amqp.New(), url).(verifier.BrokerConn)
			return verifier.MessageConfig{AMQP: c, Routes: []verifier.RouteRule{rule(t, "a test message=amqp://amq.direct/"+key)}},
				open(t, amqp.New(), url).(messagetest.Conn), "amq.direct/" + key, false
		}},
	}
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			mc, provider, route, isKafka := b.setup(t)
			mc.Timeout = 2 * time.Second
			var (
				mu                 sync.Mutex
				answer, gotRequest string
			)
			sub, err := messagetest.Reply(context.Background(), provider, route, isKafka, func(req *drivers.Message) *drivers.Message {
				mu.Lock()
				defer mu.Unlock()
				gotRequest = string(req.Body)
				return &drivers.Message{ContentType: "application/json", Body: []byte(answer)}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			for _, variant := range []string{"correct", "wrong field type"} {
				mu.Lock()
				answer = answers[variant]
				mu.Unlock()
				v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(mc)}, loadPact(t, pactFile))
				if err != nil {
					t.Fatal(err)
				}
				if variant == "correct" {
					checkOutcome(t, v, results.StatusPassed, nil)
					mu.Lock()
					req := gotRequest
					mu.Unlock()
					if req != `{"name":"abcd123"}` {
						t.Errorf("provider received %q", req)
					}
				} else {
					checkOutcome(t, v, results.StatusFailed, []string{"$.name"})
				}
			}
		})
	}
}

func TestHTTPMessageMode(t *testing.T) {
	meta := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, body, metadata string
		status               string
		want                 []string
	}{
		{"correct", `{"orderId":"o-2","total":1,"items":[{"sku":"C","qty":1}]}`, meta(`{"eventType":"OrderCreated"}`), results.StatusPassed, nil},
		{"wrong field type", `{"orderId":2,"total":1,"items":[{"sku":"C","qty":1}]}`, meta(`{"eventType":"OrderCreated"}`), results.StatusFailed, []string{"$.orderId"}},
		{"missing metadata", `{"orderId":"o-2","total":1,"items":[{"sku":"C","qty":1}]}`, "", results.StatusFailed, []string{"eventType"}},
		{"metadata not base64", `{"orderId":"o-2","total":1,"items":[{"sku":"C","qty":1}]}`, "{{{", results.StatusFailed, []string{"not base64 JSON"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotc := make(chan string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				gotc <- string(b)
				w.Header().Set("Content-Type", "application/json")
				if tc.metadata != "" {
					w.Header().Set("Pact-Message-Metadata", tc.metadata)
				}
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
			v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(verifier.MessageConfig{ProviderURL: srv.URL})}, pacts)
			if err != nil {
				t.Fatal(err)
			}
			checkOutcome(t, v, tc.status, tc.want)
			got := <-gotc
			if !strings.Contains(got, `"description":"an order created event"`) || !strings.Contains(got, `"name":"an order is created"`) {
				t.Errorf("provider received %s", got)
			}
		})
	}
}

// TestNoRouteFailsUnlessSkipped (issue 14, difference 10): a message interaction with no route
// or no broker is an error, unless its transport is skipped explicitly.
func TestNoRouteFailsUnlessSkipped(t *testing.T) {
	pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	conn := open(t, kafka.New(), addr).(verifier.BrokerConn)
	tests := []struct {
		name string
		mc   verifier.MessageConfig
		want string
	}{
		{"no rule matches", verifier.MessageConfig{Kafka: conn, Routes: []verifier.RouteRule{rule(t, "^cancelled=kafka://orders")}}, "no --message-route matches"},
		{"broker not given", verifier.MessageConfig{Kafka: conn, Routes: []verifier.RouteRule{rule(t, "order=amqp://amq.topic/x")}}, "no --amqp-url was given"},
	}
	for _, tc := range tests {
		for _, skip := range [][]string{nil, {"message"}, {"amqp"}} {
			status, want := results.StatusError, []string{tc.want, "--skip-transport"}
			if len(skip) > 0 && (skip[0] == "message" || strings.Contains(tc.want, "amqp")) {
				status, want = results.StatusSkipped, []string{tc.want, "skipped"}
			}
			t.Run(tc.name+" skip "+strings.Join(skip, ","), func(t *testing.T) {
				v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(tc.mc), SkipTransports: skip}, pacts)
				if err != nil {
					t.Fatal(err)
				}
				checkOutcome(t, v, status, want)
			})
		}
	}
}

func TestMissingTopicIsAClearError(t *testing.T) {
	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	conn := open(t, kafka.New(), addr).(verifier.BrokerConn)
	mc := verifier.MessageConfig{Kafka: conn, Timeout: 300 * time.Millisecond, Routes: []verifier.RouteRule{rule(t, "order=kafka://no-such-topic")}}
	pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
	v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(mc)}, pacts)
	if err != nil {
		t.Fatalf("a missing topic stopped the run: %v", err)
	}
	checkOutcome(t, v, results.StatusError, []string{"no-such-topic", "--create-topics"})
}

// TestAMQPConnectionLostStopsTheRun: once the AMQP connection is lost (cut on the network by a
// proxy in front of RabbitMQ), subscribing and requesting fail with drivers.ErrUnreachable, which
// stops the run with the interaction reported as an error.
func TestAMQPConnectionLostStopsTheRun(t *testing.T) {
	u, err := url.Parse(testenv.AMQPURL(t))
	if err != nil {
		t.Fatal(err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5672")
	}
	tests := []struct {
		name, pact, route string
	}{
		{"asynchronous message (subscribe)", filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"), "order created=amqp://amq.topic/"},
		{"synchronous message (request)", testenv.SharedFile(t, "real-pacts", "kafka-request-reply.json"), "a test message=amqp://amq.direct/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tcpproxy.Start(nil, upstream)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			proxied := *u
			proxied.Host = p.Addr()
			conn := open(t, amqp.New(), proxied.String()).(verifier.BrokerConn)
			p.Cut()
			mc := verifier.MessageConfig{AMQP: conn, Timeout: 2 * time.Second,
				Routes: []verifier.RouteRule{rule(t, tc.route+"commbench.lost."+uuid.NewString())}}
			v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(mc)}, loadPact(t, tc.pact))
			if !errors.Is(err, drivers.ErrUnreachable) || !strings.Contains(err.Error(), "connection lost") {
				t.Fatalf("err = %v, want drivers.ErrUnreachable saying the connection was lost", err)
			}
			if len(v.Interactions) != 1 || v.Interactions[0].Status != results.StatusError {
				t.Fatalf("interactions: %+v", v.Interactions)
			}
		})
	}
}

// TestEveryMessageMustMatch (issue 14, difference 9): a provider that publishes a broken message
// among correct ones fails, whether the broken one comes first or after a correct one; with
// FirstMatch the first matching message passes, as before.
func TestEveryMessageMustMatch(t *testing.T) {
	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	conn := open(t, kafka.New(), addr).(verifier.BrokerConn)
	provider := open(t, kafka.New(), addr).(drivers.Publisher)
	pacts := loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata/pacts/messages/order-events-v4.json"))
	for _, tc := range []struct {
		name       string
		sequence   []string
		firstMatch bool
		status     string
	}{
		{"all correct", []string{"correct", "correct", "correct"}, false, results.StatusPassed},
		{"one in three broken", []string{"correct", "wrong field type", "correct"}, false, results.StatusFailed},
		{"broken first", []string{"wrong field type", "correct"}, false, results.StatusFailed},
		{"one in three broken, first match", []string{"correct", "wrong field type", "correct"}, true, results.StatusPassed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			states := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, variant := range tc.sequence {
					done := make(chan error, 1)
					if err := provider.Publish(r.Context(), orderEvent("orders", variant), func(err error) { done <- err }); err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
						return
					}
					if err := <-done; err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
						return
					}
				}
			}))
			defer states.Close()
			mc := verifier.MessageConfig{Kafka: conn, Timeout: 10 * time.Second, FirstMatch: tc.firstMatch, Settle: 2 * time.Second,
				Routes: []verifier.RouteRule{rule(t, "order=kafka://orders")}}
			v, err := verifier.Verify(context.Background(), verifier.Config{Messages: verifier.NewMessages(mc), StateChangeURL: states.URL}, pacts)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if tc.status == results.StatusFailed {
				want = []string{"$.total", "does not match", "--message-first-match"}
			}
			checkOutcome(t, v, tc.status, want)
		})
	}
}
