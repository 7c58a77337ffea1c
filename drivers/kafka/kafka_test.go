package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

func open(t testing.TB, seeds string, opts map[string]string) *Conn {
	t.Helper()
	conn, err := New().Open(context.Background(), drivers.Target{Address: seeds, Options: opts, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn.(*Conn)
}

func nothing(t testing.TB, got <-chan *drivers.Message) {
	t.Helper()
	select {
	case m := <-got:
		t.Fatalf("unexpected message %q at %v", m.Body, m.Properties)
	case <-time.After(300 * time.Millisecond):
	}
}

// publish produces m and waits for its acknowledgement.
func publish(t testing.TB, c *Conn, m *drivers.Message) {
	t.Helper()
	errc := make(chan error, 1)
	if err := c.Publish(context.Background(), m, func(err error) { errc <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestRoundTripCarriesKeyHeadersAndRecordAttributes(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 3, 4, "orders")
	c := open(t, seeds, nil)
	got := drivertest.Collect(t, c, drivers.Subscription{Route: "orders"}) // from the end: nothing older
	before := time.Now().Add(-time.Second)
	publish(t, c, &drivers.Message{Route: "orders", Key: []byte("k1"), Body: []byte(`{"id":1}`), ContentType: "application/json",
		Headers: map[string][]string{"someKey": {"someString"}, "multi": {"a", "b"}}})
	m := drivertest.Receive(t, got)
	if string(m.Key) != "k1" || string(m.Body) != `{"id":1}` || m.ContentType != "application/json" || m.Route != "orders" {
		t.Errorf("key %q body %q content type %q route %q", m.Key, m.Body, m.ContentType, m.Route)
	}
	if m.Header("someKey") != "someString" || strings.Join(m.Headers["multi"], ",") != "a,b" {
		t.Errorf("headers %v", m.Headers)
	}
	if m.Properties["topic"] != "orders" || m.Properties["offset"] != "0" || m.Properties["partition"] == "" {
		t.Errorf("properties %v", m.Properties)
	}
	if m.Time.Before(before) || m.Time.After(time.Now().Add(time.Second)) {
		t.Errorf("Time %v is not the record timestamp", m.Time)
	}
	// Same key, same partition (sticky key partitioner hashes keys).
	publish(t, c, &drivers.Message{Route: "orders", Key: []byte("k1")})
	if m2 := drivertest.Receive(t, got); m2.Properties["partition"] != m.Properties["partition"] {
		t.Errorf("same key went to partitions %s and %s", m.Properties["partition"], m2.Properties["partition"])
	}
}

func TestSubscribePositions(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 1, 2, "events")
	c := open(t, seeds, map[string]string{"partitioner": "manual"})
	old := time.Now().Add(-time.Hour)
	publish(t, c, &drivers.Message{Route: "events", Body: []byte("old"), Properties: map[string]string{"partition": "0", "timestamp": old.Format(time.RFC3339)}})
	publish(t, c, &drivers.Message{Route: "events", Body: []byte("recent"), Properties: map[string]string{"partition": "1"}})
	// Each case publishes "after-<name>" once subscribed, which the later cases see.
	cases := []struct {
		name string
		from string
		want []string
	}{
		{name: "time", from: time.Now().Add(-time.Minute).Format(time.RFC3339), want: []string{"recent"}},
		{name: "start", from: "start", want: []string{"after-time", "old", "recent"}},
		{name: "end", from: "", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := drivertest.Collect(t, c, drivers.Subscription{Route: "events", From: tc.from})
			var bodies []string
			for range tc.want {
				bodies = append(bodies, string(drivertest.Receive(t, got).Body))
			}
			nothing(t, got)
			if strings.Join(sortStrings(bodies), ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", bodies, tc.want)
			}
			// Whatever the start, a record produced after Subscribe returned is received.
			publish(t, c, &drivers.Message{Route: "events", Body: []byte("after-" + tc.name), Properties: map[string]string{"partition": "1"}})
			if m := drivertest.Receive(t, got); string(m.Body) != "after-"+tc.name {
				t.Fatalf("got %q", m.Body)
			}
		})
	}
	if _, err := c.Subscribe(context.Background(), drivers.Subscription{Route: "events", From: "yesterday"}, nil); err == nil || !strings.Contains(err.Error(), "expected start, end or an RFC 3339 time") {
		t.Fatalf("bad From: %v", err)
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestConsumerGroupStartsAtEndAndResumesFromCommits(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 2, 3, "payments")
	c := open(t, seeds, map[string]string{"commit_interval": "100ms"})
	publish(t, c, &drivers.Message{Route: "payments", Body: []byte("before")})
	got := make(chan *drivers.Message, 100)
	handle := func(m *drivers.Message) error { got <- m; return nil }
	sub, err := c.Subscribe(context.Background(), drivers.Subscription{Route: "payments", Group: "g1"}, handle)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		publish(t, c, &drivers.Message{Route: "payments", Key: fmt.Appendf(nil, "k%d", i), Body: fmt.Appendf(nil, "first-%d", i)})
	}
	for range 5 {
		if m := drivertest.Receive(t, got); !strings.HasPrefix(string(m.Body), "first-") {
			t.Fatalf("group from end received %q", m.Body)
		}
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		publish(t, c, &drivers.Message{Route: "payments", Key: fmt.Appendf(nil, "k%d", i), Body: fmt.Appendf(nil, "second-%d", i)})
	}
	sub, err = c.Subscribe(context.Background(), drivers.Subscription{Route: "payments", Group: "g1", From: "start"}, handle)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for range 3 {
		if m := drivertest.Receive(t, got); !strings.HasPrefix(string(m.Body), "second-") {
			t.Fatalf("resumed group received %q, want only records after its commits", m.Body)
		}
	}
	nothing(t, got)
}

func TestTopics(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 1, 1)
	plain := open(t, seeds, nil)
	err := plain.Publish(context.Background(), &drivers.Message{Route: "missing"}, func(error) { t.Error("done called") })
	if err == nil || !strings.Contains(err.Error(), `topic "missing" does not exist`) || !strings.Contains(err.Error(), "--create-topics") {
		t.Fatalf("missing topic: %v", err)
	}
	if _, err := plain.Subscribe(context.Background(), drivers.Subscription{Route: "missing"}, nil); err == nil || !strings.Contains(err.Error(), "--create-topics") {
		t.Fatalf("missing topic subscribe: %v", err)
	}
	creating := open(t, seeds, map[string]string{"create_topics": "true", "topic_partitions": "5", "topic_replication": "1"})
	got := drivertest.Collect(t, creating, drivers.Subscription{Route: "created"})
	publish(t, creating, &drivers.Message{Route: "created", Body: []byte("x")})
	if m := drivertest.Receive(t, got); string(m.Body) != "x" {
		t.Fatalf("got %q", m.Body)
	}
	details, err := creating.adm.ListTopics(context.Background(), "created")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(details["created"].Partitions); n != 5 {
		t.Fatalf("created topic has %d partitions, want 5", n)
	}
}

func TestProducerSettingsRoundTrip(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 3, 3, "t")
	cases := []struct {
		name string
		opts map[string]string
	}{
		{name: "idempotent acks all", opts: map[string]string{"acks": "all", "idempotent": "true"}},
		{name: "acks 1", opts: map[string]string{"acks": "1"}},
		{name: "acks 0", opts: map[string]string{"acks": "0"}},
		{name: "gzip", opts: map[string]string{"compression": "gzip"}},
		{name: "snappy", opts: map[string]string{"compression": "snappy"}},
		{name: "lz4", opts: map[string]string{"compression": "lz4", "linger": "5ms", "batch_bytes": "65536"}},
		{name: "zstd", opts: map[string]string{"compression": "zstd"}},
		{name: "round robin", opts: map[string]string{"partitioner": "round_robin", "max_buffered": "10"}},
	}
	reader := open(t, seeds, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, seeds, tc.opts)
			got := drivertest.Collect(t, reader, drivers.Subscription{Route: "t"})
			var acked atomic.Int64
			const n = 30
			for i := range n {
				if err := c.Publish(context.Background(), &drivers.Message{Route: "t", Body: fmt.Appendf(nil, "%s-%d", tc.name, i)}, func(err error) {
					if err != nil {
						t.Error(err)
					}
					acked.Add(1)
				}); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if acked.Load() != n {
				t.Fatalf("%d acknowledged, want %d", acked.Load(), n)
			}
			parts := map[string]bool{}
			for range n {
				m := drivertest.Receive(t, got)
				if !strings.HasPrefix(string(m.Body), tc.name+"-") {
					t.Fatalf("got %q", m.Body)
				}
				parts[m.Properties["partition"]] = true
			}
			if tc.opts["partitioner"] == "round_robin" && len(parts) != 3 {
				t.Errorf("round robin used partitions %v, want all 3", parts)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	_, seeds := kafkatest.NewCluster(t, 1, 1, "t")
	cases := []struct {
		name string
		opts map[string]string
		want string
	}{
		{name: "idempotent needs acks all", opts: map[string]string{"acks": "1", "idempotent": "true"}, want: "idempotent producer requires acks=all"},
		{name: "unknown", opts: map[string]string{"mandatory": "true"}, want: `unknown option "mandatory" (known: acks, batch_bytes`},
		{name: "compression", opts: map[string]string{"compression": "brotli"}, want: "expected one of none, gzip, snappy, lz4, zstd"},
		{name: "partitions", opts: map[string]string{"consume_partitions": "0,x"}, want: "expected partition numbers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New().Open(context.Background(), drivers.Target{Address: seeds, Options: tc.opts})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	c := open(t, seeds, nil)
	if err := c.Publish(context.Background(), &drivers.Message{Route: "t", Properties: map[string]string{"partition": "0"}}, nil); err == nil || !strings.Contains(err.Error(), "partitioner=manual") {
		t.Fatalf("partition without manual partitioner: %v", err)
	}
}

func TestBrokerProduceErrorSurfacesKafkaCode(t *testing.T) {
	cluster, seeds := kafkatest.NewCluster(t, 2, 2, "t")
	c := open(t, seeds, nil)
	publish(t, c, &drivers.Message{Route: "t"}) // topic known, producer ID set up
	cluster.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		pr := req.(*kmsg.ProduceRequest)
		resp := pr.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range pr.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID // produce v13+ names topics by ID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	errc := make(chan error, 1)
	if err := c.Publish(context.Background(), &drivers.Message{Route: "t", Body: []byte("x")}, func(err error) { errc <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		var ke *kerr.Error
		if !errors.As(err, &ke) || ke.Code != kerr.TopicAuthorizationFailed.Code || !strings.Contains(err.Error(), "TOPIC_AUTHORIZATION_FAILED") || !strings.Contains(err.Error(), "produce to t[") {
			t.Fatalf("err = %v, want TOPIC_AUTHORIZATION_FAILED naming the topic", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("produce error not reported within 5s")
	}
}

func TestSASL(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "plainuser", "plainpass"), kfake.Superuser("SCRAM-SHA-256", "scram256", "pass256"),
		kfake.Superuser("SCRAM-SHA-512", "scram512", "pass512"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	seeds := strings.Join(cluster.ListenAddrs(), ",")
	cases := []struct {
		name, mech, user, pass string
		wantAuthErr            bool
	}{
		{name: "plain", mech: "plain", user: "plainuser", pass: "plainpass"},
		{name: "scram-sha-256", mech: "scram-sha-256", user: "scram256", pass: "pass256"},
		{name: "scram-sha-512", mech: "scram-sha-512", user: "scram512", pass: "pass512"},
		{name: "plain wrong password", mech: "plain", user: "plainuser", pass: "s3cr3t-wrong", wantAuthErr: true},
		{name: "scram wrong password", mech: "scram-sha-256", user: "scram256", pass: "s3cr3t-wrong", wantAuthErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := New().Open(context.Background(), drivers.Target{Address: seeds, Username: tc.user, Password: tc.pass,
				ConnectTimeout: 3 * time.Second, Options: map[string]string{"sasl": tc.mech}})
			if tc.wantAuthErr {
				if !errors.Is(err, drivers.ErrAuth) || !strings.Contains(err.Error(), "wrong username or password") || strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("err = %v, want ErrAuth saying so, without the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			publish(t, conn.(*Conn), &drivers.Message{Route: "t", Body: []byte("authenticated")})
		})
	}
}
