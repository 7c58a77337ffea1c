package bench

import (
	"context"
	"io"
	"math"
	"math/bits"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/commbench/commbench/results"
)

// httpOp is a test Operation: GET url with a keep-alive client sized for the workers.
func httpOp(t *testing.T, url string, workers int) Operation {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	return httpGet(&http.Client{Transport: tr}, url)
}

// httpGet is a test Operation: GET url, read the body, HTTP status >= 400 is a StatusError.
func httpGet(client *http.Client, url string) Operation {
	return OperationFunc(func(ctx context.Context, _ int, _ uint64) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode >= 400 {
			err = &StatusError{Code: resp.StatusCode}
		}
		return int(n), err
	})
}

// sleepHandler sleeps cycle[n % len(cycle)] for the n-th request (0-based), then answers "ok".
func sleepHandler(cycle []time.Duration) http.Handler {
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(cycle[(n.Add(1)-1)%uint64(len(cycle))])
		io.WriteString(w, "ok")
	})
}

// sleepTarget serves sleepHandler(cycle) on a loopback port.
func sleepTarget(t *testing.T, cycle []time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(sleepHandler(cycle))
	t.Cleanup(srv.Close)
	return srv
}

func run(t *testing.T, cfg Config, op any) *results.Workload {
	t.Helper()
	e, err := New(cfg, op)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// quantile returns the value at quantile q (percent) of vs the way HdrHistogram ranks values:
// the smallest value with at least ceil(q/100 * n) values at or below it.
func quantile(vs []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), vs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(q/100*float64(len(s)) + 0.5)
	if rank < 1 {
		rank = 1
	}
	return s[rank-1]
}

// bucketMS is the width in ms of the HDR bucket holding v ms (1 µs .. 60 s, 3 digits).
func bucketMS(v float64) float64 {
	// 3 significant digits: 2048 sub-buckets, so values in [2^k, 2^(k+1)) for k >= 11 share
	// buckets of 2^(k-10) µs; below 2048 µs each µs is a bucket.
	us := int64(v * 1000)
	if us < 2048 {
		return 0.001
	}
	return float64(int64(1)<<(bits.Len64(uint64(us))-1-10)) / 1000
}

// TestKnownLatencyDistribution: a REST target (net/http server and client over in-memory
// pipes, in a synctest bubble so that sleeps and clocks are exact) sleeps 1 ms, 2 ms, ...
// 100 ms in a fixed cycle. Over whole cycles the reported percentiles equal those of the list
// within one HDR bucket, whatever the load on the machine.
func TestKnownLatencyDistribution(t *testing.T) {
	cycle := make([]time.Duration, 100)
	for i := range cycle {
		cycle[i] = time.Duration(i+1) * time.Millisecond
	}
	synctest.Test(t, func(t *testing.T) {
		const workers = 50
		w := run(t, Config{Workers: workers, Count: 20 * uint64(len(cycle))}, pipeServer(t, sleepHandler(cycle), workers))
		if w.Totals.Requests != 2000 || w.Totals.Errors != 0 {
			t.Fatalf("totals %+v, want 2000 requests without errors (errors %v)", w.Totals, w.Errors)
		}
		for _, tc := range []struct {
			name string
			q    float64
			got  float64
		}{
			{"p50", 50, w.Latency.P50MS},
			{"p90", 90, w.Latency.P90MS},
			{"p99", 99, w.Latency.P99MS},
			{"p99.9", 99.9, w.Latency.P999MS},
		} {
			want := float64(quantile(cycle, tc.q)) / 1e6
			if tol := bucketMS(want); tc.got < want-tol || tc.got > want+tol {
				t.Errorf("%s = %.3f ms, want %.3f ms within one bucket (%.3f ms)", tc.name, tc.got, want, tol)
			}
		}
		if w.Latency.MinMS < 1-bucketMS(1) || w.Latency.MaxMS < 100-bucketMS(100) || w.Latency.MaxMS > 100+bucketMS(100) {
			t.Errorf("min %.3f ms max %.3f ms, want 1 and 100", w.Latency.MinMS, w.Latency.MaxMS)
		}
		if mean := 50.5; math.Abs(w.Latency.MeanMS-mean) > 0.1 {
			t.Errorf("mean %.3f ms, want %.1f", w.Latency.MeanMS, mean)
		}
		if *w.ServiceTime != *w.Latency {
			t.Errorf("closed model: service time %+v differs from latency %+v", w.ServiceTime, w.Latency)
		}
		// 50 workers over a mean of 50.5 ms: 990 requests per second of fake time.
		if w.Totals.ThroughputPerS < 950 || w.Totals.ThroughputPerS > 1000 {
			t.Errorf("throughput %.1f/s, want about 990", w.Totals.ThroughputPerS)
		}
	})
}

