package threshold

import (
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

func TestParse(t *testing.T) {
	tests := []struct {
		expr   string
		metric string
		op     string
		limit  float64
	}{
		{"p99<25ms", "p99", "<", 25},
		{"p99 < 25", "p99", "<", 25},
		{"p99.9<=1.5s", "p99.9", "<=", 1500},
		{"p99.99<800us", "p99.99", "<", 0.8},
		{"service_time.p50<2ms", "service_time.p50", "<", 2},
		{"latency.max<1s", "max", "<", 1000},
		{"end_to_end.p99<100ms", "end_to_end.p99", "<", 100},
		{"error_rate<0.1%", "error_rate", "<", 0.001},
		{"error_rate<=0.02", "error_rate", "<=", 0.02},
		{"throughput>=1000/s", "throughput", ">=", 1000},
		{"throughput>1000", "throughput", ">", 1000},
		{"duplicates==0", "duplicates", "==", 0},
		{"lost==0", "lost", "==", 0},
		{"LOST != 3", "lost", "!=", 3},
		{"dropped==0", "dropped", "==", 0},
		{"loss_rate<0.01%", "loss_rate", "<", 0.0001},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got.Metric != tt.metric || got.Op != tt.op || got.Limit < tt.limit*(1-1e-12) || got.Limit > tt.limit*(1+1e-12) {
				t.Fatalf("got %s %s %v, want %s %s %v", got.Metric, got.Op, got.Limit, tt.metric, tt.op, tt.limit)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"no operator", "p99 25ms", "no comparison"},
		{"no metric", "<25ms", "no metric"},
		{"no value", "p99<", "no value"},
		{"unknown metric", "p42<1ms", `unknown metric "p42"`},
		{"latency unit", "p99<25kg", `unit "kg"`},
		{"percent on latency", "p99<5%", `unit "%"`},
		{"unit on count", "lost==0ms", "plain number"},
		{"not a number", "p99<fast", "not a number"},
		{"NaN", "p99<NaN", "not a number"},
		{"unknown prefix", "queue.p99<1ms", "unknown metric"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.expr)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.expr) {
				t.Fatalf("error %v, want one quoting %q and saying %q", err, tt.expr, tt.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	w := &results.Workload{
		Totals:      results.Totals{Requests: 1000, Succeeded: 999, Errors: 1, ErrorRate: 0.001, ThroughputPerS: 1200},
		Latency:     &results.Latency{Count: 1000, P99MS: 20, P50MS: 3},
		ServiceTime: &results.Latency{Count: 1000, P99MS: 4},
	}
	tests := []struct {
		expr   string
		passed bool
		actual float64
	}{
		{"p99<25ms", true, 20},
		{"p99<20ms", false, 20},
		{"p99<=20ms", true, 20},
		{"service_time.p99<5ms", true, 4},
		{"schedule_delay.p99<5ms", false, 0}, // no schedule delay in this workload
		{"error_rate<0.1%", false, 0.001},
		{"error_rate<=0.1%", true, 0.001},
		{"throughput>=1000/s", true, 1200},
		{"errors==1", true, 1},
		{"duplicates==0", false, 0}, // no integrity figures: fails
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			th, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			r := th.Eval(w)
			if r.Passed != tt.passed || r.Actual != tt.actual || r.Expr != tt.expr {
				t.Fatalf("got %+v, want passed %v actual %v", r, tt.passed, tt.actual)
			}
		})
	}
	ts, err := ParseAll([]string{"p99<25ms", "duplicates==0"})
	if err != nil {
		t.Fatal(err)
	}
	// The defaults follow: error_rate<1% (0.1% here) and succeeded>0.
	if Evaluate(ts, w) || len(w.Thresholds) != 4 || !w.Thresholds[0].Passed || w.Thresholds[1].Passed ||
		!w.Thresholds[2].Default || !w.Thresholds[2].Passed || !w.Thresholds[3].Default || w.Thresholds[0].Default {
		t.Fatalf("Evaluate: %+v", w.Thresholds)
	}
	if !ts[1].NeedsIntegrity() || ts[0].NeedsIntegrity() {
		t.Fatal("NeedsIntegrity wrong")
	}
	w.Integrity = &results.Integrity{}
	if !Evaluate(ts, w) {
		t.Fatalf("with integrity figures: %+v", w.Thresholds)
	}
}

// TestDefaults: every workload gets error_rate<1% unless it has an error_rate threshold, and
// succeeded>0 always: all 404s (the issue's `bench rest --path /nope`) fail even with a latency
// threshold that the failures would have met, and an explicit error_rate threshold relaxes the
// budget.
func TestDefaults(t *testing.T) {
	allFailed := &results.Workload{
		Totals:        results.Totals{Requests: 500, Errors: 500, ErrorRate: 1},
		FailedLatency: &results.Latency{Count: 500, P99MS: 1},
	}
	someFailed := &results.Workload{
		Totals:  results.Totals{Requests: 1000, Succeeded: 980, Errors: 20, ErrorRate: 0.02},
		Latency: &results.Latency{Count: 980, P99MS: 10},
	}
	tests := []struct {
		name     string
		w        *results.Workload
		exprs    []string
		passed   bool
		defaults []string
	}{
		{"all failed, no threshold", allFailed, nil, false, []string{"error_rate<1%", "succeeded>0"}},
		{"all failed, latency threshold", allFailed, []string{"p99<50ms"}, false, []string{"error_rate<1%", "succeeded>0"}},
		{"all failed, budget relaxed", allFailed, []string{"error_rate<=100%"}, false, []string{"succeeded>0"}},
		{"2% failed", someFailed, nil, false, []string{"error_rate<1%", "succeeded>0"}},
		{"2% failed, budget of 5%", someFailed, []string{"error_rate<5%"}, true, []string{"succeeded>0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := ParseAll(tt.exprs)
			if err != nil {
				t.Fatal(err)
			}
			if got := Evaluate(ts, tt.w); got != tt.passed {
				t.Fatalf("passed %v, want %v: %+v", got, tt.passed, tt.w.Thresholds)
			}
			var defaults []string
			for _, r := range tt.w.Thresholds {
				if r.Default {
					defaults = append(defaults, r.Expr)
				}
			}
			if strings.Join(defaults, " ") != strings.Join(tt.defaults, " ") {
				t.Fatalf("defaults %v, want %v", defaults, tt.defaults)
			}
		})
	}
}

// TestLateShare: late and dropped with a % value read as shares of the intended sends.
func TestLateShare(t *testing.T) {
	w := &results.Workload{Totals: results.Totals{Intended: 1000, Late: 20, Dropped: 5}}
	for expr, want := range map[string]bool{"late<1%": false, "late<3%": true, "dropped<1%": true, "dropped==0": false, "late<=20": true} {
		th, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		if r := th.Eval(w); r.Passed != want {
			t.Errorf("%s: %+v, want passed %v", expr, r, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"p99<25ms", "error_rate<0.1%", "throughput>=1000/s", "lost==0", "service_time.p99.9<=1e3us", "<", "p99<<1", "µs<µs"} {
		f.Add(s)
	}
	w := &results.Workload{Latency: &results.Latency{}, Integrity: &results.Integrity{}}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), "threshold") {
				t.Fatalf("error does not name the threshold: %v", err)
			}
			return
		}
		_ = th.Eval(w)
	})
}

