package results

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

var base = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// samples draws n latencies in µs: log-normal around 2 ms with rare 40x stalls.
func samples(seed uint64, n int) []int64 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]int64, n)
	for i := range out {
		v := 2000 * math.Exp(0.6*r.NormFloat64())
		if r.IntN(500) == 0 {
			v *= 40
		}
		out[i] = max(1, int64(v))
	}
	return out
}

func latencyFrom(t *testing.T, vs []int64) (*Latency, *hdrhistogram.Histogram) {
	t.Helper()
	h := NewHistogram()
	for _, v := range vs {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	l, err := NewLatency(h)
	if err != nil {
		t.Fatal(err)
	}
	return l, h
}

// half builds the workload one machine (or one half of the run) reports.
func half(t *testing.T, vs []int64, start time.Time, seconds int, integ *Integrity) Workload {
	l, _ := latencyFrom(t, vs)
	w := Workload{Name: "orders", Driver: "amqp", Operation: "publish-consume", Model: "open", RatePerS: 500,
		Started: start, Ended: start.Add(time.Duration(seconds) * time.Second), DurationS: float64(seconds),
		Latency: l, Integrity: integ, Errors: map[string]int64{"timeout": 2},
		Thresholds: []Threshold{{Expr: "p99<1ms", Metric: "p99", Op: "<", Limit: 1, Passed: true}}}
	w.Totals = Totals{Requests: int64(len(vs)) + 2, Succeeded: int64(len(vs)), Errors: 2, Bytes: int64(len(vs)) * 100}
	for i := range seconds {
		w.Series = append(w.Series, Point{Time: start.Add(time.Duration(i)*time.Second + 300*time.Millisecond), ThroughputPerS: 500, Errors: 1, P50MS: 2, P99MS: float64(5 + i%3), Bytes: 50000})
	}
	return w
}

func TestMergeTwoHalvesEqualsWholeRun(t *testing.T) {
	all := samples(1, 40000)
	whole, wholeH := latencyFrom(t, all)
	a, b := all[:17000], all[17000:]
	ia := &Integrity{Sent: 100, Acknowledged: 98, Unconfirmed: 2, Received: 97, Lost: 1, Duplicates: 3, OutOfOrder: 0}
	ib := &Integrity{Sent: 200, Acknowledged: 200, Received: 201, Lost: 0, Duplicates: 1, OutOfOrder: 4, Unexpected: 1}

	tests := []struct {
		name         string
		startB       time.Time
		wantDuration float64
		wantPoints   int
	}{
		// Two machines at the same time: durations overlap, series align by second.
		{"concurrent machines", base, 30, 30},
		// The second half of a run after the first: durations add, series concatenate.
		{"consecutive halves", base.Add(30 * time.Second), 60, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := &File{Schema: Schema, Run: Run{ID: "a", Command: "bench", Started: base, Ended: base.Add(31 * time.Second), Environment: Environment{Hostname: "h1"}},
				Workloads: []Workload{half(t, a, base, 30, ia)}}
			fb := &File{Schema: Schema, Run: Run{ID: "b", Command: "bench", Started: tt.startB, Ended: tt.startB.Add(31 * time.Second), Environment: Environment{Hostname: "h2"}},
				Workloads: []Workload{half(t, b, tt.startB, 30, ib)}}
			m, err := Merge(fa, fb)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Workloads) != 1 {
				t.Fatalf("%d workloads, want 1", len(m.Workloads))
			}
			w := m.Workloads[0]
			if !reflect.DeepEqual(w.Latency, whole) {
				t.Fatalf("merged latency differs from the whole run's:\n got %+v\nwant %+v", *w.Latency, *whole)
			}
			mh, err := w.Latency.DecodeHistogram()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(mh.Distribution(), wholeH.Distribution()) {
				t.Fatal("merged histogram buckets differ from the whole run's")
			}
			if w.DurationS != tt.wantDuration || w.Totals.Succeeded != 40000 || w.Totals.Errors != 4 || w.Totals.Requests != 40004 {
				t.Errorf("duration %v totals %+v", w.DurationS, w.Totals)
			}
			if want := 40000 / tt.wantDuration; math.Abs(w.Totals.ThroughputPerS-want) > 1e-9 {
				t.Errorf("throughput %v, want %v", w.Totals.ThroughputPerS, want)
			}
			if want := 4.0 / 40004; math.Abs(w.Totals.ErrorRate-want) > 1e-12 {
				t.Errorf("error rate %v, want %v", w.Totals.ErrorRate, want)
			}
			wantI := Integrity{Sent: 300, Acknowledged: 298, Unconfirmed: 2, Received: 298, Lost: 1, Duplicates: 4, OutOfOrder: 4, Unexpected: 1,
				LossRate: 1.0 / 298, DuplicateRate: 4.0 / 298, OutOfOrderRate: 4.0 / 298}
			if *w.Integrity != wantI {
				t.Errorf("integrity %+v, want %+v", *w.Integrity, wantI)
			}
			if w.Errors["timeout"] != 4 || w.RatePerS != 1000 {
				t.Errorf("errors %v rate %v", w.Errors, w.RatePerS)
			}
			if len(w.Series) != tt.wantPoints {
				t.Fatalf("%d points, want %d", len(w.Series), tt.wantPoints)
			}
			for i, p := range w.Series {
				if i > 0 && !p.Time.After(w.Series[i-1].Time) {
					t.Fatal("series not in time order")
				}
				if p.Time != p.Time.Truncate(time.Second) {
					t.Fatalf("point %v not aligned to the second", p.Time)
				}
			}
			if tt.wantPoints == 30 && (w.Series[0].ThroughputPerS != 1000 || w.Series[0].Errors != 2 || w.Series[0].Bytes != 100000) {
				t.Errorf("aligned point did not add: %+v", w.Series[0])
			}
			// The threshold is evaluated again on the merged p99.
			th := w.Thresholds[0]
			if th.Actual != whole.P99MS || th.Passed != (whole.P99MS < 1) {
				t.Errorf("threshold %+v not re-evaluated (p99 %v)", th, whole.P99MS)
			}
			if m.Run.Environment.Hostname != "h1,h2" || !m.Run.Started.Equal(base) || m.Run.Ended.Before(fb.Run.Ended) {
				t.Errorf("run %+v", m.Run)
			}
		})
	}
}

