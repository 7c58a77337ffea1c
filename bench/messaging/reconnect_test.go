package messaging

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/tcpproxy"
	"github.com/commbench/commbench/internal/testenv"
)

// proxiedAMQP returns a target for the test broker through a TCP proxy the test can cut.
func proxiedAMQP(t *testing.T) (drivers.Target, *tcpproxy.Proxy) {
	t.Helper()
	addr, p := testenv.ProxiedAMQPURL(t)
	return drivers.Target{Address: addr, ConnectTimeout: time.Second, RequestTimeout: 2 * time.Second}, p
}

// TestAMQPBrokerCutMidRun: publish-consume at 400/s for 1.5 s through a TCP proxy in front of
// the real RabbitMQ; the proxy cuts every connection at 500 ms (the reset 2 s into a
// 5 s run, which passed with 65.9% of publishes failed and no reconnection). Both connections
// are re-established, the run goes on (publishes succeed after the cut), every failed publish is
// counted, nothing vanishes (requests = succeeded + errors, sent = acknowledged + unconfirmed),
// and the default thresholds fail the run. With the proxy closed for good, the run reports that
// the broker could not be reached again (the command's exit 3).
func TestAMQPBrokerCutMidRun(t *testing.T) {
	for _, mode := range []string{"cut", "gone"} {
		t.Run(mode, func(t *testing.T) {
			target, proxy := proxiedAMQP(t)
			run := uuid.NewString()
			route := "amq.topic/commbench.cut." + run
			cfg := Config{Operation: PublishConsume, RunID: run, Route: route, Subscription: drivers.Subscription{Route: route},
				Body: body, ContentType: "application/json", Drain: 500 * time.Millisecond}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			w, err := Open(ctx, amqp.New(), target, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			e, err := bench.New(bench.Config{Rate: 400, Duration: 1500 * time.Millisecond, Drain: time.Second, Workers: w.Workers()}, w.Operation())
			if err != nil {
				t.Fatal(err)
			}
			var before atomic.Int64
			go func() {
				time.Sleep(500 * time.Millisecond)
				before.Store(e.Snapshot().Succeeded)
				if mode == "cut" {
					proxy.Cut()
				} else {
					_ = proxy.Close()
				}
			}()
			began := time.Now()
			wl, runErr := e.Run(ctx)
			if took := time.Since(began); took > 8*time.Second {
				t.Fatalf("run took %v, want about 1.5 s + drain", took)
			}
			succeededBefore := before.Load()
			in := wl.Integrity
			if in == nil || in.ConnectionsLost != 2 {
				t.Fatalf("integrity %+v, want the producer's and the consumer's connections lost", in)
			}
			tot := wl.Totals
			if tot.Errors == 0 || tot.Requests != tot.Succeeded+tot.Errors || in.Sent != in.Acknowledged+in.Unconfirmed {
				t.Fatalf("totals %+v errors %v integrity %+v: want failed publishes counted, nothing vanished", tot, wl.Errors, in)
			}
			if threshold.Evaluate(nil, wl) {
				t.Fatalf("thresholds %+v passed a run that lost its broker", wl.Thresholds)
			}
			switch mode {
			case "cut":
				if runErr != nil || in.Reconnects != 2 || tot.Succeeded <= succeededBefore {
					t.Fatalf("run error %v, reconnects %d, succeeded %d (%d before the cut): want both reconnected and publishing again", runErr, in.Reconnects, tot.Succeeded, succeededBefore)
				}
				if in.Received == 0 || in.Received < in.Acknowledged-in.Lost {
					t.Fatalf("integrity %+v: deliveries after the reconnection not counted", in)
				}
			case "gone":
				if runErr == nil || !strings.Contains(runErr.Error(), "not re-established") || in.Reconnects != 0 {
					t.Fatalf("run error %v, reconnects %d: want the run to report the broker lost for good", runErr, in.Reconnects)
				}
			}
			t.Logf("%s: totals %+v errors %v integrity %+v", mode, tot, wl.Errors, *in)
		})
	}
}

// TestKafkaClusterGoneMidRun: produce-consume at 300/s for 1.5 s on kfake; the cluster stops
// 500 ms in. franz-go retries on its own; the run still ends within duration + drain (+ the
// engine's 1 s grace), every produce that never got its ack is counted (failed or canceled,
// nothing vanishes), and the default thresholds fail the run.
func TestKafkaClusterGoneMidRun(t *testing.T) {
	c, addr := kafkatest.NewCluster(t, 1, 3, "orders")
	run := uuid.NewString()
	cfg := Config{Operation: ProduceConsume, RunID: run, Route: "orders", Subscription: drivers.Subscription{Route: "orders"},
		Body: body, Drain: 300 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := Open(ctx, kafka.New(), drivers.Target{Address: addr, RequestTimeout: time.Second}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e, err := bench.New(bench.Config{Rate: 300, Duration: 1500 * time.Millisecond, Drain: 700 * time.Millisecond, Workers: w.Workers()}, w.Operation())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(500 * time.Millisecond)
		c.Close()
	}()
	began := time.Now()
	wl, _ := e.Run(ctx)
	if took := time.Since(began); took > 8*time.Second {
		t.Fatalf("run took %v, want about 1.5 s + drain", took)
	}
	tot := wl.Totals
	if tot.Errors == 0 || tot.Requests != tot.Succeeded+tot.Errors || wl.Integrity == nil || wl.Integrity.Acknowledged != tot.Succeeded {
		t.Fatalf("totals %+v errors %v integrity %+v: want the unacknowledged produces counted", tot, wl.Errors, wl.Integrity)
	}
	if threshold.Evaluate(nil, wl) {
		t.Fatalf("thresholds %+v passed a run whose cluster went away", wl.Thresholds)
	}
	t.Logf("totals %+v errors %v", tot, wl.Errors)
}
