package reports

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/results"
)

// scaled returns a copy of f whose first workload's latencies are multiplied by factor (through
// its histogram, so every percentile moves) and whose throughput is multiplied by tput.
func scaled(t *testing.T, f *results.File, factor, tput float64) *results.File {
	t.Helper()
	cp := *f
	cp.Workloads = append([]results.Workload(nil), f.Workloads...)
	w := &cp.Workloads[0]
	h, err := w.Latency.DecodeHistogram()
	if err != nil {
		t.Fatal(err)
	}
	out := results.NewHistogram()
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			if err := out.RecordValues(int64(math.Round(float64(b.To)*factor)), b.Count); err != nil {
				t.Fatal(err)
			}
		}
	}
	if w.Latency, err = results.NewLatency(out); err != nil {
		t.Fatal(err)
	}
	w.Totals.ThroughputPerS *= tput
	return &cp
}

// runOf is one run of a workload "get": lognormal latencies around medianMS and a throughput
// around tput with 5% noise, with a per-second series of seconds points.
func runOf(t *testing.T, r *rand.Rand, id string, medianMS, tput float64, seconds int) *results.File {
	t.Helper()
	w := results.Workload{Name: "get", Driver: "rest", Operation: "request", Model: "closed", DurationS: float64(seconds)}
	w.Latency = latencyOf(t, r, 2000, medianMS)
	var total float64
	for i := range seconds {
		second := latencyOf(t, r, 300, medianMS)
		tp := tput * (1 + 0.05*r.NormFloat64())
		total += tp
		w.Series = append(w.Series, results.Point{Time: t0.Add(time.Duration(i) * time.Second), ThroughputPerS: tp, P50MS: second.P50MS, P99MS: second.P99MS})
	}
	w.Totals = results.Totals{Requests: int64(total), Succeeded: int64(total), ThroughputPerS: total / float64(seconds)}
	return &results.File{Schema: results.Schema, Run: results.Run{ID: id, Command: "bench"}, Workloads: []results.Workload{w}}
}

func runs(t *testing.T, seed uint64, n int, medianMS, tput float64, seconds int) []*results.File {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []*results.File
	for i := range n {
		out = append(out, runOf(t, r, fmt.Sprintf("run-%d-%d", seed, i), medianMS, tput, seconds))
	}
	return out
}

func changeOf(c *Comparison, metric string) Change {
	for _, ch := range c.Changes {
		if ch.Metric == metric {
			return ch
		}
	}
	return Change{}
}

