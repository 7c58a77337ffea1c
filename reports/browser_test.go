package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/browsertest"
	"github.com/commbench/commbench/results"
)

// TestHTMLInChromium opens the report of a realistic 10-minute run (verification with every
// status, a REST and an AMQP workload) in headless Chromium from a file:// URL and checks through
// the DOM that every chart was laid out and drew its data, that nothing was logged as an error or
// thrown, and that the page requested nothing but itself. The screenshot goes to
// .artifacts/report-chromium.png. The same checks run on a broken page first, to show they catch
// what they look for.
func TestHTMLInChromium(t *testing.T) {
	b := browsertest.Start(t)
	f := sampleFile(t, 600)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteOutputs(f, Outputs{HTML: page}); err != nil {
		t.Fatal(err)
	}
	// A page that breaks each rule: a network request, a script exception, a console error.
	broken := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(broken, []byte(`<!DOCTYPE html><title>broken</title><div id="summary">x</div>
<img src="http://127.0.0.1:9/pixel.png"><script>console.error("boom"); null.f()</script><footer></footer>`), 0o644); err != nil {
		t.Fatal(err)
	}

	bad := b.Open(t, broken, "report-chromium-broken")
	var external, exception, consoleErr bool
	for _, u := range bad.ExternalRequests() {
		external = external || strings.HasPrefix(u, "http://127.0.0.1:9/")
	}
	for _, p := range bad.Problems {
		exception = exception || strings.HasPrefix(p, "exception:")
		consoleErr = consoleErr || strings.Contains(p, "boom")
	}
	if !external || !exception || !consoleErr {
		t.Fatalf("the checks miss a broken page: request seen %v, exception seen %v, console error seen %v\nrequests %q\nproblems %q",
			external, exception, consoleErr, bad.Requests, bad.Problems)
	}

	v := b.Open(t, page, "report-chromium")
	if !strings.Contains(v.Title, "FAIL") || !strings.Contains(v.Text, "FAIL") {
		t.Errorf("title %q / page text lack the verdict", v.Title)
	}
	if want := 3 * len(f.Workloads); len(v.Charts) != want || v.ChartsDrawn() != want {
		t.Fatalf("%d charts in the DOM, %d drawn, want %d", len(v.Charts), v.ChartsDrawn(), want)
	}
	for _, c := range v.Charts {
		if c.Width < 300 {
			t.Errorf("chart %s laid out %.0f px wide", c.ID, c.Width)
		}
		if len(c.Paths) < 2 {
			t.Errorf("chart %s drew %d series, want at least 2", c.ID, len(c.Paths))
		}
		for i, l := range c.Paths {
			if l < 100 {
				t.Errorf("chart %s series %d is %.0f px long: not drawn", c.ID, i, l)
			}
		}
	}
	for _, u := range v.ExternalRequests() {
		t.Errorf("the page requested %s", u)
	}
	for _, p := range v.Problems {
		t.Errorf("browser reported: %s", p)
	}
	// What failed leads the page: before the contracts and the first workload.
	wf, contracts, workload := strings.Index(v.Text, "What failed"), strings.Index(v.Text, "Contract results"), strings.Index(v.Text, "Workload ")
	if wf < 0 || wf > contracts || wf > workload || !strings.Contains(v.Text, "Request sent") {
		t.Errorf("the page does not lead with what failed (at %d, contracts at %d, first workload at %d)", wf, contracts, workload)
	}
	t.Log(v)

	// A passing report of the same run: no failure section, the charts still drawn.
	pass := passingFile(f)
	passPage := filepath.Join(dir, "pass.html")
	if err := WriteOutputs(pass, Outputs{HTML: passPage}); err != nil {
		t.Fatal(err)
	}
	pv := b.Open(t, passPage, "report-chromium-pass")
	if !strings.Contains(pv.Title, "PASS") || strings.Contains(pv.Text, "What failed") || pv.ChartsDrawn() != 3*len(pass.Workloads) {
		t.Errorf("passing report: title %q, %d of %d charts drawn, What failed shown: %v", pv.Title, pv.ChartsDrawn(), len(pv.Charts), strings.Contains(pv.Text, "What failed"))
	}
	for _, p := range pv.Problems {
		t.Errorf("browser reported on the passing report: %s", p)
	}
	t.Log(pv)
}

// passingFile is f with only its passed interactions and thresholds.
func passingFile(f *results.File) *results.File {
	p := *f
	v := &results.Verification{}
	for _, in := range f.Verification.Interactions {
		if in.Status == results.StatusPassed {
			v.Interactions = append(v.Interactions, in)
		}
	}
	v.Summary = results.Summarize(v.Interactions)
	p.Verification = v
	p.Workloads = nil
	for _, w := range f.Workloads {
		var ths []results.Threshold
		for _, t := range w.Thresholds {
			if t.Passed {
				ths = append(ths, t)
			}
		}
		w.Thresholds = ths
		p.Workloads = append(p.Workloads, w)
	}
	return &p
}
