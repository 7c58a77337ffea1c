package reports

import (
	"bytes"
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
		// HTML embeds its assets (~100-200 KB); the values may add at most a few KiB each
		if limit := 32 << 10; name != "html" && buf.Len() > limit || buf.Len() > 600<<10 {
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
