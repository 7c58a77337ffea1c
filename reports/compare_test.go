package reports

import (
	"bytes"
	"math"
	"strings"
	"testing"

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

func TestCompare(t *testing.T) {
	base := sampleFile(t, 5)
	limits, err := ParseLimits("p99=10%,throughput=5%")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		cur       *results.File
		regressed bool
		metric    string // a metric that must be flagged
	}{
		{"unchanged", base, false, ""},
		{"p99 20% worse", scaled(t, base, 1.2, 1), true, "p99"},
		{"p99 5% worse is within 10%", scaled(t, base, 1.05, 1), false, ""},
		{"throughput 10% lower", scaled(t, base, 1, 0.9), true, "throughput"},
		{"faster and more throughput", scaled(t, base, 0.7, 1.3), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(base, tt.cur, limits)
			if c.Regressed() != tt.regressed {
				var buf bytes.Buffer
				CompareText(&buf, c)
				t.Fatalf("regressed = %v, want %v\n%s", c.Regressed(), tt.regressed, buf.String())
			}
			if tt.metric != "" {
				var flagged bool
				for _, ch := range c.Changes {
					if ch.Regressed {
						if ch.Metric != tt.metric || ch.Workload != base.Workloads[0].Name {
							t.Errorf("unexpected regression flagged: %+v", ch)
						}
						flagged = true
					}
				}
				if !flagged {
					t.Errorf("%s not flagged", tt.metric)
				}
			}
		})
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
	reg := Compare(base, scaled(t, base, 1.2, 1), Limits{"p99": 0.1})
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
		if !strings.Contains(out, "FAIL") || !strings.Contains(out, "REGRESSED") || !strings.Contains(out, "p99") {
			t.Errorf("%s output lacks the verdict or the regressed row:\n%s", name, out)
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