// TestCompareKnowsNoise: two sets of runs of the same system show no significant change and do
// not regress; a system slowed by 30% (latency up 30%, throughput down by the same factor)
// regresses on p99 and throughput, significantly, with a confidence interval that excludes 0.
func TestCompareKnowsNoise(t *testing.T) {
	limits, err := ParseLimits("p99=10%,throughput=5%")
	if err != nil {
		t.Fatal(err)
	}
	base := runs(t, 1, 5, 4, 1000, 3)
	same := runs(t, 2, 5, 4, 1000, 3)
	slow := runs(t, 3, 5, 4*1.3, 1000/1.3, 3)

	c := CompareSets(base, same, limits)
	var buf bytes.Buffer
	if err := CompareText(&buf, c); err != nil {
		t.Fatal(err)
	}
	if c.Regressed() || c.Verdict() == "REGRESSED" {
		t.Fatalf("same system: regressed\n%s", buf.String())
	}
	for _, m := range []string{"p99", "throughput"} {
		ch := changeOf(c, m)
		if ch.Samples != "runs" || ch.N1 != 5 || ch.Significant || !strings.Contains(buf.String(), "no significant change") {
			t.Errorf("same system, %s: %+v\n%s", m, ch, buf.String())
		}
		if !(ch.WorseLo <= 0 && ch.WorseHi >= 0) {
			t.Errorf("same system, %s: the 95%% CI %.3f..%.3f excludes 0", m, ch.WorseLo, ch.WorseHi)
		}
	}

	c = CompareSets(base, slow, limits)
	buf.Reset()
	if err := CompareText(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !c.Regressed() || c.Verdict() != "REGRESSED" {
		t.Fatalf("30%% slower: not regressed\n%s", buf.String())
	}
	for _, m := range []string{"p99", "throughput"} {
		ch := changeOf(c, m)
		if !ch.Regressed || !ch.Significant || ch.P >= 0.05 || ch.WorseLo <= 0 || ch.Worse < 0.15 || ch.Worse > 0.5 {
			t.Errorf("30%% slower, %s: %+v\n%s", m, ch, buf.String())
		}
	}
}

// TestCompareSingleRunsUsePerSecondSamples: with one run a side, throughput and p99 are tested on
// the per-second series; two short runs of the same system (3 s: 3 samples a side, too few for
// p < 0.05) never regress, however far apart their figures; longer runs of a slower system do.
func TestCompareSingleRunsUsePerSecondSamples(t *testing.T) {
	limits := Limits{"p99": 0.1, "throughput": 0.05}
	a, b := runs(t, 4, 1, 4, 1000, 3), runs(t, 5, 1, 4, 600, 3) // 40% lower throughput in 3 samples
	c := CompareSets(a, b, limits)
	if ch := changeOf(c, "throughput"); ch.Samples != "per-second" || ch.N1 != 3 || ch.Significant || ch.Regressed {
		t.Fatalf("3 s runs: %+v", ch)
	}
	long := CompareSets(runs(t, 6, 1, 4, 1000, 30), runs(t, 7, 1, 4*1.3, 1000/1.3, 30), limits)
	if ch := changeOf(long, "throughput"); ch.Samples != "per-second" || !ch.Regressed {
		t.Fatalf("30 s runs, 30%% slower: %+v", ch)
	}
	// p90 has no per-second samples: one value a side, compared as is and said so.
	if ch := changeOf(long, "p90"); ch.Tested() || ch.Samples != "" {
		t.Fatalf("p90: %+v", ch)
	}
}

func TestTestShift(t *testing.T) {
	var x, y []float64
	for i := 1; i <= 10; i++ {
		x = append(x, float64(i))
		y = append(y, float64(i)+5)
	}
	s := testShift(x, y)
	if s.Shift != 5 || !(s.Lo <= 5 && s.Hi >= 5) || s.Lo <= 0 || !s.Significant() {
		t.Fatalf("shift %+v, want 5 with a CI around it above 0, significant", s)
	}
	if s := testShift(x, x); s.Significant() || s.Shift != 0 {
		t.Fatalf("same sample: %+v", s)
	}
	if k := uCritical(5, 5, 0.05); k != 3 { // P(U<=2) = 4/252 <= 0.025 < P(U<=3) = 7/252
		t.Fatalf("uCritical(5, 5) = %d, want 3", k)
	}
}

func TestCompareMissingWorkloadAndRenderers(t *testing.T) {
	base := sampleFile(t, 5)
	cur := *base
	cur.Workloads = []results.Workload{base.Workloads[0]}
	cur.Workloads[0].Name = "renamed"
	c := Compare(base, &cur, nil)
	if !c.Regressed() || len(c.MissingWorkloads) != 2 || len(c.AddedWorkloads) != 1 {
		t.Fatalf("missing %v added %v regressed %v", c.MissingWorkloads, c.AddedWorkloads, c.Regressed())
	}
	reg := CompareSets(runs(t, 1, 5, 4, 1000, 3), runs(t, 3, 5, 4*1.3, 1000/1.3, 3), Limits{"p99": 0.1})
	var txt, md, page bytes.Buffer
	if err := CompareText(&txt, reg); err != nil {
		t.Fatal(err)
	}
	if err := CompareMarkdown(&md, reg); err != nil {
		t.Fatal(err)
	}
	if err := CompareHTML(&page, reg); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String(), "html": page.String()} {
		if !strings.Contains(out, "REGRESSED") || !strings.Contains(out, "p99") || !strings.Contains(out, "5 vs 5 runs") || !strings.Contains(out, "Mann–Whitney") {
			t.Errorf("%s output lacks the verdict, the regressed row or the samples:\n%s", name, out)
		}
	}
	if !strings.Contains(txt.String(), "% worse") {
		t.Errorf("no relative change in:\n%s", txt.String())
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Limits
		wantErr string
	}{
		{"two", "p99=10%,throughput=5%", Limits{"p99": 0.10, "throughput": 0.05}, ""},
		{"no percent sign and spaces", " p50 = 2.5 , error_rate=0", Limits{"p50": 0.025, "error_rate": 0}, ""},
		{"p999 alias", "p999=1%", Limits{"p99.9": 0.01}, ""},
		{"empty", "", Limits{}, ""},
		{"unknown metric", "p98=10%", nil, "unknown metric \"p98\""},
		{"missing equals", "p99", nil, "want metric=percent"},
		{"not a number", "p99=ten%", nil, "not a percentage"},
		{"negative", "p99=-5%", nil, "not a percentage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLimits(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if math.Abs(got[k]-v) > 1e-12 {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{"p99=10%,throughput=5%", "p99", "=", ",,", "p99=1e400%", "p99=NaN", "max=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLimits(s)
		if err != nil {
			return
		}
		for k, v := range l {
			if _, ok := results.HigherIsBetter(k); !ok || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q gave %s=%v", s, k, v)
			}
		}
	})
}

func TestFmtMetric(t *testing.T) {
	tests := []struct {
		metric string
		v      float64
		want   string
	}{
		{"p99", 8.5, "8.50 ms"}, {"service_time.p99.9", 31.24, "31.2 ms"}, {"stdev", 0.5, "0.500 ms"},
		{"throughput", 1234.4, "1234/s"}, {"error_rate", 0.0012, "0.12%"}, {"lost", 3, "3"}, {"loss_rate", 4e-7, "0.000040%"}, {"loss_rate", 4.7e-5, "0.0047%"}, {"loss_rate", 0, "0%"}, {"bytes", 1024, "1024"},
	}
	for _, tt := range tests {
		if got := fmtMetric(tt.metric, tt.v); got != tt.want {
			t.Errorf("fmtMetric(%q, %v) = %q, want %q", tt.metric, tt.v, got, tt.want)
		}
	}
}
