package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// TestDemo runs `commbench demo` in-process with 1 s workloads: on the example shop it exits 0
// and writes every report, with the HTML self-contained; with --break it exits 1 and the reports
// show the drift (the renamed status field, the wrong status code).
func TestDemo(t *testing.T) {
	env := []string{"COMMBENCH_AMQP_URL=" + testenv.AMQPURL(t)}
	tests := []struct {
		name   string
		args   []string
		code   int
		passed int
		drift  []string
	}{
		{"correct shop", nil, 0, 6, nil},
		{"broken shop", []string{"--break"}, 1, 3, []string{"missing the key(s) status", "Expected status 404 but received 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, env, append([]string{"demo", "--out", out, "--duration", "1s"}, tt.args...)...)
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
			assertSelfContained(t, page)
			for _, name := range []string{"report.html", "junit.xml", "report.md"} {
				raw, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range tt.drift {
					if !strings.Contains(html.UnescapeString(string(raw)), d) {
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

// assertSelfContained checks that the page at path needs nothing but itself: no element loads
// a URL (scripts, styles, images, frames, fonts), no CSS import. The reports package's Chromium
// test proves the same renderer's pages draw without errors in a browser.
func assertSelfContained(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z := html.NewTokenizer(bytes.NewReader(raw))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			key, val := string(k), strings.TrimSpace(string(v))
			loads := key == "src" || key == "srcset" || (key == "href" && string(name) == "link") || key == "data" || key == "poster"
			if loads && val != "" && !strings.HasPrefix(val, "data:") && !strings.HasPrefix(val, "#") {
				t.Errorf("%s: <%s %s=%q> loads something from outside the page", path, name, key, val)
			}
		}
	}
	if bytes.Contains(raw, []byte("@import")) || bytes.Contains(raw, []byte("url(http")) {
		t.Errorf("%s: CSS loads something from outside the page", path)
	}
	if !bytes.Contains(raw, []byte("<svg")) {
		t.Errorf("%s: no inline SVG chart", path)
	}
}