// TestEveryResultsMetric: every metric results knows parses as a threshold and evaluates to
// results.Workload.Metric's value, so thresholds and results cannot drift apart.
func TestEveryResultsMetric(t *testing.T) {
	l := &results.Latency{Count: 10, MinMS: 1, MeanMS: 2, StdevMS: 3, P50MS: 4, P90MS: 5, P95MS: 6, P99MS: 7, P999MS: 8, P9999MS: 9, MaxMS: 10}
	w := &results.Workload{
		Totals:  results.Totals{Requests: 11, Succeeded: 12, Errors: 13, Bytes: 14, ThroughputPerS: 15, ErrorRate: 0.16, Late: 17, Dropped: 18},
		Latency: l, ServiceTime: l, ScheduleDelay: l, EndToEnd: l,
		Integrity: &results.Integrity{Sent: 21, Acknowledged: 22, Unconfirmed: 23, Returned: 24, Received: 25, Lost: 26,
			Duplicates: 27, OutOfOrder: 28, Unexpected: 29, LossRate: 0.30, DuplicateRate: 0.31, OutOfOrderRate: 0.32},
	}
	names := results.MetricNames()
	for _, n := range names {
		names = append(names, "service_time."+n, "end_to_end."+n)
	}
	for _, n := range names {
		want, ok := w.Metric(n)
		if !ok {
			continue // a prefixed count is no metric
		}
		th, err := Parse(n + ">=0")
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if r := th.Eval(w); r.Actual != want || !r.Passed {
			t.Errorf("%s: threshold reads %v, results.Workload.Metric %v", n, r.Actual, want)
		}
		if th.NeedsIntegrity() != results.IntegrityMetric(n) {
			t.Errorf("%s: NeedsIntegrity %v", n, th.NeedsIntegrity())
		}
	}
}