func TestMergeErrors(t *testing.T) {
	l, _ := latencyFrom(t, samples(2, 10))
	noHist := *l
	noHist.Histogram = ""
	bad := *l
	bad.Histogram = "not base64!"
	tests := []struct {
		name  string
		files []*File
		want  string
	}{
		{"nothing", nil, "no results files"},
		{"percentiles without histogram", []*File{{Workloads: []Workload{{Name: "w", Latency: l}}}, {Workloads: []Workload{{Name: "w", Latency: &noHist}}}}, `part 2, workload "w": latency has 10 values but no encoded histogram`},
		{"corrupt histogram", []*File{{Workloads: []Workload{{Name: "w", ServiceTime: &bad}}}}, `part 1, workload "w", service_time: decode latency histogram`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge(tt.files...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMergeVerificationRecountsSummary(t *testing.T) {
	a := &File{Verification: &Verification{Interactions: []Interaction{{Status: StatusPassed}, {Status: StatusFailed}}}}
	b := &File{Verification: &Verification{Interactions: []Interaction{{Status: StatusFailed, Pending: true}, {Status: StatusError}, {Status: StatusSkipped}}}}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Total: 5, Passed: 1, Failed: 1, PendingFailed: 1, Skipped: 1, Errors: 1}
	if m.Verification.Summary != want {
		t.Fatalf("summary %+v, want %+v", m.Verification.Summary, want)
	}
	if !m.Failed() {
		t.Error("merged file with a failure is not failed")
	}
}

func TestWorkloadMetric(t *testing.T) {
	l, _ := latencyFrom(t, samples(3, 1000))
	w := &Workload{Latency: l, Totals: Totals{ThroughputPerS: 900, ErrorRate: 0.01}, Integrity: &Integrity{Lost: 3, LossRate: 0.003}}
	tests := []struct {
		name string
		want float64
		ok   bool
	}{
		{"p99", l.P99MS, true}, {"P99", l.P99MS, true}, {"p999", l.P999MS, true}, {"p99.9", l.P999MS, true},
		{"throughput", 900, true}, {"error_rate", 0.01, true}, {"lost", 3, true}, {"loss_rate", 0.003, true},
		{"bogus", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := w.Metric(tt.name)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("Metric(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
	if _, ok := (&Workload{}).Metric("p99"); ok {
		t.Error("p99 of a workload without latency")
	}
	if _, ok := (&Workload{}).Metric("lost"); ok {
		t.Error("lost of a workload without integrity")
	}
}

func TestNewLatencyPercentiles(t *testing.T) {
	vs := make([]int64, 1000)
	for i := range vs {
		vs[i] = int64(i+1) * 10 // 10 µs .. 10 ms
	}
	l, _ := latencyFrom(t, vs)
	within := func(got, want float64) bool { return math.Abs(got-want) <= want*0.001+0.001 } // 3 significant digits
	if l.Count != 1000 || !within(l.P50MS, 5) || !within(l.P99MS, 9.9) || !within(l.MaxMS, 10) || !within(l.MinMS, 0.01) {
		t.Fatalf("%+v", *l)
	}
}

func TestWorkloadMetricSourcesAndCounts(t *testing.T) {
	l, _ := latencyFrom(t, samples(4, 500))
	s, _ := latencyFrom(t, samples(5, 500))
	w := &Workload{Latency: l, ServiceTime: s, Totals: Totals{Succeeded: 7, Bytes: 9, Dropped: 1}}
	tests := []struct {
		name   string
		want   float64
		ok     bool
		higher bool
	}{
		{"service_time.p99", s.P99MS, true, false},
		{"SERVICE_TIME.P999", s.P999MS, true, false},
		{"latency.p50", l.P50MS, true, false},
		{"stdev", l.StdevMS, true, false},
		{"end_to_end.p99", 0, false, false}, // no end-to-end latency recorded
		{"succeeded", 7, true, true},
		{"bytes", 9, true, true},
		{"dropped", 1, true, false},
		{"sent", 0, false, true}, // no integrity
		{"service_time.bogus", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := w.Metric(tt.name)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("Metric(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
			if h, _ := HigherIsBetter(tt.name); h != tt.higher {
				t.Errorf("HigherIsBetter(%q) = %v", tt.name, h)
			}
		})
	}
	if _, known := HigherIsBetter("end_to_end.p99"); !known {
		t.Error("end_to_end.p99 is a known metric")
	}
	if _, known := HigherIsBetter("service_time.bogus"); known {
		t.Error("service_time.bogus is not a metric")
	}
}

// TestMergeVerdictFigures: the figures of issue 13 merge: canceled and intended sends add up,
// failed operations' latency merges exactly, fell_behind holds when any part fell behind, and
// failed_latency is a metric.
func TestMergeVerdictFigures(t *testing.T) {
	h := NewHistogram()
	for _, v := range []int64{1000, 2000, 3000} {
		_ = h.RecordValue(v)
	}
	l, err := NewLatency(h)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	part := func(behind bool) *File {
		return &File{Schema: Schema, Run: Run{ID: "r", Command: "bench"}, Workloads: []Workload{{
			Name: "w", Driver: "rest", Operation: "request", Model: "open", RatePerS: 100, FellBehind: behind,
			Started: start, Ended: start.Add(time.Second), DurationS: 1,
			Totals:        Totals{Requests: 10, Succeeded: 7, Errors: 3, Canceled: 2, Intended: 12, Dropped: 2},
			FailedLatency: l,
		}}}
	}
	m, err := Merge(part(false), part(true))
	if err != nil {
		t.Fatal(err)
	}
	w := m.Workloads[0]
	if w.Totals.Canceled != 4 || w.Totals.Intended != 24 || !w.FellBehind || w.FailedLatency == nil || w.FailedLatency.Count != 6 {
		t.Fatalf("merged %+v fell behind %v failed latency %+v", w.Totals, w.FellBehind, w.FailedLatency)
	}
	if v, ok := w.Metric("failed_latency.max"); !ok || v < 3 || v > 3.01 { // HDR bucket of 3 ms
		t.Fatalf("failed_latency.max = %v, %v; want 3 ms (its HDR bucket)", v, ok)
	}
}
