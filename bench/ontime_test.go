package bench

import (
	"context"
	"io"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// countingServer counts the requests it answered with 200 and those it is serving now.
type countingServer struct {
	served, inflight atomic.Int64
	delay            time.Duration
	hang             bool // never answer: wait for the client to go away
}

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	if s.hang {
		<-r.Context().Done()
		return
	}
	time.Sleep(s.delay)
	s.served.Add(1)
	io.WriteString(w, "ok")
}

// TestOpenModelFallsBehindEndsOnTime: 2000/s asked of 4 workers against a target answering in
// 50 ms (80/s at most) for 1 s with a 500 ms drain (the issue's `--rate 2000/s --max-in-flight 4
// --path /slow?ms=50`). The run ends at duration + drain at most (in the synctest bubble, time
// is exact), the sends not made are dropped and counted, the achieved throughput is what the
// server served over the measured time (not the target), and the workload says it fell behind.
func TestOpenModelFallsBehindEndsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &countingServer{delay: 50 * time.Millisecond}
		op := pipeServer(t, srv, 4)
		began := time.Now()
		w := run(t, Config{Rate: 2000, Workers: 4, Duration: time.Second, Drain: 500 * time.Millisecond}, op)
		if took := time.Since(began); took > 1500*time.Millisecond {
			t.Fatalf("run took %v, want at most duration + drain (1.5 s)", took)
		}
		served := srv.served.Load()
		if w.Totals.Succeeded != served || served < 70 || served > 90 {
			t.Fatalf("succeeded %d, server served %d, want the same, about 80", w.Totals.Succeeded, served)
		}
		want := float64(served) / w.DurationS
		if w.RatePerS != 2000 || math.Abs(w.Totals.ThroughputPerS-want) > 0.1*want || w.Totals.ThroughputPerS > 100 {
			t.Fatalf("rate %v throughput %.1f/s over %.3f s, want target 2000 and achieved %.1f/s (server count)", w.RatePerS, w.Totals.ThroughputPerS, w.DurationS, want)
		}
		if w.Totals.Intended != 2000 || w.Totals.Dropped != w.Totals.Intended-w.Totals.Requests || w.Totals.Dropped < 1900 {
			t.Fatalf("intended %d requests %d dropped %d, want 2000 intended and the rest dropped", w.Totals.Intended, w.Totals.Requests, w.Totals.Dropped)
		}
		if !w.FellBehind || w.Behind() == "" {
			t.Fatalf("fell behind %v (%q), want it flagged", w.FellBehind, w.Behind())
		}
		t.Log(w.Behind())
	})
}

// TestOpenModelKeepsUp: a target fast enough for the rate: nothing late or dropped, throughput at
// the target, not flagged.
func TestOpenModelKeepsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &countingServer{delay: time.Millisecond}
		w := run(t, Config{Rate: 200, Workers: 4, Duration: time.Second}, pipeServer(t, srv, 4))
		if w.FellBehind || w.Totals.Dropped != 0 || w.Totals.Late != 0 || w.Totals.Intended != 200 || math.Abs(w.Totals.ThroughputPerS-200) > 2 {
			t.Fatalf("totals %+v fell behind %v, want 200 sends on time at 200/s", w.Totals, w.FellBehind)
		}
	})
}

// TestHangingTargetCanceled: a target that never answers (the issue's `bench rest -c 4 -d 2s
// --drain 1s` that ran into the 30 s request timeout): the run ends at duration + drain, and the
// 4 requests in flight are cancelled and counted as canceled errors, equal to what the server
// had in flight; nothing succeeded.
func TestHangingTargetCanceled(t *testing.T) {
	for _, open := range []bool{false, true} {
		t.Run(map[bool]string{false: "closed", true: "open"}[open], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &countingServer{hang: true}
				op := pipeServer(t, srv, 4)
				cfg := Config{Workers: 4, Duration: time.Second, Drain: 500 * time.Millisecond}
				if open {
					cfg.Rate = 100
				}
				began := time.Now()
				var seen atomic.Int64
				go func() {
					time.Sleep(1400 * time.Millisecond)
					seen.Store(srv.inflight.Load())
				}()
				w := run(t, cfg, op)
				inflight := seen.Load()
				if took := time.Since(began); took > 1500*time.Millisecond {
					t.Fatalf("run took %v, want duration + drain (1.5 s)", took)
				}
				if inflight != 4 || w.Totals.Canceled != inflight || w.Errors[ClassCanceled] != inflight ||
					w.Totals.Requests != inflight || w.Totals.Succeeded != 0 || w.Totals.ErrorRate != 1 {
					t.Fatalf("server had %d in flight; totals %+v errors %v, want them all canceled", inflight, w.Totals, w.Errors)
				}
				if w.Latency != nil || w.FailedLatency == nil || w.FailedLatency.Count != 4 {
					t.Fatalf("latency %+v failed latency %+v, want no success latency and 4 failed", w.Latency, w.FailedLatency)
				}
			})
		})
	}
}

