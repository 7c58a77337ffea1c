package reports

import (
	"io"
	"strings"

	"github.com/commbench/commbench/results"
)

// maxMarkdownFailures bounds the failed interactions listed in the Markdown summary; GitHub
// limits a comment to 65536 characters and $GITHUB_STEP_SUMMARY to 1 MiB.
const maxMarkdownFailures = 20

// Markdown writes a compact GitHub-flavoured Markdown summary of f to w, for pull-request
// comments and $GITHUB_STEP_SUMMARY: the verdict, contract counts, failed interactions with
// their first mismatches, a workload table, integrity and thresholds. User text is escaped (HTML
// special characters as entities, Markdown punctuation with backslashes, line breaks flattened) so
// it renders literally. It returns the first write error.
func Markdown(w io.Writer, f *results.File) error {
	ew := &errWriter{w: w}
	icon := "✅"
	if verdict(f) != "PASS" {
		icon = "❌"
	}
	ew.printf("### %s commbench %s: %s\n\n", icon, mdEsc(f.Run.Command), verdict(f))
	ew.printf("Run `%s`, %s", mdCode(f.Run.ID), fmtDuration(runDuration(f.Run)))
	if f.Run.Interrupted {
		ew.printf(", **interrupted** (figures are partial)")
	}
	ew.printf(".\n")
	if f.Run.Error != "" {
		ew.printf("\n> **Error:** %s\n", mdEsc(f.Run.Error))
	}

	if vf := f.Verification; vf != nil {
		s := vf.Summary
		ew.printf("\n#### Contracts\n\n| total | passed | failed | pending failed | skipped | errors |\n|---:|---:|---:|---:|---:|---:|\n")
		ew.printf("| %d | %d | %d | %d | %d | %d |\n", s.Total, s.Passed, s.Failed, s.PendingFailed, s.Skipped, s.Errors)
		for i, in := range failedInteractions(vf) {
			if i == 0 {
				ew.printf("\n")
			}
			if i == maxMarkdownFailures {
				ew.printf("- … and more: see the HTML report\n")
				break
			}
			label := in.Status
			if in.Pending {
				label = "pending, " + label
			}
			ew.printf("- **%s → %s**: %s (%s, %s)\n", mdEsc(in.Consumer), mdEsc(in.Provider), mdEsc(in.Description), mdEsc(in.Transport), label)
			for _, note := range failureNotes(in, maxTextMismatches) {
				ew.printf("  - %s\n", mdEsc(note))
			}
		}
	}

	if len(f.Workloads) > 0 {
		ew.printf("\n#### Workloads\n\n| workload | driver | operation | requests | throughput | error rate | p50 | p99 | max |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n")
		for _, wl := range f.Workloads {
			p50, p99, pmax := "–", "–", "–"
			if l := wl.Latency; l != nil && l.Count > 0 {
				p50, p99, pmax = fmtMS(l.P50MS), fmtMS(l.P99MS), fmtMS(l.MaxMS)
			}
			ew.printf("| %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", mdEsc(wl.Name), mdEsc(wl.Driver), mdEsc(wl.Operation),
				wl.Totals.Requests, fmtRate(wl.Totals.ThroughputPerS), fmtPct(wl.Totals.ErrorRate), p50, p99, pmax)
		}
		for _, wl := range f.Workloads {
			if r := rateLine(wl); r != "" {
				mark := ""
				if wl.FellBehind {
					mark = "⚠️ "
				}
				ew.printf("\n%s%s: %s\n", mark, mdEsc(wl.Name), mdEsc(r))
			}
			if l := wl.FailedLatency; l != nil && l.Count > 0 {
				ew.printf("\n%s: %d failed operations, latency p50 %s, p99 %s (not in the percentiles above)\n", mdEsc(wl.Name), l.Count, fmtMS(l.P50MS), fmtMS(l.P99MS))
			}
			if t := wl.Totals; t.MessagesSent+t.MessagesReceived > 0 {
				ew.printf("\n%s: %d streams, %d messages sent, %d received\n", mdEsc(wl.Name), t.Succeeded, t.MessagesSent, t.MessagesReceived)
			}
		}
		var integ []results.Workload
		for _, wl := range f.Workloads {
			if wl.Integrity != nil {
				integ = append(integ, wl)
			}
		}
		if len(integ) > 0 {
			ew.printf("\n| integrity | sent | acknowledged | received | lost | duplicates | out of order | loss rate |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
			for _, wl := range integ {
				i := wl.Integrity
				ew.printf("| %s | %d | %d | %d | %d | %d | %d | %s |\n", mdEsc(wl.Name), i.Sent, i.Acknowledged, i.Received, i.Lost, i.Duplicates, i.OutOfOrder, fmtPct(i.LossRate))
			}
			for _, wl := range integ {
				if x := extraIntegrity(wl.Integrity); x != "" {
					ew.printf("\n%s integrity: %s\n", mdEsc(wl.Name), mdEsc(x))
				}
			}
		}
		if total, _ := thresholdCounts(f); total > 0 {
			ew.printf("\n| threshold | workload | actual | result |\n|---|---|---:|---|\n")
			for _, wl := range f.Workloads {
				for _, t := range wl.Thresholds {
					r := "✅ pass"
					if !t.Passed {
						r = "❌ fail"
					}
					ew.printf("| %s%s | %s | %s | %s |\n", mdEsc(t.Expr), defaultMark(t), mdEsc(wl.Name), fmtMetric(t.Metric, t.Actual), r)
				}
			}
		}
	}
	if len(f.SkippedWorkloads) > 0 {
		ew.printf("\n| skipped workload | driver | operation | reason |\n|---|---|---|---|\n")
		for _, sw := range f.SkippedWorkloads {
			ew.printf("| ⏭ %s | %s | %s | %s |\n", mdEsc(sw.Name), mdEsc(sw.Driver), mdEsc(sw.Operation), mdEsc(sw.Reason))
		}
	}
	return ew.err
}

var mdReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`, "~", `\~`,
)

// mdEsc makes user text literal in Markdown (also inside table cells).
func mdEsc(s string) string { return mdReplacer.Replace(oneLine(s)) }

// mdCode makes s safe inside a single-backtick code span.
func mdCode(s string) string { return strings.ReplaceAll(oneLine(s), "`", "'") }
