package messaging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// runWorkload opens cfg through d, runs count messages through the engine and returns the figures.
func runWorkload(t *testing.T, d drivers.Driver, target drivers.Target, cfg Config, eng bench.Config) *results.Workload {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := Open(ctx, d, target, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	eng.Workers = w.Workers()
	e, err := bench.New(eng, w.Operation())
	if err != nil {
		t.Fatal(err)
	}
	wl, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return wl
}

func amqpTarget(t *testing.T) drivers.Target {
	return drivers.Target{Address: testenv.AMQPURL(t)}
}

func body(producer int, seq uint64) ([]byte, error) {
	return fmt.Appendf(nil, `{"producer":%d,"seq":%d}`, producer, seq), nil
}

// TestAMQPInjectedFaults runs publish-consume on the real RabbitMQ through a consumer path that
// drops, duplicates, delays and nacks (with requeue) known messages: the reported lost, duplicate
// and out-of-order counts equal the injected ones exactly; redeliveries are duplicates, not out
// of order.
func TestAMQPInjectedFaults(t *testing.T) {
	cases := []struct {
		name                string
		drop, dup, late     []uint64
		nack                map[uint64]int
		lost, dups, ordered int64
	}{
		{name: "clean"},
		{name: "nack with requeue: redeliveries are duplicates", nack: map[uint64]int{3: 1, 100: 2, 1999: 1, 1500: 3}, dups: 7},
		{name: "drop, duplicate and delay", drop: []uint64{0, 700, 1999}, dup: []uint64{5, 6, 1200}, late: []uint64{50, 51, 900},
			lost: 3, dups: 3, ordered: 3},
		{name: "everything at once", drop: []uint64{10}, dup: []uint64{20}, late: []uint64{30}, nack: map[uint64]int{40: 2},
			lost: 1, dups: 3, ordered: 1},
	}
	const count = 2000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFaults(tc.drop, tc.dup, tc.late, tc.nack)
			run := uuid.NewString()
			route := "amq.topic/commbench.test." + run
			cfg := Config{Operation: PublishConsume, RunID: run, Route: route, Subscription: drivers.Subscription{Route: route},
				Body: body, ContentType: "application/json", Drain: 500 * time.Millisecond}
			wl := runWorkload(t, &faultDriver{Driver: amqp.New(), f: f}, amqpTarget(t), cfg, bench.Config{Count: count, Drain: 10 * time.Second})
			in := wl.Integrity
			if in == nil {
				t.Fatal("no integrity figures")
			}
			if in.Sent != count || in.Acknowledged != count || in.Unconfirmed != 0 {
				t.Fatalf("sent %d acknowledged %d unconfirmed %d, want %d, %d, 0", in.Sent, in.Acknowledged, in.Unconfirmed, count, count)
			}
			if in.Lost != tc.lost || in.Duplicates != tc.dups || in.OutOfOrder != tc.ordered || in.Unexpected != 0 {
				t.Fatalf("lost %d duplicates %d out-of-order %d unexpected %d, want %d, %d, %d, 0", in.Lost, in.Duplicates, in.OutOfOrder, in.Unexpected, tc.lost, tc.dups, tc.ordered)
			}
			if in.Received != count-tc.lost+tc.dups {
				t.Fatalf("received %d, want %d", in.Received, count-tc.lost+tc.dups)
			}
			if wl.EndToEnd == nil || wl.EndToEnd.Count != count-tc.lost {
				t.Fatalf("end-to-end latency %+v, want %d samples", wl.EndToEnd, count-tc.lost)
			}
			if wl.Totals.Succeeded != count || wl.Latency == nil {
				t.Fatalf("publish totals %+v", wl.Totals)
			}
		})
	}
}

// TestAMQPCompetingConsumers: 3 producers and 2 consumers sharing one named queue; every
// message arrives once, in order per consumer, and the run reconciles to zero faults.
func TestAMQPCompetingConsumers(t *testing.T) {
	run := uuid.NewString()
	queue := "commbench-test-" + run
	key := "commbench.test." + run
	target := amqpTarget(t)
	target.Options = map[string]string{"declare": "true", "bind": "amq.topic/" + key}
	t.Cleanup(func() { deleteQueue(t, target.Address, queue) })
	cfg := Config{Operation: PublishConsume, RunID: run, Route: "amq.topic/" + key, Subscription: drivers.Subscription{Route: "queue:" + queue},
		Producers: 3, Consumers: 2, Body: body, Drain: time.Second}
	const count = 3000
	wl := runWorkload(t, amqp.New(), target, cfg, bench.Config{Count: count, Drain: 10 * time.Second})
	in := wl.Integrity
	want := results.Integrity{Sent: count, Acknowledged: count, Received: count}
	if *in != want {
		t.Fatalf("integrity %+v, want %+v", *in, want)
	}
}