// stallHandler answers at once except request number stallAt (0-based), which takes stall.
func stallHandler(stallAt uint64, stall time.Duration) http.Handler {
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)-1 == stallAt {
			time.Sleep(stall)
		}
		io.WriteString(w, "ok")
	})
}

// TestOpenModelStall: at 200/s (one send every 5 ms) over 1.5 s with one worker (one
// connection, as wrk2 with -c1), request 50 (intended at 250 ms) stalls for 1 s; in a synctest
// bubble the figures are exact. The sends intended during the stall all leave at 1250 ms:
// latency from the intended time shows the stall (send i waits 1250 - 5i ms), the service time
// does not (one request of 300 took 1 s: p99 stays at the floor), the schedule delay does, and
// the sends claimed more than one interval late are counted. With a backlog bound of 20, the
// overdue sends beyond it are dropped and counted.
func TestOpenModelStall(t *testing.T) {
	tests := []struct {
		name        string
		backlog     int
		firstAfter  int // first send made after the stall
		wantDropped int64
	}{
		{name: "unbounded backlog", backlog: 1000, firstAfter: 51},
		{name: "backlog of 20 drops", backlog: 20, firstAfter: 231, wantDropped: 180},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				op := pipeServer(t, stallHandler(50, time.Second), 1)
				w := run(t, Config{Rate: 200, Duration: 1500 * time.Millisecond, Workers: 1, MaxBacklog: tt.backlog}, op)
				// Expected latencies (corrected) and schedule delays, send by send.
				var lat, delay []time.Duration
				var late int64
				for i := 0; i < 300; i++ {
					intended := time.Duration(i) * 5 * time.Millisecond
					switch {
					case i == 50:
						lat, delay = append(lat, time.Second), append(delay, 0)
					case i > 50 && i < tt.firstAfter:
						continue // dropped
					case i >= tt.firstAfter && intended < 1250*time.Millisecond:
						wait := 1250*time.Millisecond - intended
						lat, delay = append(lat, wait), append(delay, wait)
						if wait > 5*time.Millisecond {
							late++
						}
					default:
						lat, delay = append(lat, time.Microsecond), append(delay, time.Microsecond)
					}
				}
				if w.Model != "open" || w.ServiceTime == nil || w.ScheduleDelay == nil {
					t.Fatalf("want open-model figures, got %+v", w)
				}
				if w.Totals.Requests != int64(len(lat)) || w.Totals.Dropped != tt.wantDropped || w.Totals.Late != late {
					t.Errorf("requests %d dropped %d late %d, want %d, %d, %d", w.Totals.Requests, w.Totals.Dropped, w.Totals.Late, len(lat), tt.wantDropped, late)
				}
				for _, tc := range []struct {
					name string
					got  float64
					vs   []time.Duration
					q    float64
				}{
					{"latency p50", w.Latency.P50MS, lat, 50},
					{"latency p90", w.Latency.P90MS, lat, 90},
					{"latency p99", w.Latency.P99MS, lat, 99},
					{"latency max", w.Latency.MaxMS, lat, 100},
					{"schedule delay p90", w.ScheduleDelay.P90MS, delay, 90},
					{"schedule delay max", w.ScheduleDelay.MaxMS, delay, 100},
				} {
					want := float64(quantile(tc.vs, tc.q)) / 1e6
					if tol := bucketMS(want); math.Abs(tc.got-want) > tol {
						t.Errorf("%s = %.3f ms, want %.3f (bucket %.3f)", tc.name, tc.got, want, tol)
					}
				}
				if w.Latency.P90MS < 500 && tt.wantDropped == 0 {
					t.Errorf("latency p90 %.1f ms hides the stall", w.Latency.P90MS)
				}
				if w.ServiceTime.P99MS > 0.001 || w.ServiceTime.MaxMS < 999 {
					t.Errorf("service time p99 %.3f ms max %.1f ms, want the floor and the 1 s stall", w.ServiceTime.P99MS, w.ServiceTime.MaxMS)
				}
			})
		})
	}
}

