package main

import (
	"encoding/xml"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/results"
)

// writeResults writes a bench results file whose workload "get" has n latency samples drawn
// around medianMS and returns its path.
func writeResults(t *testing.T, dir, name string, seed uint64, n int, medianMS float64) string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	h := results.NewHistogram()
	for range n {
		if err := h.RecordValue(max(1, int64(medianMS*1000*math.Exp(0.4*r.NormFloat64())))); err != nil {
			t.Fatal(err)
		}
	}
	l, err := results.NewLatency(h)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	f := &results.File{
		Run: results.Run{ID: name, Command: "bench", Started: start, Ended: start.Add(10 * time.Second)},
		Workloads: []results.Workload{{Name: "get", Driver: "rest", Operation: "request", Model: "closed", Concurrency: 4,
			Started: start, Ended: start.Add(10 * time.Second), DurationS: 10, Latency: l,
			Totals:     results.Totals{Requests: int64(n), Succeeded: int64(n), ThroughputPerS: float64(n) / 10},
			Series:     []results.Point{{Time: start, ThroughputPerS: float64(n) / 10, P50MS: l.P50MS, P99MS: l.P99MS}},
			Thresholds: []results.Threshold{{Expr: "p99<1000ms", Metric: "p99", Op: "<", Limit: 1000, Actual: l.P99MS, Passed: true}}}},
	}
	path := filepath.Join(dir, name+".json")
	if err := results.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportRender(t *testing.T) {
	dir := t.TempDir()
	in := writeResults(t, dir, "run1", 1, 2000, 3)
	html, junit, md := filepath.Join(dir, "out", "report.html"), filepath.Join(dir, "junit.xml"), filepath.Join(dir, "summary.md")
	code, out, errOut := runCLI(t, nil, "report", "render", in, "--html", html, "--junit", junit, "--md", md)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "PASS") || !strings.Contains(out, "get") {
		t.Errorf("summary lacks verdict or workload:\n%s", out)
	}
	for _, p := range []string{html, junit, md} {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", p, err)
		}
	}
	b, _ := os.ReadFile(junit)
	var doc struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.Tests != 1 {
		t.Errorf("junit: %v, tests=%d want 1 (one threshold)", err, doc.Tests)
	}
	if code, out, _ := runCLI(t, nil, "--quiet", "report", "render", in); code != 0 || out != "" {
		t.Errorf("--quiet: exit %d, stdout %q", code, out)
	}
}

func TestReportBadInputExits2NamingTheFile(t *testing.T) {
	dir := t.TempDir()
	good := writeResults(t, dir, "good", 1, 100, 3)
	notJSON := filepath.Join(dir, "garbage.json")
	os.WriteFile(notJSON, []byte("{not json"), 0o644)
	wrongSchema := filepath.Join(dir, "other.json")
	os.WriteFile(wrongSchema, []byte(`{"schema":"k6/v1"}`), 0o644)
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"render missing", []string{"report", "render", missing}, missing},
		{"render not json", []string{"report", "render", notJSON}, notJSON},
		{"render wrong schema", []string{"report", "render", wrongSchema}, "schema \"k6/v1\""},
		{"merge one bad", []string{"report", "merge", good, notJSON}, notJSON},
		{"compare bad new", []string{"report", "compare", good, wrongSchema}, wrongSchema},
		{"compare bad limit", []string{"report", "compare", good, good, "--max-regression", "p98=5%"}, "unknown metric"},
		{"merge needs two", []string{"report", "merge", good}, "requires at least 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %q", code, errOut, tt.want)
			}
		})
	}
}

func TestReportMerge(t *testing.T) {
	dir := t.TempDir()
	a := writeResults(t, dir, "a", 1, 3000, 3)
	b := writeResults(t, dir, "b", 2, 5000, 4)
	out := filepath.Join(dir, "merged.json")
	code, _, errOut := runCLI(t, nil, "report", "merge", a, b, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Workloads[0]
	if w.Latency.Count != 8000 || w.Totals.Requests != 8000 || w.Concurrency != 8 || w.Totals.ThroughputPerS != 800 {
		t.Fatalf("merged workload: count %d totals %+v concurrency %d", w.Latency.Count, w.Totals, w.Concurrency)
	}
	// Without --out the merged file goes to stdout.
	code, stdout, _ := runCLI(t, nil, "report", "merge", a, b)
	if code != 0 || !strings.Contains(stdout, `"schema": "commbench.results/v1"`) {
		t.Fatalf("exit %d, stdout %.80q", code, stdout)
	}
}

func TestReportCompare(t *testing.T) {
	dir := t.TempDir()
	base := writeResults(t, dir, "base", 1, 5000, 5)
	same := writeResults(t, dir, "same", 1, 5000, 5)
	slower := writeResults(t, dir, "slower", 1, 5000, 6) // every latency 20% higher
	md, html := filepath.Join(dir, "compare.md"), filepath.Join(dir, "compare.html")

	code, out, errOut := runCLI(t, nil, "report", "compare", base, same, "--max-regression", "p99=10%,throughput=5%")
	if code != 0 || !strings.Contains(out, "NO SIGNIFICANT CHANGE") {
		t.Fatalf("unchanged run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "report", "compare", base, slower, "--max-regression", "p99=10%,throughput=5%", "--md", md, "--html", html)
	if code != 1 {
		t.Fatalf("20%% p99 regression: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "REGRESSED") || !strings.Contains(errOut, "get p99") {
		t.Errorf("regression not reported:\nstdout %s\nstderr %s", out, errOut)
	}
	for _, p := range []string{md, html} {
		if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), "REGRESSED") {
			t.Errorf("%s: %v", p, err)
		}
	}
	// Without limits, changes are shown but nothing fails.
	if code, _, _ := runCLI(t, nil, "report", "compare", base, slower); code != 0 {
		t.Errorf("no limits: exit %d, want 0", code)
	}
}

// TestReportRenderStepSummary: --step-summary appends the Markdown summary to the file
// $GITHUB_STEP_SUMMARY names (bare) or to the file given (=FILE), after what is already there.
func TestReportRenderStepSummary(t *testing.T) {
	dir := t.TempDir()
	in := writeResults(t, dir, "run1", 1, 500, 3)
	tests := []struct {
		name    string
		flag    string
		env     bool // set GITHUB_STEP_SUMMARY to the summary file
		written bool
		stderr  string
	}{
		{"bare flag in GitHub Actions", "--step-summary", true, true, ""},
		{"file given", "--step-summary=SUMMARY", false, true, ""},
		{"file given wins over the environment", "--step-summary=SUMMARY", true, true, ""},
		{"bare flag outside GitHub Actions", "--step-summary", false, false, "GITHUB_STEP_SUMMARY is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary := filepath.Join(t.TempDir(), "step-summary.md")
			if err := os.WriteFile(summary, []byte("# earlier step\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var env []string
			if tt.env {
				env = []string{"GITHUB_STEP_SUMMARY=" + summary}
			}
			code, _, errOut := runCLI(t, env, "report", "render", in, "-q", strings.Replace(tt.flag, "SUMMARY", summary, 1))
			if code != 0 || !strings.Contains(errOut, tt.stderr) {
				t.Fatalf("exit %d, stderr %q lacks %q", code, errOut, tt.stderr)
			}
			b, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			if !strings.HasPrefix(got, "# earlier step\n") {
				t.Fatalf("the earlier content was not kept:\n%s", got)
			}
			if appended := strings.Contains(got, "PASS") && strings.Contains(got, "get"); appended != tt.written {
				t.Fatalf("summary appended %v, want %v:\n%s", appended, tt.written, got)
			}
		})
	}
}
