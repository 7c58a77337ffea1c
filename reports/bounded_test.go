package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

// TestLongMismatchValuesAreCut: a mismatch whose values are whole 2 MB bodies is shown cut, with
// its full size said, by every renderer; the reports stay small.
func TestLongMismatchValuesAreCut(t *testing.T) {
	body := strings.Repeat(`{"k": "v"}`+"\n", 200_000) // 2.2 MB
	f := &results.File{Schema: results.Schema, Run: results.Run{ID: "r", Command: "verify"},
		Verification: &results.Verification{Interactions: []results.Interaction{{
			Consumer: "c", Provider: "p", Description: "big", Transport: "http", Status: results.StatusFailed,
			Mismatches: []results.Mismatch{{Category: "body", Path: "$", Expected: body, Actual: body + "x",
				Message: "Expected body " + body + " but received " + body}},
		}}}}
	f.Verification.Summary = results.Summarize(f.Verification.Interactions)
	want := "bytes in all)"
	for name, render := range map[string]func(io.Writer) error{
		"text":     func(w io.Writer) error { return Text(w, f, false) },
		"markdown": func(w io.Writer) error { return Markdown(w, f) },
		"junit":    func(w io.Writer) error { return JUnit(w, f) },
		"html":     func(w io.Writer) error { return HTML(w, f) },
	} {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// HTML embeds its assets (~100-200 KB); the values may add at most a few KiB each, which
		// XML escaping (&#34; for each quote) may triple in JUnit
		limit := 32 << 10
		if name == "junit" {
			limit = 64 << 10
		}
		if name != "html" && buf.Len() > limit || buf.Len() > 600<<10 {
			t.Errorf("%s: %d bytes for a 2 MB mismatch", name, buf.Len())
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s: the cut value does not say its full size (%q)", name, want)
		}
	}
}

func TestCut(t *testing.T) {
	if got := results.Cut("héllo", 2); got != "h… (6 bytes in all)" {
		t.Errorf("Cut = %q", got)
	}
	if got := results.Cut("short", 10); got != "short" {
		t.Errorf("Cut = %q", got)
	}
	m := results.Mismatch{Expected: strings.Repeat("a", results.MaxMismatchValueBytes+1)}.Bounded()
	if len(m.Expected) > results.MaxMismatchValueBytes+40 || !strings.HasSuffix(m.Expected, "(65537 bytes in all)") {
		t.Errorf("Bounded kept %d bytes", len(m.Expected))
	}
}

// FuzzRenderResults renders arbitrary results files (commbench report render reads files from
// anywhere): no renderer panics, and the terminal summary holds no raw control character but
// the colour-free line breaks and tabs it writes itself.
func FuzzRenderResults(f *testing.F) {
	f.Add([]byte(`{"schema":"commbench.results/v1","run":{"id":"r\u001b[2J","command":"verify","error":"x\n::error::y"},
		"verification":{"summary":{"total":1,"failed":1},"interactions":[{"consumer":"c\u0007","provider":"p","description":"d\n::add-mask::",
		"status":"failed","mismatches":[{"category":"body","path":"$","expected":"\u009b","actual":"\u0000","message":"m"}]}]}}`))
	f.Add([]byte(`{"schema":"commbench.results/v1","workloads":[{"name":"w\r","driver":"rest","errors":{"e\u001b":1},"thresholds":[{"expr":"p99<1ms","metric":"p99"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var file results.File
		if json.Unmarshal(b, &file) != nil {
			return
		}
		var text bytes.Buffer
		if err := Text(&text, &file, false); err != nil {
			t.Fatal(err)
		}
		for _, r := range text.String() {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("text summary holds %U raw:\n%q", r, text.String())
			}
		}
		for _, render := range []func(io.Writer, *results.File) error{Markdown, JUnit, HTML} {
			if err := render(io.Discard, &file); err != nil {
				t.Fatal(err)
			}
		}
	})
}
