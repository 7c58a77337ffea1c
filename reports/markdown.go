package reports

import (
	"fmt"
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
	mdFailures(ew, f)

	if vf := f.Verification; vf != nil {
		s := vf.Summary
		ew.printf("\n#### Contracts\n\n| total | passed | failed | pending failed | skipped | errors |\n|---:|---:|---:|---:|---:|---:|\n")
		ew.printf("| %d | %d | %d | %d | %d | %d |\n", s.Total, s.Passed, s.Failed, s.PendingFailed, s.Skipped, s.Errors)
		brokerPactsMarkdown(ew, vf.Pacts)
		var pending []results.Interaction // the others lead the summary (mdFailures)
		for _, in := range failedInteractions(vf) {
			if in.Pending {
				pending = append(pending, in)
			}
		}
		for i, in := range pending {
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
			ew.printf("| %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", mdEsc(runName(wl)), mdEsc(wl.Driver), mdEsc(wl.Operation),
				wl.Totals.Requests, fmtRate(wl.Totals.ThroughputPerS), fmtPct(wl.Totals.ErrorRate), p50, p99, pmax)
		}
		for _, wl := range f.Workloads {
			if r := rateLine(wl); r != "" {
				mark := ""
				if wl.FellBehind {
					mark = "⚠️ "
				}
				ew.printf("\n%s%s: %s\n", mark, mdEsc(runName(wl)), mdEsc(r))
			}
			if l := wl.FailedLatency; l != nil && l.Count > 0 {
				ew.printf("\n%s: %d failed operations, latency p50 %s, p99 %s (not in the percentiles above)\n", mdEsc(runName(wl)), l.Count, fmtMS(l.P50MS), fmtMS(l.P99MS))
			}
			var cells []string
			for _, r := range statusRows(wl) {
				cells = append(cells, fmt.Sprintf("%s %d", mdEsc(r.Status), r.Count))
			}
			if len(cells) > 0 {
				ew.printf("\n%s status codes: %s\n", mdEsc(runName(wl)), strings.Join(cells, " · "))
			}
		}
		for _, wl := range f.Workloads {
			if t := wl.Totals; t.MessagesSent+t.MessagesReceived > 0 {
				ew.printf("\n%s: %d streams, %d messages sent, %d received\n", mdEsc(runName(wl)), t.Succeeded, t.MessagesSent, t.MessagesReceived)
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
				ew.printf("| %s | %d | %d | %d | %d | %d | %d | %s |\n", mdEsc(runName(wl)), i.Sent, i.Acknowledged, i.Received, i.Lost, i.Duplicates, i.OutOfOrder, fmtPct(i.LossRate))
			}
			for _, wl := range integ {
				if x := extraIntegrity(wl.Integrity); x != "" {
					ew.printf("\n%s integrity: %s\n", mdEsc(runName(wl)), mdEsc(x))
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
					ew.printf("| %s%s | %s | %s | %s |\n", mdEsc(t.Expr), defaultMark(t), mdEsc(runName(wl)), fmtMetric(t.Metric, t.Actual), r)
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

// brokerPactsMarkdown lists the pacts a Pact Broker selected: URL, pending/WIP status, whether the
// results were published, and the broker's notices.
func brokerPactsMarkdown(ew *errWriter, pacts []results.BrokerPact) {
	if len(pacts) == 0 {
		return
	}
	ew.printf("\n#### Pacts from the Pact Broker\n\n")
	for _, p := range pacts {
		var status []string
		if p.WIP {
			status = append(status, "WIP")
		}
		if p.Pending {
			status = append(status, "pending")
		}
		if p.Published {
			status = append(status, "results published")
		}
		if p.PublishError != "" {
			status = append(status, "results not published: "+p.PublishError)
		}
		ew.printf("- **%s → %s** `%s`", mdEsc(p.Consumer), mdEsc(p.Provider), mdCode(redactString(p.URL)))
		if len(status) > 0 {
			ew.printf(" (%s)", mdEsc(strings.Join(status, ", ")))
		}
		ew.printf("\n")
		for _, n := range p.Notices {
			ew.printf("  - %s\n", mdEsc(n.Text))
		}
	}
}

// maxMarkdownDiffLines bounds the diff lines shown per mismatch in the Markdown summary.
const maxMarkdownDiffLines = 12

// mdFailures writes the "What failed" section: breached thresholds, then each failed or errored
// interaction (pending ones excluded) with the request sent and each mismatch at its path with
// the differing lines of expected (-) and actual (+).
func mdFailures(ew *errWriter, f *results.File) {
	ths := failedThresholds(f)
	var ins []results.Interaction
	if f.Verification != nil {
		for _, in := range failedInteractions(f.Verification) {
			if !in.Pending {
				ins = append(ins, in)
			}
		}
	}
	if len(ths) == 0 && len(ins) == 0 {
		return
	}
	ew.printf("\n#### What failed\n\n")
	for _, t := range ths {
		ew.printf("- ❌ threshold `%s` on **%s**: actual %s\n", mdCode(t.T.Expr), mdEsc(t.Workload), fmtMetric(t.T.Metric, t.T.Actual))
	}
	for i, in := range ins {
		in = shownInteraction(in) // values cut as in every report
		if i == maxMarkdownFailures {
			ew.printf("- … and %d more failed interactions: see the HTML report\n", len(ins)-i)
			break
		}
		ew.printf("- ❌ **%s → %s**: %s (%s, %s)\n", mdEsc(in.Consumer), mdEsc(in.Provider), mdEsc(in.Description), mdEsc(in.Transport), in.Status)
		if in.Reason != "" {
			ew.printf("  - %s\n", mdEsc(in.Reason))
		}
		if r := in.Request; r != nil {
			ew.printf("  - request sent: `%s`\n", mdCode(r.Method+" "+r.Path))
		}
		views := mismatchViews(in.Mismatches)
		for j, m := range views {
			if j == maxTextMismatches {
				ew.printf("  - … and %d more mismatches: see the HTML report\n", len(views)-j)
				break
			}
			where := ""
			if m.Path != "" {
				where = " `" + mdCode(m.Path) + "`"
			}
			ew.printf("  - %s%s: %s\n", mdEsc(m.Category), where, mdEsc(m.Message))
			lines := changedLines(m.Diff, 1)
			if len(lines) == 0 {
				continue
			}
			ew.printf("\n    ```diff\n")
			for k, l := range lines {
				if k == maxMarkdownDiffLines {
					ew.printf("    … %d more lines\n", len(lines)-k)
					break
				}
				mark := "  "
				switch l.Op {
				case "del":
					mark = "- "
				case "ins":
					mark = "+ "
				}
				// A fence inside a value would close the block.
				ew.printf("    %s%s\n", mark, strings.ReplaceAll(clipValue(l.Text, 200), "```", "'''"))
			}
			ew.printf("    ```\n\n")
		}
	}
}