func TestCountIsExact(t *testing.T) {
	srv := sleepTarget(t, []time.Duration{0})
	tests := []struct {
		name string
		cfg  Config
		want int64
	}{
		{"closed", Config{Workers: 8, Count: 1000}, 1000},
		{"closed with warm-up", Config{Workers: 8, Count: 500, Warmup: 200 * time.Millisecond}, 500},
		{"open", Config{Rate: 1000, Count: 150, Workers: 4}, 150},
		{"open with warm-up", Config{Rate: 1000, Count: 150, Workers: 4, Warmup: 200 * time.Millisecond}, 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := run(t, tt.cfg, httpOp(t, srv.URL, 8))
			if w.Totals.Requests != tt.want || w.Totals.Succeeded != tt.want || w.Latency.Count != tt.want {
				t.Fatalf("requests %d succeeded %d latency count %d, want %d", w.Totals.Requests, w.Totals.Succeeded, w.Latency.Count, tt.want)
			}
		})
	}
}

// TestWarmupExcluded: in a synctest bubble, 4 workers against a target answering in 1 ms send
// exactly 4 requests per ms; with 500 ms of warm-up and 1.2 s measured, the figures hold the
// 4800 measured requests (± one per worker at each boundary), the target saw 6800, the series
// starts after the warm-up. The open model with warm-up measures exactly its scheduled sends.
func TestWarmupExcluded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen atomic.Int64
		start := time.Now()
		op := OperationFunc(func(context.Context, int, uint64) (int, error) {
			seen.Add(1)
			time.Sleep(time.Millisecond)
			return 1, nil
		})
		w := run(t, Config{Workers: 4, Duration: 1200 * time.Millisecond, Warmup: 500 * time.Millisecond}, op)
		if w.Totals.Requests < 4796 || w.Totals.Requests > 4804 || seen.Load() < 6796 || seen.Load() > 6804 {
			t.Fatalf("measured %d of %d requests, want 4800 of 6800", w.Totals.Requests, seen.Load())
		}
		if d := w.Started.Sub(start); d != 500*time.Millisecond || w.DurationS != 1.2 {
			t.Errorf("measured from %v for %v s, want 500ms and 1.2 s", d, w.DurationS)
		}
		// The 0.2 s fragment after the last whole second is folded into the 1.5 s point, whose
		// rate then covers 1.2 s: 4800 requests / 1.2 s.
		if len(w.Series) != 1 || !w.Series[0].Time.Equal(start.Add(1500*time.Millisecond)) ||
			w.Series[0].Bytes != w.Totals.Bytes || math.Abs(w.Series[0].ThroughputPerS-float64(w.Totals.Requests)/1.2) > 5 {
			t.Errorf("series %+v, want one point at 1.5 s holding all %d requests at %.0f/s", w.Series, w.Totals.Requests, float64(w.Totals.Requests)/1.2)
		}

		seen.Store(0)
		w = run(t, Config{Rate: 1000, Workers: 4, Duration: time.Second, Warmup: 300 * time.Millisecond}, op)
		if w.Totals.Requests != 1000 || seen.Load() != 1300 || w.Totals.Late != 0 {
			t.Fatalf("open model: measured %d of %d (late %d), want 1000 of 1300", w.Totals.Requests, seen.Load(), w.Totals.Late)
		}
	})
}

// TestInterruptStopsAndMarks: cancelling the context stops the load promptly, drains, and the
// figures are marked interrupted.
func TestInterruptStopsAndMarks(t *testing.T) {
	srv := sleepTarget(t, []time.Duration{time.Millisecond})
	e, err := New(Config{Workers: 4, Duration: 30 * time.Second}, httpOp(t, srv.URL, 4))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	began := time.Now()
	w, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("Run took %v after cancel at 400 ms", took)
	}
	if !w.Interrupted || w.Totals.Requests == 0 || w.DurationS > 1 {
		t.Fatalf("interrupted %v requests %d duration %.2f", w.Interrupted, w.Totals.Requests, w.DurationS)
	}
}

