package messaging

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

// TestAMQPConsumeOnlyIntegrity: a consume-only run on the real RabbitMQ checks the stamped
// messages of one run (the first stamped one's, no --run-id given): producer 0 sends 0 1 2 4 6 5
// 5 (3 missing: a gap; 5 after 6: out of order; 5 twice: a duplicate), producer 1 sends 0 1;
// 3 unstamped messages and 2 of another run are unexpected, not received. The run ends at its
// duration with no phantom canceled error, and every message is in a figure.
func TestAMQPConsumeOnlyIntegrity(t *testing.T) {
	run := uuid.NewString()
	route := "amq.topic/commbench.consume-integrity." + run
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := Open(ctx, amqp.New(), amqpTarget(t), Config{Operation: Consume, Subscription: drivers.Subscription{Route: route}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e, err := bench.New(bench.Config{Workers: w.Workers(), Duration: time.Second, Drain: 300 * time.Millisecond}, w.Operation())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := amqp.New().Open(ctx, amqpTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	type msg struct {
		run      string
		producer uint32
		seq      uint64
		stamped  bool
	}
	var msgs []msg
	for _, s := range []uint64{0, 1, 2, 4, 6, 5, 5} {
		msgs = append(msgs, msg{run, 0, s, true})
	}
	msgs = append(msgs, msg{run, 1, 0, true}, msg{"", 0, 0, false}, msg{run, 1, 1, true}, msg{"another-" + run, 0, 3, true},
		msg{"", 0, 0, false}, msg{"another-" + run, 0, 4, true}, msg{"", 0, 0, false})
	pubErr := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond) // the engine's first Do call opens the inbox
		for _, m := range msgs {
			h := map[string][]string{}
			if m.stamped {
				integrity.Stamp{Run: m.run, Producer: m.producer, Seq: m.seq, Sent: time.Now().UnixNano(), Partition: -1}.Apply(h)
			}
			if err := conn.(drivers.Publisher).Publish(ctx, &drivers.Message{Route: route, Headers: h, Body: []byte("{}")}, nil); err != nil {
				pubErr <- err
				return
			}
		}
		pubErr <- conn.(drivers.Publisher).Flush(ctx)
	}()
	began := time.Now()
	wl, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 6*time.Second {
		t.Fatalf("consume-only run of 1 s took %v", took)
	}
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
	in := wl.Integrity
	if in == nil || in.Received != 9 || in.Duplicates != 1 || in.OutOfOrder != 1 || in.Gaps != 1 || in.Unexpected != 5 || in.Ignored != 0 {
		t.Fatalf("integrity %+v, want 9 received (1 duplicate, 1 out of order), 1 gap, 5 unexpected", in)
	}
	if wl.Totals.Succeeded != 9 || wl.Totals.Errors != 0 || len(wl.Errors) != 0 {
		t.Fatalf("totals %+v errors %v, want the 9 messages of the run received and no error", wl.Totals, wl.Errors)
	}
}

// TestConsumeOnlyEmptyEndsOnTime: consume-only on a queue (real RabbitMQ) or topic (kfake)
// nothing is published to (the issue's `bench amqp|kafka --operation consume -d 2s`, seen
// running after 10 minutes) ends at its duration, with nothing counted: no phantom canceled
// error.
func TestConsumeOnlyEmptyEndsOnTime(t *testing.T) {
	for _, name := range []string{"amqp", "kafka"} {
		t.Run(name, func(t *testing.T) {
			d, target := drivers.Driver(amqp.New()), drivers.Target{}
			route := "amq.topic/commbench.consume-empty." + uuid.NewString()
			if name == "kafka" {
				_, addr := kafkatest.NewCluster(t, 1, 3, "orders")
				d, target, route = kafka.New(), drivers.Target{Address: addr}, "orders"
			} else {
				target = amqpTarget(t)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			w, err := Open(ctx, d, target, Config{Operation: Consume, Subscription: drivers.Subscription{Route: route}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			e, err := bench.New(bench.Config{Workers: w.Workers(), Duration: time.Second, Drain: 500 * time.Millisecond}, w.Operation())
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			wl, err := e.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(began); took > 6*time.Second {
				t.Fatalf("consume-only run of 1 s took %v", took)
			}
			if wl.Totals.Requests != 0 || wl.Totals.Errors != 0 || len(wl.Errors) != 0 || wl.Integrity == nil || wl.Integrity.Received != 0 {
				t.Fatalf("totals %+v errors %v integrity %+v, want nothing counted", wl.Totals, wl.Errors, wl.Integrity)
			}
		})
	}
}
