package reports

import (
	"fmt"
	"io"

	"github.com/commbench/commbench/results"
)

// Interaction writes the live line of one verified interaction to w, as `commbench verify` and
// `run` print them while verifying: a mark, consumer → provider: description [transport]
// (status), then the reason, the V4 test name and comments, the warnings, and one indented line
// per mismatch with its expected and actual values. With color, the line is green, red, yellow (pending) or grey (skipped). User text has
// its control characters escaped (oneLine).
func Interaction(w io.Writer, r results.Interaction, color bool) {
	mark, paint := "✓", "\x1b[32m"
	switch r.Status {
	case results.StatusFailed, results.StatusError:
		mark, paint = "✗", "\x1b[31m"
		if r.Pending {
			mark, paint = "!", "\x1b[33m"
		}
	case results.StatusSkipped:
		mark, paint = "-", "\x1b[90m"
	}
	status := r.Status
	if r.Pending {
		status += ", pending"
	}
	line := fmt.Sprintf("%s %s → %s: %s [%s] (%s)", mark, oneLine(r.Consumer), oneLine(r.Provider), oneLine(r.Description), r.Transport, status)
	if color {
		line = paint + line + "\x1b[0m"
	}
	fmt.Fprintln(w, line)
	if r.Reason != "" {
		fmt.Fprintf(w, "    %s\n", oneLine(r.Reason))
	}
	if r.TestName != "" { // V4 comments, as Pact's verifier prints them
		fmt.Fprintf(w, "    test name: %s\n", oneLine(r.TestName))
	}
	for _, c := range r.Comments {
		fmt.Fprintf(w, "    comment: %s\n", oneLine(c))
	}
	for _, warning := range r.Warnings {
		fmt.Fprintf(w, "    warning: %s\n", oneLine(warning))
	}
	for _, m := range r.Mismatches {
		where := m.Category
		if m.Path != "" {
			where += " " + m.Path
		}
		fmt.Fprintf(w, "    %s: %s\n", oneLine(where), oneLine(m.Message))
		if m.Expected != "" || m.Actual != "" {
			fmt.Fprintf(w, "      expected: %s\n      actual:   %s\n", oneLine(m.Expected), oneLine(m.Actual))
		}
	}
}