func TestErrorsClassified(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 0:
			w.WriteHeader(503)
		case 1:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	w := run(t, Config{Workers: 2, Count: 400}, httpOp(t, srv.URL, 2))
	if w.Errors["http_5xx"] != 100 || w.Errors["http_4xx"] != 100 || w.Totals.Errors != 200 || w.Totals.ErrorRate != 0.5 {
		t.Fatalf("errors %v totals %+v, want 100 http_5xx, 100 http_4xx, rate 0.5", w.Errors, w.Totals)
	}
	if c := w.StatusCodes; c["HTTP 503"] != 100 || c["HTTP 404"] != 100 || len(c) != 2 {
		t.Fatalf("status codes %v, want 100 HTTP 503 and 100 HTTP 404", c)
	}
	var sum int64
	for _, p := range w.Series {
		sum += p.Errors
	}
	if sum != 200 {
		t.Errorf("series errors sum %d, want 200", sum)
	}
}

// ackBroker is an in-process stand-in for a broker with asynchronous acks: it acknowledges each
// message after delay from its own goroutine, and nacks every tenth.
type ackBroker struct {
	delay       time.Duration
	mu          sync.Mutex
	out, maxOut int
	in          chan Completion
}

func (b *ackBroker) Send(ctx context.Context, worker int, seq uint64, c Completion) error {
	b.mu.Lock()
	b.out++
	b.maxOut = max(b.maxOut, b.out)
	b.mu.Unlock()
	go func() {
		time.Sleep(b.delay)
		b.mu.Lock()
		b.out--
		b.mu.Unlock()
		if seq%10 == 9 {
			c.Done(0, ErrNack)
			return
		}
		c.Done(10, nil)
	}()
	return nil
}

func TestAsyncOperation(t *testing.T) {
	b := &ackBroker{delay: 5 * time.Millisecond}
	w := run(t, Config{Workers: 2, MaxInFlight: 16, Count: 1000}, b)
	if w.Totals.Requests != 1000 || w.Totals.Succeeded != 900 || w.Errors[ClassBrokerNack] != 100 || w.Totals.Bytes != 9000 {
		t.Fatalf("totals %+v errors %v, want 1000 sends, 900 acked, 100 nacked", w.Totals, w.Errors)
	}
	if b.maxOut > 16 {
		t.Errorf("%d unacknowledged at once, want at most 16", b.maxOut)
	}
	if w.Latency.MinMS < 5 {
		t.Errorf("latency min %.3f ms, want at least the 5 ms ack delay", w.Latency.MinMS)
	}
}

// TestStages: a ramp from 0 to 100/s over 1 s then down to 0 over 1 s intends exactly 100
// sends (the area under the rate), half in each second; in a synctest bubble the series shows
// them per second.
func TestStages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op := OperationFunc(func(context.Context, int, uint64) (int, error) { return 1, nil })
		w := run(t, Config{Stages: []Stage{{time.Second, 100}, {time.Second, 0}}, Workers: 4}, op)
		if w.Totals.Requests != 100 || w.Totals.Dropped != 0 || w.Totals.Late != 0 {
			t.Fatalf("totals %+v, want 100 sends on time", w.Totals)
		}
		// Send 50 is intended at exactly 1 s, the instant the first point closes: it may land in
		// either point.
		if w.DurationS != 2 || len(w.Series) != 2 || w.Series[0].ThroughputPerS+w.Series[1].ThroughputPerS != 100 ||
			math.Abs(w.Series[0].ThroughputPerS-50) > 1 {
			t.Fatalf("duration %v series %+v, want 2 s at 50/s each (±1)", w.DurationS, w.Series)
		}
	})
}

// TestSnapshotWhileRunning: Snapshot is safe from another goroutine before and during Run (run
// with -race) and reports the measured sends.
func TestSnapshotWhileRunning(t *testing.T) {
	op := OperationFunc(func(context.Context, int, uint64) (int, error) { time.Sleep(time.Millisecond); return 1, nil })
	e, err := New(Config{Workers: 2, Duration: 300 * time.Millisecond}, op)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Snapshot)
	go func() {
		var last Snapshot
		for i := 0; i < 40; i++ {
			last = e.Snapshot()
			time.Sleep(10 * time.Millisecond)
		}
		done <- last
	}()
	w, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := <-done
	if last.Sent == 0 || last.Sent > w.Totals.Requests || last.Total != 300*time.Millisecond {
		t.Fatalf("snapshot %+v, run requests %d", last, w.Totals.Requests)
	}
}
