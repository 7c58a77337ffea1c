package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/commbench/commbench/results"
)

// ANSI SGR sequences for the terminal summary.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiYell  = "\x1b[33m"
)

// maxTextMismatches bounds the mismatches listed per interaction in the terminal and Markdown
// summaries (the HTML and JUnit reports list them all).
const maxTextMismatches = 5

// Text writes the terminal summary of f to w: the verdict, contract counts with every failed
// interaction and its first mismatches, a table of workloads (requests, throughput, error rate,
// p50/p99/max latency), integrity figures and threshold outcomes. With color, verdicts use ANSI
// colour (callers decide: not with --no-color, NO_COLOR or a non-terminal). It returns the first
// write error.
func Text(w io.Writer, f *results.File, color bool) error {
	tw := &errWriter{w: w}
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	status := func(s string) string {
		switch l := strings.ToLower(s); {
		case strings.Contains(l, "pending"):
			return paint(ansiYell, s)
		case strings.Contains(l, "fail") || strings.Contains(l, "error"):
			return paint(ansiRed, s)
		case strings.Contains(l, "pass"):
			return paint(ansiGreen, s)
		}
		return paint(ansiYell, s)
	}

	v := verdict(f)
	tw.printf("%s  commbench %s, run %s, %s", status(paint(ansiBold, v)), f.Run.Command, f.Run.ID, fmtDuration(runDuration(f.Run)))
	if f.Run.Interrupted {
		tw.printf(" (interrupted: figures are partial)")
	}
	tw.printf("\n")
	if f.Run.Error != "" {
		tw.printf("  error: %s\n", oneLine(f.Run.Error))
	}

	if vf := f.Verification; vf != nil {
		s := vf.Summary
		tw.printf("\nContracts: %d interactions: %d passed, %d failed, %d pending failed, %d skipped, %d errors\n",
			s.Total, s.Passed, s.Failed, s.PendingFailed, s.Skipped, s.Errors)
		if n := len(vf.Pacts); n > 0 {
			pending, wip, published := 0, 0, 0
			for _, p := range vf.Pacts {
				pending += btoi(p.Pending)
				wip += btoi(p.WIP)
				published += btoi(p.Published)
			}
			tw.printf("Pact Broker: %d pacts (%d pending, %d WIP), results published for %d\n", n, pending, wip, published)
		}
		for _, in := range failedInteractions(vf) {
			label := strings.ToUpper(in.Status)
			if in.Pending {
				label = "PENDING " + label
			}
			tw.printf("  %s  %s -> %s: %q (%s)\n", status(label), in.Consumer, in.Provider, in.Description, in.Transport)
			for _, note := range failureNotes(in, maxTextMismatches) {
				tw.printf("      %s\n", note)
			}
		}
	}

	if len(f.Workloads) > 0 {
		tw.printf("\nWorkloads:\n")
		tab := tabwriter.NewWriter(tw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tab, "  NAME\tDRIVER\tOPERATION\tREQUESTS\tTHROUGHPUT\tERRORS\tP50\tP99\tMAX")
		for _, wl := range f.Workloads {
			p50, p99, pmax := "-", "-", "-"
			if l := wl.Latency; l != nil && l.Count > 0 {
				p50, p99, pmax = fmtMS(l.P50MS), fmtMS(l.P99MS), fmtMS(l.MaxMS)
			}
			fmt.Fprintf(tab, "  %s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", oneLine(wl.Name), wl.Driver, wl.Operation,
				wl.Totals.Requests, fmtRate(wl.Totals.ThroughputPerS), fmtPct(wl.Totals.ErrorRate), p50, p99, pmax)
		}
		tab.Flush()
		for _, wl := range f.Workloads {
			if t := wl.Totals; t.MessagesSent+t.MessagesReceived > 0 {
				tw.printf("  %s streams: %d, messages sent %d, received %d\n", oneLine(wl.Name), t.Succeeded, t.MessagesSent, t.MessagesReceived)
			}
			if i := wl.Integrity; i != nil {
				tw.printf("  %s integrity: sent %d, acknowledged %d, received %d, lost %d (%s), duplicates %d (%s), out of order %d (%s)\n",
					oneLine(wl.Name), i.Sent, i.Acknowledged, i.Received, i.Lost, fmtPct(i.LossRate), i.Duplicates, fmtPct(i.DuplicateRate), i.OutOfOrder, fmtPct(i.OutOfOrderRate))
			}
			if errs := sortedErrors(wl.Errors); len(errs) > 0 {
				parts := make([]string, len(errs))
				for i, e := range errs {
					parts[i] = fmt.Sprintf("%s %d", oneLine(e.Key), e.Count)
				}
				tw.printf("  %s errors: %s\n", oneLine(wl.Name), strings.Join(parts, ", "))
			}
		}
		if total, _ := thresholdCounts(f); total > 0 {
			tw.printf("\nThresholds:\n")
			for _, wl := range f.Workloads {
				for _, t := range wl.Thresholds {
					s := "PASS"
					if !t.Passed {
						s = "FAIL"
					}
					tw.printf("  %s  %s: %s\n", status(s), oneLine(wl.Name), oneLine(thresholdLine(t)))
				}
			}
		}
	}
	if len(f.SkippedWorkloads) > 0 {
		tw.printf("\nSkipped workloads:\n")
		for _, sw := range f.SkippedWorkloads {
			tw.printf("  %s  %s (%s %s): %s\n", status("SKIP"), oneLine(sw.Name), sw.Driver, sw.Operation, oneLine(sw.Reason))
		}
	}
	return tw.err
}

// mismatchLine is "body $.items[0].qty: expected 2, actual "2" (message)".
func mismatchLine(m results.Mismatch) string {
	s := m.Category
	if m.Path != "" {
		s += " " + m.Path
	}
	s += ": " + oneLine(m.Message)
	if m.Expected != "" || m.Actual != "" {
		s += fmt.Sprintf(" (expected %s, actual %s)", clip(compact(m.Expected), 80), clip(compact(m.Actual), 80))
	}
	return s
}

// oneLine replaces line breaks and control characters so user text cannot forge terminal lines
// or escape sequences.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// compact is s on one line with runs of white space collapsed (multi-line JSON values).
func compact(s string) string { return strings.Join(strings.Fields(oneLine(s)), " ") }

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
