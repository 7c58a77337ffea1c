package amqp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/internal/testenv"
)

var nameSeq atomic.Int64

// unique returns a name no other test run uses, so tests can share the broker.
func unique(prefix string) string {
	return fmt.Sprintf("commbench.test.%s.%d.%d", prefix, time.Now().UnixNano(), nameSeq.Add(1))
}

func open(t testing.TB, opts map[string]string) *Conn {
	t.Helper()
	conn, err := New().Open(context.Background(), drivers.Target{Address: testenv.AMQPURL(t), Options: opts, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn.(*Conn)
}

// deleteExchange removes an exchange a test declared.
func deleteExchange(t testing.TB, c *Conn, names ...string) {
	t.Cleanup(func() {
		_ = c.withChannel(func(ch *amqp091.Channel) error {
			for _, n := range names {
				_ = ch.ExchangeDelete(n, false, false)
			}
			return nil
		})
	})
}

func TestPublishSubscribeCarriesProperties(t *testing.T) {
	c := open(t, map[string]string{"declare": "true"})
	ex := unique("props")
	deleteExchange(t, c, ex)
	got := drivertest.Collect(t, c, drivers.Subscription{Route: ex + "/order.created"})
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	in := &drivers.Message{
		Route: ex + "/order.created", Body: []byte(`{"id":1}`), ContentType: "application/json",
		Headers: map[string][]string{"someKey": {"someString"}, "multi": {"a", "b"}},
		Properties: map[string]string{"message_id": "m-1", "correlation_id": "c-1", "reply_to": "replies",
			"persistent": "true", "timestamp": ts.Format(time.RFC3339), "type": "OrderCreated", "app_id": "shop"},
	}
	done := make(chan error, 1)
	if err := c.Publish(context.Background(), in, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("confirm: %v", err)
	}
	m := drivertest.Receive(t, got)
	if string(m.Body) != `{"id":1}` || m.ContentType != "application/json" || m.Route != ex+"/order.created" {
		t.Errorf("body/content type/route = %q %q %q", m.Body, m.ContentType, m.Route)
	}
	if !m.Time.Equal(ts) {
		t.Errorf("Time = %v, want %v", m.Time, ts)
	}
	if m.Header("somekey") != "someString" || strings.Join(m.Headers["multi"], ",") != "a,b" {
		t.Errorf("headers = %v", m.Headers)
	}
	want := map[string]string{"message_id": "m-1", "correlation_id": "c-1", "reply_to": "replies", "delivery_mode": "2",
		"exchange": ex, "routing_key": "order.created", "redelivered": "false", "type": "OrderCreated", "app_id": "shop"}
	for k, v := range want {
		if m.Properties[k] != v {
			t.Errorf("property %s = %q, want %q", k, m.Properties[k], v)
		}
	}
}

func TestPublisherConfirmsEveryMessage(t *testing.T) {
	c := open(t, map[string]string{"declare": "true", "max_in_flight": "16"})
	ex := unique("confirms")
	deleteExchange(t, c, ex)
	got := drivertest.Collect(t, c, drivers.Subscription{Route: ex + "/#", AutoAck: true})
	const n = 500
	var acked, failed atomic.Int64
	for i := range n {
		err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/k", Body: []byte(fmt.Sprint(i))}, func(err error) {
			if err != nil {
				failed.Add(1)
			} else {
				acked.Add(1)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if acked.Load() != n || failed.Load() != 0 {
		t.Fatalf("acked %d failed %d, want %d acked", acked.Load(), failed.Load(), n)
	}
	for i := range n {
		if m := drivertest.Receive(t, got); string(m.Body) != fmt.Sprint(i) {
			t.Fatalf("message %d has body %q: out of order", i, m.Body)
		}
	}
}

func TestMandatoryUnroutableIsReturnedAndCounted(t *testing.T) {
	c := open(t, map[string]string{"declare": "true", "mandatory": "true"})
	ex := unique("mandatory")
	deleteExchange(t, c, ex)
	drivertest.Collect(t, c, drivers.Subscription{Route: ex + "/bound", AutoAck: true})
	results := make([]error, 4)
	var wg sync.WaitGroup
	for i, key := range []string{"bound", "nowhere", "bound", "nowhere"} {
		wg.Add(1)
		if err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/" + key}, func(err error) { results[i] = err; wg.Done() }); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, err := range results {
		if returned := errors.Is(err, ErrReturned); returned != (i%2 == 1) {
			t.Errorf("message %d: err = %v", i, err)
		}
	}
	if c.Returned() != 2 {
		t.Errorf("Returned() = %d, want 2", c.Returned())
	}
	if err := results[1]; err == nil || !strings.Contains(err.Error(), "NO_ROUTE") {
		t.Errorf("returned error lacks the reply text: %v", err)
	}
}

func TestMissingExchangeOrQueueSaysDeclare(t *testing.T) {
	c := open(t, nil)
	ex := unique("missing")
	for name, run := range map[string]func() error{
		"publish": func() error { return c.Publish(context.Background(), &drivers.Message{Route: ex + "/k"}, nil) },
		"subscribe": func() error {
			_, err := c.Subscribe(context.Background(), drivers.Subscription{Route: ex + "/k"}, nil)
			return err
		},
		"subscribe queue": func() error {
			_, err := c.Subscribe(context.Background(), drivers.Subscription{Route: "queue:" + ex}, nil)
			return err
		},
		"request": func() error {
			_, err := c.Request(context.Background(), &drivers.Message{Route: ex + "/k"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := run()
			if err == nil || !strings.Contains(err.Error(), "404 NOT_FOUND") || !strings.Contains(err.Error(), "--declare") {
				t.Fatalf("err = %v, want 404 NOT_FOUND and a hint at --declare", err)
			}
			var ae *amqp091.Error
			if !errors.As(err, &ae) || ae.Code != 404 {
				t.Errorf("errors.As *amqp091.Error: %v", ae)
			}
		})
	}
	// The connection is still usable after the failed checks.
	if err := c.Publish(context.Background(), &drivers.Message{Route: "amq.topic/x"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestChannelClosedMidRunFailsPendingWithReplyCode(t *testing.T) {
	c := open(t, map[string]string{"declare": "true"})
	ex := unique("deleted")
	if err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/k"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.withChannel(func(ch *amqp091.Channel) error { return ch.ExchangeDelete(ex, false, false) }); err != nil {
		t.Fatal(err)
	}
	// The exchange is cached as existing, so the publish goes out and the broker closes the channel.
	errc := make(chan error, 1)
	if err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/k"}, func(err error) { errc <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "404 NOT_FOUND") || !strings.Contains(err.Error(), ex) {
			t.Fatalf("done err = %v, want the broker's 404 NOT_FOUND naming the exchange", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pending publish not failed within 5s of the channel closing")
	}
	// A later publish opens a new channel.
	if err := c.Publish(context.Background(), &drivers.Message{Route: "amq.topic/x"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNamedQueueDeclaredAndBound(t *testing.T) {
	for _, qt := range []string{"classic", "quorum"} {
		t.Run(qt, func(t *testing.T) {
			ex, q := unique("named"), unique("queue-"+qt)
			c := open(t, map[string]string{"declare": "true", "queue_type": qt, "bind": ex + "/orders.*"})
			deleteExchange(t, c, ex)
			t.Cleanup(func() {
				_ = c.withChannel(func(ch *amqp091.Channel) error { _, err := ch.QueueDelete(q, false, false, false); return err })
			})
			got := drivertest.Collect(t, c, drivers.Subscription{Route: "queue:" + q, Prefetch: 5})
			if err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/orders.new", Body: []byte("x")}, nil); err != nil {
				t.Fatal(err)
			}
			if m := drivertest.Receive(t, got); string(m.Body) != "x" || m.Properties["routing_key"] != "orders.new" {
				t.Fatalf("got %q via %q", m.Body, m.Properties["routing_key"])
			}
			var args amqp091.Table
			_ = c.withChannel(func(ch *amqp091.Channel) error {
				// Redeclaring with the other type fails with 406: proof of the declared type.
				other := map[string]string{"classic": "quorum", "quorum": "classic"}[qt]
				_, err := ch.QueueDeclare(q, true, false, false, false, amqp091.Table{"x-queue-type": other})
				var ae *amqp091.Error
				if !errors.As(err, &ae) || ae.Code != 406 {
					t.Errorf("redeclare as %s: %v, want 406", other, err)
				}
				return nil
			})
			_ = args
		})
	}
}

func TestHandlerErrorNacksWithRequeue(t *testing.T) {
	c := open(t, map[string]string{"declare": "true"})
	ex := unique("nack")
	deleteExchange(t, c, ex)
	got := make(chan *drivers.Message, 10)
	var calls atomic.Int64
	sub, err := c.Subscribe(context.Background(), drivers.Subscription{Route: ex + "/k"}, func(m *drivers.Message) error {
		got <- m
		if calls.Add(1) == 1 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(context.Background(), &drivers.Message{Route: ex + "/k", Body: []byte("again")}, nil); err != nil {
		t.Fatal(err)
	}
	first, second := drivertest.Receive(t, got), drivertest.Receive(t, got)
	if first.Properties["redelivered"] != "false" || second.Properties["redelivered"] != "true" || string(second.Body) != "again" {
		t.Fatalf("first %v second %v: want a requeued redelivery", first.Properties, second.Properties)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		t.Fatalf("a third delivery after the ack: %v", m.Properties)
	case <-time.After(200 * time.Millisecond):
	}
}

// replier answers requests on queue q by echoing the body upper-cased to the reply-to address.
func replier(t *testing.T, c *Conn, route string) {
	t.Helper()
	collectFn := func(m *drivers.Message) error {
		return c.Publish(context.Background(), &drivers.Message{
			Route: "/" + m.Properties["reply_to"], Body: []byte(strings.ToUpper(string(m.Body))),
			Properties: map[string]string{"correlation_id": m.Properties["correlation_id"]},
		}, nil)
	}
	sub, err := c.Subscribe(context.Background(), drivers.Subscription{Route: route}, collectFn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
}

func TestRequestReplyWithDirectReplyTo(t *testing.T) {
	c := open(t, map[string]string{"declare": "true"})
	ex := unique("rpc")
	deleteExchange(t, c, ex)
	replier(t, open(t, map[string]string{"declare": "true"}), ex+"/rpc.upper")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			body := fmt.Sprintf("req-%d", i)
			resp, err := c.Request(context.Background(), &drivers.Message{Route: ex + "/rpc.upper", Body: []byte(body)})
			if err != nil {
				t.Error(err)
				return
			}
			if string(resp.Body) != strings.ToUpper(body) || resp.Properties["correlation_id"] == "" {
				t.Errorf("reply %q (%v) to %q", resp.Body, resp.Properties, body)
			}
		})
	}
	wg.Wait()
	// Nobody consumes this routing key: the mandatory request comes back at once.
	start := time.Now()
	_, err := c.Request(context.Background(), &drivers.Message{Route: ex + "/rpc.nobody"})
	if !errors.Is(err, ErrReturned) || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %s, want ErrReturned at once", err, time.Since(start))
	}
}

// silentListener accepts connections and never speaks, like a stuck broker.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	return ln.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestOpenErrors(t *testing.T) {
	good := testenv.AMQPURL(t)
	host := strings.TrimSuffix(good[strings.LastIndex(good, "@")+1:], "/")
	env := map[string]string{"AMQP_PASS": "guest", "WRONG": "s3cr3t-wrong"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct {
		name    string
		target  drivers.Target
		is      error
		want    string
		elapsed time.Duration
	}{
		{name: "env credentials", target: drivers.Target{Address: "amqp://guest:${AMQP_PASS}@" + host + "/"}},
		{name: "refused port", target: drivers.Target{Address: "amqp://" + closedPort(t) + "/"}, is: drivers.ErrUnreachable, want: "connection refused"},
		{name: "silent peer", target: drivers.Target{Address: "amqp://" + silentListener(t) + "/", ConnectTimeout: 300 * time.Millisecond},
			is: drivers.ErrUnreachable, want: "no AMQP handshake within 300ms", elapsed: 2 * time.Second},
		{name: "wrong password", target: drivers.Target{Address: "amqp://guest:${WRONG}@" + host + "/"}, is: drivers.ErrAuth, want: "wrong username or password"},
		{name: "target credentials override", target: drivers.Target{Address: "amqp://" + host + "/", Username: "guest", Password: "s3cr3t-wrong"}, is: drivers.ErrAuth, want: `user "guest"`},
		{name: "unknown vhost", target: drivers.Target{Address: "amqp://guest:guest@" + host + "/nope-vhost"}, is: drivers.ErrAuth, want: "vhost"},
		{name: "unset variable", target: drivers.Target{Address: "amqp://guest:${NOPE}@" + host + "/"}, want: "${NOPE} is not set"},
		{name: "unknown option", target: drivers.Target{Address: good, Options: map[string]string{"acks": "all"}}, want: `unknown option "acks" (known: bind, confirm`},
		{name: "bad option value", target: drivers.Target{Address: good, Options: map[string]string{"queue_type": "stream"}}, want: "expected one of classic, quorum"},
		{name: "bind without declare", target: drivers.Target{Address: good, Options: map[string]string{"bind": "ex/k"}}, want: "bind needs declare=true"},
		{name: "not a URI", target: drivers.Target{Address: "http://guest:s3cr3t-wrong@" + host}, want: "not an AMQP URI"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // a refused login takes the broker about 3s to answer
			start := time.Now()
			tc.target.LookupEnv = lookup
			conn, err := New().Open(context.Background(), tc.target)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = conn.Close()
				return
			}
			if err == nil {
				_ = conn.Close()
				t.Fatal("Open succeeded")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("err leaks the password: %v", err)
			}
			if tc.elapsed > 0 && time.Since(start) > tc.elapsed {
				t.Errorf("took %s, want under %s", time.Since(start), tc.elapsed)
			}
		})
	}
}

func TestPublishRejectsBadProperties(t *testing.T) {
	c := open(t, nil)
	for name, props := range map[string]map[string]string{
		"unknown":  {"colour": "red"},
		"priority": {"priority": "high"},
		"mode":     {"delivery_mode": "3"},
		"time":     {"timestamp": "yesterday"},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.Publish(context.Background(), &drivers.Message{Route: "amq.topic/x", Properties: props}, func(error) { t.Error("done called") })
			if err == nil || !strings.Contains(err.Error(), "message property") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestCloseIsIdempotentAndPublishAfterCloseFails(t *testing.T) {
	c := open(t, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(context.Background(), &drivers.Message{Route: "amq.topic/x"}, nil); err == nil {
		t.Fatal("publish after close succeeded")
	}
}
