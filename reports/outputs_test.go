package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

func TestWriteOutputs(t *testing.T) {
	dir := t.TempDir()
	f := sampleFile(t, 10)
	o := Outputs{
		HTML:        filepath.Join(dir, "out", "report.html"),
		JUnit:       filepath.Join(dir, "junit.xml"),
		Markdown:    filepath.Join(dir, "summary.md"),
		JSON:        filepath.Join(dir, "results.json"),
		StepSummary: filepath.Join(dir, "step-summary.md"),
	}
	for range 2 {
		if err := WriteOutputs(f, o); err != nil {
			t.Fatal(err)
		}
	}
	back, err := results.ReadFile(o.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if back.Run.ID != f.Run.ID || len(back.Workloads) != 2 || back.Workloads[0].Latency.Histogram != f.Workloads[0].Latency.Histogram {
		t.Error("results JSON does not round-trip")
	}
	b, err := os.ReadFile(o.HTML)
	if err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Fatalf("html: %v %.40q", err, b)
	}
	b, err = os.ReadFile(o.JUnit)
	if err != nil || xml.Unmarshal(b, new(JUnitSuites)) != nil {
		t.Fatalf("junit: %v", err)
	}
	md, _ := os.ReadFile(o.Markdown)
	step, _ := os.ReadFile(o.StepSummary)
	if n := bytes.Count(step, []byte("### ❌ commbench run")); n != 2 {
		t.Errorf("step summary has %d summaries after two writes, want 2 (appended)", n)
	}
	if !bytes.Contains(step, md) {
		t.Error("step summary differs from the Markdown summary")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteOutputsStdoutAndErrors(t *testing.T) {
	f := sampleFile(t, 3)
	var out bytes.Buffer
	if err := WriteOutputs(f, Outputs{Markdown: "-", Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "### ") {
		t.Errorf("markdown to stdout: %.40q", out.String())
	}
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(blocker, "junit.xml") // parent is a file
	good := filepath.Join(dir, "report.html")
	err := WriteOutputs(f, Outputs{JUnit: bad, HTML: good})
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "junit") {
		t.Fatalf("error %v does not name the junit file %s", err, bad)
	}
	if _, err := os.Stat(good); err != nil {
		t.Errorf("a failing output stopped the others: %v", err)
	}
}

func TestVerdict(t *testing.T) {
	failed := sampleFile(t, 2)
	passed := &results.File{Run: results.Run{Command: "bench"}}
	stopped := &results.File{Run: results.Run{Command: "bench", Error: "broker refused the connection", Interrupted: true}}
	tests := []struct {
		name string
		f    *results.File
		want string
	}{{"failed", failed, "FAIL"}, {"passed", passed, "PASS"}, {"stopped by an error", stopped, "ERROR"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var txt, md, page bytes.Buffer
			if err := Text(&txt, tt.f, false); err != nil {
				t.Fatal(err)
			}
			if err := Markdown(&md, tt.f); err != nil {
				t.Fatal(err)
			}
			if err := HTML(&page, tt.f); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(txt.String(), tt.want+" ") || !strings.Contains(md.String(), ": "+tt.want) || !strings.Contains(page.String(), `<div class="verdict">`+tt.want+`</div>`) {
				t.Errorf("verdict %s not shown:\n%s\n%s", tt.want, txt.String(), md.String())
			}
			if tt.want != "PASS" && (!strings.Contains(md.String(), "❌") || !strings.Contains(page.String(), `class="banner fail"`)) {
				t.Error("a non-passing run is not marked as such")
			}
		})
	}
}
