package messaging

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
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
			f := newFaults()
			for _, s := range tc.drop {
				f.drop[s] = true
			}
			for _, s := range tc.dup {
				f.dup[s] = true
			}
			for _, s := range tc.late {
				f.late[s] = true
			}
			for s, n := range tc.nack {
				f.nack[s] = n
			}
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