// TestOperationIgnoringCancelCounted: an operation that ignores its context is given one more
// second after the drain, then counted as canceled: it does not vanish.
func TestOperationIgnoringCancelCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		op := OperationFunc(func(context.Context, int, uint64) (int, error) {
			<-release
			return 1, nil
		})
		began := time.Now()
		w := run(t, Config{Workers: 3, Duration: time.Second, Drain: 100 * time.Millisecond}, op)
		close(release) // their late results are left out
		if took := time.Since(began); took > 2100*time.Millisecond {
			t.Fatalf("run took %v, want duration + drain + 1 s", took)
		}
		if w.Totals.Requests != 3 || w.Totals.Canceled != 3 || w.Errors[ClassCanceled] != 3 {
			t.Fatalf("totals %+v errors %v, want 3 canceled", w.Totals, w.Errors)
		}
	})
}

// TestInterruptCancelsInFlight: on cancellation of the run's context (SIGINT) the drain still
// applies, then the operations in flight are counted as canceled; with WithAbort (a second
// SIGINT) the drain is skipped.
func TestInterruptCancelsInFlight(t *testing.T) {
	for _, abort := range []bool{false, true} {
		t.Run(map[bool]string{false: "interrupt", true: "abort"}[abort], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &countingServer{hang: true}
				op := pipeServer(t, srv, 2)
				e, err := New(Config{Workers: 2, Duration: time.Hour, Drain: 10 * time.Second}, op)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				ab := make(chan struct{})
				if abort {
					ctx = WithAbort(ctx, ab)
				}
				go func() {
					time.Sleep(300 * time.Millisecond)
					cancel()
					if abort {
						time.Sleep(100 * time.Millisecond)
						close(ab)
					}
				}()
				began := time.Now()
				w, err := e.Run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				took, want := time.Since(began), 10300*time.Millisecond
				if abort {
					want = 400 * time.Millisecond
				}
				if took != want {
					t.Fatalf("run took %v, want %v", took, want)
				}
				if !w.Interrupted || w.Totals.Canceled != 2 || w.Totals.Requests != 2 {
					t.Fatalf("interrupted %v totals %+v, want the 2 in-flight requests canceled", w.Interrupted, w.Totals)
				}
			})
		})
	}
}

// TestFailureLatencyApart: fast failures (404 at once) do not make the latency look good: the
// latency is of the successes (20 ms), the failures have their own figures.
func TestFailureLatencyApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int64
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1)%2 == 0 {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			time.Sleep(20 * time.Millisecond)
		})
		w := run(t, Config{Workers: 2, Count: 200}, pipeServer(t, h, 2))
		if w.Latency == nil || w.FailedLatency == nil || w.Latency.Count != w.Totals.Succeeded || w.FailedLatency.Count != w.Totals.Errors {
			t.Fatalf("latency %+v failed %+v totals %+v", w.Latency, w.FailedLatency, w.Totals)
		}
		if w.Latency.P50MS < 19.9 || w.Latency.MinMS < 19.9 || w.FailedLatency.MaxMS > 1 {
			t.Fatalf("latency p50 %.3f min %.3f ms, failed max %.3f ms: want successes at 20 ms, failures apart", w.Latency.P50MS, w.Latency.MinMS, w.FailedLatency.MaxMS)
		}
	})
}

// TestNoOperationNotCounted: Do returning ErrNoOperation (a consumer's wait ended with the run)
// records nothing: no phantom canceled error.
func TestNoOperationNotCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op := OperationFunc(func(ctx context.Context, _ int, _ uint64) (int, error) {
			<-ctx.Done()
			return 0, ErrNoOperation
		})
		w := run(t, Config{Workers: 2, Duration: time.Second, Drain: 100 * time.Millisecond}, op)
		if w.Totals.Requests != 0 || w.Totals.Errors != 0 || len(w.Errors) != 0 {
			t.Fatalf("totals %+v errors %v, want nothing counted", w.Totals, w.Errors)
		}
	})
}
