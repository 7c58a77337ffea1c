package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/commbench/commbench/internal/termsafe"
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

// textCols is the width the terminal summary fits (user text is cut to it), and
// maxTextDiffLines the differing lines shown per mismatch.
const (
	textCols         = 80
	maxTextDiffLines = 6
)

// Text writes the terminal summary of f to w, laid out for 80 columns: the verdict, contract
// counts with every failed interaction, the request it sent and its first mismatches (path,
// message, the differing lines of expected - and actual +), a table of workloads (requests, throughput, error rate,
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
	tw.printf("%s  commbench %s, run %s, %s", status(paint(ansiBold, v)), oneLine(f.Run.Command), oneLine(f.Run.ID), fmtDuration(runDuration(f.Run)))
	if f.Run.Interrupted {
		tw.printf(" (interrupted: figures are partial)")
	}
	tw.printf("\n")
	if f.Run.Interrupted {
		tw.printf("  interrupted: the figures are partial\n")
	}
	if f.Run.Error != "" {
		tw.printf("  error: %s\n", oneLine(f.Run.Error))
	}

	if vf := f.Verification; vf != nil {
		s := vf.Summary
		tw.printf("\nContracts: %d/%d passed, %d failed, %d pending failed, %d skipped, %d errors\n",
			s.Passed, s.Total, s.Failed, s.PendingFailed, s.Skipped, s.Errors)
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
			tw.printf("  %s  %s\n", status(label), clip(oneLine(fmt.Sprintf("%s -> %s: %q (%s)", in.Consumer, in.Provider, in.Description, in.Transport)), textCols-4-len(label)))
			if in.Reason != "" {
				tw.printf("      %s\n", clip(oneLine(in.Reason), textCols-6))
			}
			if r := in.Request; r != nil {
				tw.printf("      request: %s\n", clip(oneLine(r.Method+" "+r.Path), textCols-15))
			}
			views := mismatchViews(in.Mismatches)
			for i, m := range views {
				if i == maxTextMismatches {
					tw.printf("      … and %d more\n", len(views)-i)
					break
				}
				where := m.Category
				if m.Path != "" {
					where += " " + m.Path
				}
				tw.printf("      %s\n", clip(oneLine(where+": "+m.Message), textCols-6))
				for j, l := range changedLines(m.Diff, 0) {
					if j == maxTextDiffLines {
						tw.printf("        …\n")
						break
					}
					mark := "  "
					switch l.Op {
					case "del":
						mark = paint(ansiRed, "- ")
					case "ins":
						mark = paint(ansiGreen, "+ ")
					}
					tw.printf("        %s%s\n", mark, clip(oneLine(strings.TrimSpace(l.Text)), textCols-10))
				}
			}
		}
	}

	if len(f.Workloads) > 0 {
		tw.printf("\nWorkloads:\n")
		tab := tabwriter.NewWriter(tw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tab, "  NAME\tREQUESTS\tTHROUGHPUT\tERRORS\tP50\tP99\tMAX")
		for _, wl := range f.Workloads {
			p50, p99, pmax := "-", "-", "-"
			if l := wl.Latency; l != nil && l.Count > 0 {
				p50, p99, pmax = fmtMS(l.P50MS), fmtMS(l.P99MS), fmtMS(l.MaxMS)
			}
			fmt.Fprintf(tab, "  %s\t%d\t%s\t%s\t%s\t%s\t%s\n", clip(oneLine(runName(wl)), 24),
				wl.Totals.Requests, fmtRate(wl.Totals.ThroughputPerS), fmtPct(wl.Totals.ErrorRate), p50, p99, pmax)
		}
		tab.Flush()
		for _, wl := range f.Workloads {
			if r := rateLine(wl); r != "" {
				tw.printf("  %s rate: %s\n", oneLine(runName(wl)), r)
			}
			if l := wl.FailedLatency; l != nil && l.Count > 0 {
				tw.printf("  %s failed operations: %d, latency p50 %s, p99 %s, max %s (not in the percentiles above)\n", oneLine(runName(wl)), l.Count, fmtMS(l.P50MS), fmtMS(l.P99MS), fmtMS(l.MaxMS))
			}
			if t := wl.Totals; t.MessagesSent+t.MessagesReceived > 0 {
				tw.printf("  %s streams: %d, messages sent %d, received %d\n", oneLine(runName(wl)), t.Succeeded, t.MessagesSent, t.MessagesReceived)
			}
			if i := wl.Integrity; i != nil {
				tw.printf("  %s integrity: sent %d, acknowledged %d, received %d\n", clip(oneLine(runName(wl)), 24), i.Sent, i.Acknowledged, i.Received)
				tw.printf("    lost %d (%s), duplicates %d (%s), out of order %d (%s)\n",
					i.Lost, fmtPct(i.LossRate), i.Duplicates, fmtPct(i.DuplicateRate), i.OutOfOrder, fmtPct(i.OutOfOrderRate))
				if x := extraIntegrity(i); x != "" {
					tw.printf("    %s\n", x)
				}
			}
			if errs := sortedErrors(wl.Errors); len(errs) > 0 {
				parts := make([]string, len(errs))
				for i, e := range errs {
					parts[i] = fmt.Sprintf("%s %d", oneLine(e.Key), e.Count)
				}
				tw.printf("  %s errors: %s\n", oneLine(runName(wl)), strings.Join(parts, ", "))
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
					tw.printf("  %s  %s: %s\n", status(s), oneLine(runName(wl)), oneLine(thresholdLine(t)))
				}
			}
		}
	}
	if len(f.SkippedWorkloads) > 0 {
		tw.printf("\nSkipped workloads:\n")
		for _, sw := range f.SkippedWorkloads {
			tw.printf("  %s  %s (%s %s): %s\n", status("SKIP"), oneLine(sw.Name), oneLine(sw.Driver), oneLine(sw.Operation), oneLine(sw.Reason))
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
		s += fmt.Sprintf(" (expected %s, actual %s)", clipValue(m.Expected, 80), clipValue(m.Actual, 80))
	}
	return s
}

// oneLine is internal/termsafe's Line: user text with line breaks and control characters escaped
// ("\n", "\x1b"), so it can neither forge terminal or CI log lines nor send escape sequences.
func oneLine(s string) string { return termsafe.Line(s) }

// compact is s on one line with runs of white space collapsed (multi-line JSON values), then made
// safe as oneLine does.
func compact(s string) string { return oneLine(strings.Join(strings.Fields(s), " ")) }

// clipValue is a mismatch value on one line, at most n runes; a value cut says its full size:
// `{"id": "a… (63000000 bytes in all)`.
func clipValue(s string, n int) string {
	head := s
	if len(head) > 4*n {
		head = strings.ToValidUTF8(head[:4*n], "")
	}
	flat := compact(head)
	r := []rune(flat)
	if len(head) == len(s) && len(r) <= n {
		return flat
	}
	return string(r[:min(len(r), n-1)]) + fmt.Sprintf("… (%d bytes in all)", len(s))
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

// clip shortens s to n runes with an ellipsis (n < 2 leaves s as it is).
func clip(s string, n int) string {
	r := []rune(s)
	if n < 2 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
