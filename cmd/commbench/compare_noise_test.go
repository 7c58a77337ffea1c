package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/results"
)

// TestCompareRepeatedRuns: bench --repeat 5 writes five runs in one results file; report compare
// of two such sets against the same target does not regress, and against the target slowed by
// 30% it says REGRESSED (exit 1) naming p50 (its noise between runs is small; p99 and throughput
// of 0.25 s runs vary by tens of percent on a loaded machine, which is the point).
func TestCompareRepeatedRuns(t *testing.T) {
	target := func(delay time.Duration) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(delay) }))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	fast, slow := target(5*time.Millisecond), target(6500*time.Microsecond)
	dir := t.TempDir()
	bench := func(url, name string) string {
		out := filepath.Join(dir, name)
		code, stdout, stderr := runCLI(t, nil, "bench", "rest", "--url", url, "-n", "200", "-c", "4", "--repeat", "5", "-q", "-o", out)
		if code != 0 {
			t.Fatalf("bench %s: exit %d\n%s\n%s", name, code, stdout, stderr)
		}
		return out
	}
	base, same, slower := bench(fast, "base.json"), bench(fast, "same.json"), bench(slow, "slow.json")
	f, err := results.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Workloads) != 5 || f.Workloads[4].Repeat != 5 || f.Workloads[0].Name != f.Workloads[4].Name {
		t.Fatalf("--repeat 5: %d workloads, want 5 runs of one workload numbered 1..5", len(f.Workloads))
	}
	// p50 only: the target's 5 ms sleep dominates it, while p99 and throughput of such short runs
	// follow the machine's load (seen: p99 4x worse between two sets at load 15)
	limits := "--max-regression=p50=10%"
	code, out, errOut := runCLI(t, nil, "report", "compare", base, same, limits)
	if code != 0 || strings.Contains(out, "REGRESSED") || !strings.Contains(out, "5 vs 5 runs") {
		t.Fatalf("same target: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("same target:\n%s", out)
	// Flags go before "--": what follows it are the new files.
	code, out, errOut = runCLI(t, nil, "report", "compare", limits, base, "--", slower)
	if code != 1 || !strings.HasPrefix(out, "REGRESSED") || !strings.Contains(errOut, "p50") {
		t.Fatalf("30%% slower target: exit %d, want 1 naming p50\n%s%s", code, out, errOut)
	}
	t.Logf("30%% slower:\n%s", out)
}
