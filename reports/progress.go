package reports

import (
	"fmt"
	"io"

	"github.com/commbench/commbench/results"
)

// Interaction writes the verdict of one interaction as verification goes, for a terminal or a CI
// log: a line "✓ consumer → provider: description [transport] (status)", then its reason, the V4
// test name and comments, its warnings, and one indented line per mismatch with its expected and
// actual values. Every string from the pact or
// the provider is made safe by oneLine (internal/termsafe: control characters and line breaks
// escaped) and long values are cut as in every report (shownInteraction). With color, the line
// is painted with ANSI SGR. It returns the first write error.
func Interaction(w io.Writer, r results.Interaction, color bool) error {
	ew := &errWriter{w: w}
	r = shownInteraction(r)
	mark, paint := "✓", ansiGreen
	switch r.Status {
	case results.StatusFailed, results.StatusError:
		mark, paint = "✗", ansiRed
		if r.Pending {
			mark, paint = "!", ansiYell
		}
	case results.StatusSkipped:
		mark, paint = "-", "\x1b[90m"
	}
	status := r.Status
	if r.Pending {
		status += ", pending"
	}
	line := fmt.Sprintf("%s %s → %s: %s [%s] (%s)", mark, oneLine(r.Consumer), oneLine(r.Provider), oneLine(r.Description), oneLine(r.Transport), oneLine(status))
	if color {
		line = paint + line + ansiReset
	}
	ew.printf("%s\n", line)
	if r.Reason != "" {
		ew.printf("    %s\n", oneLine(r.Reason))
	}
	if r.TestName != "" { // V4 comments, as Pact's verifier prints them
		ew.printf("    test name: %s\n", oneLine(r.TestName))
	}
	for _, c := range r.Comments {
		ew.printf("    comment: %s\n", oneLine(c))
	}
	for _, warning := range r.Warnings {
		ew.printf("    warning: %s\n", oneLine(warning))
	}
	for _, m := range r.Mismatches {
		where := oneLine(m.Category)
		if m.Path != "" {
			where += " " + oneLine(m.Path)
		}
		ew.printf("    %s: %s\n", where, oneLine(m.Message))
		if m.Expected != "" || m.Actual != "" {
			ew.printf("      expected: %s\n      actual:   %s\n", compact(m.Expected), compact(m.Actual))
		}
	}
	return ew.err
}
