package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/commbench/commbench/internal/browsertest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// TestDemo runs `commbench demo` in-process with 2 s workloads (a chart needs 2 points): on the example shop it exits 0
// and writes every report, with the HTML self-contained; with --break it exits 1 and the reports
// show the drift (the renamed status field, the wrong status code).
func TestDemo(t *testing.T) {
	env := []string{"COMMBENCH_AMQP_URL=" + testenv.AMQPURL(t)}
	browser := browsertest.Start(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		passed int
		drift  [][]string // each drift shown in one of its wordings
	}{
		{"correct shop", nil, 0, 6, nil},
		{"broken shop", []string{"--break"}, 1, 3, [][]string{
			// JUnit keeps the matcher's sentence; HTML and Markdown show each missing key at its path
			{"missing the key(s) status", `Expected key "status" but it was missing`},
			{"Expected status 404 but received 200"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, env, append([]string{"demo", "--out", out, "--duration", "2s"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, stdout, stderr)
			}
			f, err := results.ReadFile(filepath.Join(out, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			if f.Run.Command != "demo" || f.Verification.Summary.Passed != tt.passed || f.Verification.Summary.Skipped != 0 || len(f.Workloads) != 4 {
				t.Fatalf("command %q, summary %+v, %d workloads", f.Run.Command, f.Verification.Summary, len(f.Workloads))
			}
			page := filepath.Join(out, "report.html")
			if !strings.Contains(stdout, page) {
				t.Errorf("stdout does not say where the report is:\n%s", stdout)
			}
			assertOpensOffline(t, browser, page, len(f.Workloads))
			for _, name := range []string{"report.html", "junit.xml", "report.md"} {
				raw, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				text := html.UnescapeString(string(raw))
				for _, d := range tt.drift {
					if !slices.ContainsFunc(d, func(s string) bool { return strings.Contains(text, s) }) {
						t.Errorf("%s does not show the drift %q", name, d)
					}
				}
			}
		})
	}
}

// TestDemoWithoutRabbitMQ: with no broker answering, the AMQP contract and workload are skipped
// with the command that starts one, never passed, and the demo still succeeds.
func TestDemoWithoutRabbitMQ(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, []string{"COMMBENCH_AMQP_URL=amqp://guest:guest@127.0.0.1:1/"}, "demo", "--out", out, "--duration", "1s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, err := results.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.Verification.Interactions {
		if in.Consumer == "billing" && (in.Status != results.StatusSkipped || !strings.Contains(in.Reason, "docker run")) {
			t.Errorf("AMQP interaction %s (%s), want skipped with how to start a broker", in.Status, in.Reason)
		}
	}
	for _, w := range f.Workloads {
		if w.Driver == "amqp" {
			t.Errorf("AMQP workload %s in the results although no broker answered", w.Name)
		}
	}
	if !strings.Contains(stdout, "skipped workload amqp-order-placed-protobuf") || f.Verification.Summary.Skipped != 1 {
		t.Errorf("skips not reported: summary %+v\n%s", f.Verification.Summary, stdout)
	}
}

// TestDemoOutsideRepository: the demo needs the repository's testdata and says so.
func TestDemoOutsideRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := runCLI(t, nil, "demo", "--duration", "1s")
	if code != 2 || !strings.Contains(stderr, "clone of the commbench repository") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// assertOpensOffline opens the page in headless Chromium (internal/browsertest): it must request
// nothing but itself, log no problem and draw every chart (3 per workload).
func assertOpensOffline(t *testing.T, b *browsertest.Browser, path string, workloads int) {
	t.Helper()
	p := b.Open(t, path, "demo-"+strings.ReplaceAll(t.Name(), "/", "-"))
	if ext := p.ExternalRequests(); len(ext) > 0 {
		t.Errorf("%s requests %v", path, ext)
	}
	if len(p.Problems) > 0 {
		t.Errorf("%s: problems in the browser: %v", path, p.Problems)
	}
	if len(p.Charts) != 3*workloads || p.ChartsDrawn() != len(p.Charts) {
		t.Errorf("%s: %d of %d charts drawn, want %d\n%+v", path, p.ChartsDrawn(), len(p.Charts), 3*workloads, p.Charts)
	}
}