// TestAMQPReturnedUnroutable: mandatory messages to a routing key nothing is bound to come back;
// they are sent, returned and unconfirmed, and classified as returned errors.
func TestAMQPReturnedUnroutable(t *testing.T) {
	run := uuid.NewString()
	target := amqpTarget(t)
	target.Options = map[string]string{"mandatory": "true"}
	cfg := Config{Operation: Publish, RunID: run, Route: "amq.topic/commbench.unrouted." + run, Body: body,
		IsReturned: func(err error) bool { return errors.Is(err, amqp.ErrReturned) }}
	const count = 200
	wl := runWorkload(t, amqp.New(), target, cfg, bench.Config{Count: count, Drain: 10 * time.Second})
	want := results.Integrity{Sent: count, Unconfirmed: count, Returned: count}
	if *wl.Integrity != want {
		t.Fatalf("integrity %+v, want %+v", *wl.Integrity, want)
	}
	if wl.Errors[bench.ClassReturned] != count {
		t.Fatalf("errors %v, want %d %s", wl.Errors, count, bench.ClassReturned)
	}
}

// TestAMQPConsumeOnly: a consume workload counts deliveries stamped by another run (published
// here straight through the driver) and reports their end-to-end latency.
func TestAMQPConsumeOnly(t *testing.T) {
	run := uuid.NewString()
	route := "amq.topic/commbench.consume." + run
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const count = 500
	w, err := Open(ctx, amqp.New(), amqpTarget(t), Config{Operation: Consume, Subscription: drivers.Subscription{Route: route}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e, err := bench.New(bench.Config{Workers: w.Workers(), Count: count, Drain: 2 * time.Second}, w.Operation())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := amqp.New().Open(ctx, amqpTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pubErr := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond) // the engine's first Do call opens the inbox
		other, _ := integrity.New("another-run")
		p := other.Producer(0)
		for range count {
			h := map[string][]string{}
			p.Next(time.Now(), -1).Apply(h)
			if err := conn.(drivers.Publisher).Publish(ctx, &drivers.Message{Route: route, Headers: h, Body: []byte("{}")}, nil); err != nil {
				pubErr <- err
				return
			}
		}
		pubErr <- conn.(drivers.Publisher).Flush(ctx)
	}()
	wl, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
	if wl.Totals.Succeeded != count || wl.Totals.Bytes != 2*count {
		t.Fatalf("totals %+v, want %d messages of 2 bytes", wl.Totals, count)
	}
	if wl.EndToEnd == nil || wl.EndToEnd.Count < count || wl.Latency != nil {
		t.Fatalf("end-to-end %+v latency %+v, want %d end-to-end samples and no engine latency", wl.EndToEnd, wl.Latency, count)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name, substr string
		cfg          Config
	}{
		{"unknown operation", `operation "send"`, Config{Operation: "send"}},
		{"no route", "route: where to publish", Config{Operation: Publish, RunID: "r"}},
		{"no subscription", "subscription route", Config{Operation: Consume}},
		{"bad run id", "run id", Config{Operation: Produce, Route: "t", RunID: "a b"}},
		{"negative producers", "at least 1", Config{Operation: Produce, Route: "t", RunID: "r", Producers: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.substr)
			}
		})
	}
}

func deleteQueue(t *testing.T, url, queue string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
		t.Logf("cleanup: delete queue %s: %v", queue, err)
	}
}

// TestAMQPBrokerNack: RabbitMQ refuses publishes to a full queue with x-overflow reject-publish
// (basic.nack on the publisher confirm); drivers/amqp wraps drivers.ErrNack, which is
// bench.ErrNack, so exactly the refused messages are counted as broker_nack errors.
func TestAMQPBrokerNack(t *testing.T) {
	url := testenv.AMQPURL(t)
	queue := "commbench.nack." + uuid.NewString()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	const capacity, count = 10, 60
	if _, err := ch.QueueDeclare(queue, false, false, false, false, amqp091.Table{
		"x-max-length": int32(capacity), "x-overflow": "reject-publish", "x-expires": int32(60000)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueue(t, url, queue) })
	cfg := Config{Operation: Publish, RunID: uuid.NewString(), Route: "/" + queue, Body: body}
	wl := runWorkload(t, amqp.New(), amqpTarget(t), cfg, bench.Config{Count: count, Drain: 10 * time.Second})
	if wl.Errors[bench.ClassBrokerNack] != count-capacity || wl.Totals.Succeeded != capacity {
		t.Fatalf("errors %v succeeded %d, want %d %s and %d acknowledged", wl.Errors, wl.Totals.Succeeded, count-capacity, bench.ClassBrokerNack, capacity)
	}
	if !errors.Is(fmt.Errorf("x: %w", drivers.ErrNack), bench.ErrNack) {
		t.Fatal("bench.ErrNack is not drivers.ErrNack")
	}
}
