package main

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/commbench/commbench/internal/browsertest"
	"github.com/commbench/commbench/results"
)

// TestReportEndToEnd is the acceptance path of the reports: real `commbench verify` runs (a
// correct and a broken provider, in-process) and a real `commbench bench rest` (3 s against an
// in-process server answering 503 to one request in 20) write results files through the CLI;
// `report merge` joins them and `report render` writes HTML, JUnit, Markdown and a step summary;
// headless Chromium then opens the HTML and every chart must be drawn, with no script error and
// no network request. The verify report that `verify --html` writes itself is opened too.
func TestReportEndToEnd(t *testing.T) {
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	good := httptest.NewServer(&ordersProvider{})
	defer good.Close()
	broken := httptest.NewServer(&ordersProvider{broken: true})
	defer broken.Close()
	pact := pactPath(t, "web-orders-api.json")

	// verify, correct provider: results JSON on stdout ("-"), which must be the CLI's stdout.
	code, stdout, stderr := runCLI(t, nil, "verify", "-q", "--pact", pact, "--provider-base-url", good.URL,
		"--state-change-url", good.URL+"/_pact/state", "--json", "-")
	if code != 0 {
		t.Fatalf("verify (correct provider): exit %d\n%s", code, stderr)
	}
	if err := os.WriteFile(in("verify-good.json"), []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := results.ReadFile(in("verify-good.json")); err != nil {
		t.Fatalf("verify --json - did not write the results on the CLI's stdout: %v", err)
	}
	// verify, broken provider: mismatches, exit 1, results and its own HTML report.
	code, _, stderr = runCLI(t, nil, "verify", "-q", "--pact", pact, "--provider-base-url", broken.URL,
		"--json", in("verify-broken.json"), "--html", in("verify-broken.html"))
	if code != 1 {
		t.Fatalf("verify (broken provider): exit %d, want 1\n%s", code, stderr)
	}

	// bench rest against the correct provider, with one 503 in 20 requests.
	var n atomic.Int64
	benchSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%20 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		(&ordersProvider{}).ServeHTTP(w, r)
	}))
	defer benchSrv.Close()
	code, _, stderr = runCLI(t, nil, "bench", "rest", "-q", "--url", benchSrv.URL, "--path", "/orders/o-1",
		"--rate", "200/s", "-d", "3s", "--max-in-flight", "8", "--threshold", "p99<5s", "--threshold", "error_rate<1%",
		"--out", in("bench.json"))
	if code != 1 {
		t.Fatalf("bench rest: exit %d, want 1 (error_rate<1%% breached by the 503s)\n%s", code, stderr)
	}

	code, _, stderr = runCLI(t, nil, "report", "merge", in("verify-good.json"), in("verify-broken.json"), in("bench.json"),
		"--out", in("merged.json"))
	if code != 0 {
		t.Fatalf("report merge: exit %d\n%s", code, stderr)
	}
	merged, err := results.ReadFile(in("merged.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s := merged.Verification.Summary; s.Passed != 3 || s.Failed != 3 || len(merged.Workloads) != 1 {
		t.Fatalf("merged: verification %+v, %d workloads; want 3 passed, 3 failed, 1 workload", s, len(merged.Workloads))
	}
	w := merged.Workloads[0]
	if w.Errors["http_5xx"] == 0 || w.Totals.Requests < 400 || len(w.Series) < 2 { // 3 s at 1 s per point, the last may fold on a busy machine
		t.Fatalf("bench workload: totals %+v, errors %v, %d series points", w.Totals, w.Errors, len(w.Series))
	}

	code, stdout, stderr = runCLI(t, nil, "report", "render", in("merged.json"), "--html", in("report.html"),
		"--junit", in("junit.xml"), "--md", in("summary.md"), "--step-summary="+in("step-summary.md"))
	if code != 0 || !strings.Contains(stdout, "FAIL") {
		t.Fatalf("report render: exit %d\n%s\n%s", code, stdout, stderr)
	}
	checkJUnit(t, in("junit.xml"), 6+3, 3+1) // 6 interactions and 3 thresholds (succeeded>0 by default); 3 mismatching interactions and error_rate<1% fail
	for _, p := range []string{in("summary.md"), in("step-summary.md")} {
		if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), "FAIL") {
			t.Errorf("%s: %v\n%s", p, err, b)
		}
	}

	b := browsertest.Start(t)
	page := b.Open(t, in("report.html"), "e2e-report")
	t.Log(page)
	if len(page.Charts) != 3 || page.ChartsDrawn() != len(page.Charts) {
		t.Errorf("%d of %d charts drawn, want 3 of 3: %+v", page.ChartsDrawn(), len(page.Charts), page.Charts)
	}
	checkPage(t, page, "FAIL", "$.total", "Expected status 404", w.Name)

	vpage := b.Open(t, in("verify-broken.html"), "e2e-verify")
	t.Log(vpage)
	checkPage(t, vpage, "FAIL", "$.total", "Location")
}

// checkPage fails t on any request besides the page, any problem the browser reported, or text
// missing from the page.
func checkPage(t *testing.T, p *browsertest.Page, texts ...string) {
	t.Helper()
	for _, u := range p.ExternalRequests() {
		t.Errorf("%s requested %s", p.URL, u)
	}
	for _, pr := range p.Problems {
		t.Errorf("%s: browser reported %s", p.URL, pr)
	}
	for _, s := range texts {
		if !strings.Contains(p.Text, s) {
			t.Errorf("%s does not show %q", p.URL, s)
		}
	}
}

// checkJUnit parses the JUnit XML at path and checks its test and failure counts.
func checkJUnit(t *testing.T, path string, tests, failures int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("junit %s: %v", path, err)
	}
	if doc.Tests != tests || doc.Failures != failures {
		t.Errorf("junit %s: %d tests, %d failures; want %d, %d", path, doc.Tests, doc.Failures, tests, failures)
	}
}
