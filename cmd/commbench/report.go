package main

import (
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
)

func newReportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render, merge and compare results files (HTML, JUnit XML, Markdown, JSON)",
		Long: `Work with the results files (schema commbench.results/v1) that verify, bench and run write.

  render   turn a results file into an HTML report, JUnit XML and a Markdown summary
  merge    merge results from several machines exactly (HDR histograms add)
  compare  compare results (repeated runs a side, tested for noise) and fail on a regression`,
		Example: `  commbench report render results.json --html report.html --junit junit.xml --md summary.md
  commbench report merge a.json b.json --out merged.json
  commbench report compare base.json new.json --max-regression p99=10%,throughput=5%`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newReportRenderCmd(a), newReportMergeCmd(a), newReportCompareCmd(a))
	return cmd
}

// reportFlags are the output flags shared by the report subcommands (and by verify, bench and run
// through reports.Outputs).
type reportFlags struct{ html, junit, md, out, stepSummary string }

// stepSummaryEnv is the value of a bare --step-summary: the file GitHub Actions names in
// $GITHUB_STEP_SUMMARY.
const stepSummaryEnv = "$GITHUB_STEP_SUMMARY"

// addStepSummary registers --step-summary[=FILE].
func (r *reportFlags) addStepSummary(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.stepSummary, "step-summary", "", "append the Markdown summary to this file; bare, to the file $GITHUB_STEP_SUMMARY names (nothing when unset)")
	cmd.Flags().Lookup("step-summary").NoOptDefVal = stepSummaryEnv
}

// stepSummaryPath resolves --step-summary: "" when not given, or given bare outside GitHub
// Actions (logged).
func (r *reportFlags) stepSummaryPath(a *app) string {
	if r.stepSummary != stepSummaryEnv {
		return r.stepSummary
	}
	p := a.Getenv("GITHUB_STEP_SUMMARY")
	if p == "" {
		a.log.Warn("--step-summary: GITHUB_STEP_SUMMARY is not set (not a GitHub Actions step); no step summary written")
	}
	return p
}

func (r *reportFlags) add(cmd *cobra.Command, withOut bool) {
	f := cmd.Flags()
	f.StringVar(&r.html, "html", "", "write a self-contained HTML report to this file")
	f.StringVar(&r.junit, "junit", "", "write JUnit XML (one testcase per interaction and threshold) to this file")
	f.StringVar(&r.md, "md", "", "write a Markdown summary (pull-request comment, $GITHUB_STEP_SUMMARY) to this file")
	if withOut {
		f.StringVarP(&r.out, "out", "o", "", "write the results JSON (commbench.results/v1) to this file ('-' for stdout)")
		f.StringVar(&r.out, "json", "", "the same as --out: the results JSON")
	}
}

func (r *reportFlags) outputs(a *app) reports.Outputs {
	return reports.Outputs{HTML: r.html, JUnit: r.junit, Markdown: r.md, JSON: r.out, StepSummary: r.stepSummaryPath(a), Stdout: a.stdout}
}

// readResults reads a results file; failures are usage errors (exit 2) naming the file.
func readResults(path string) (*results.File, error) {
	f, err := results.ReadFile(path)
	if err != nil {
		return nil, exitcode.Usagef("read results: %w", err)
	}
	return f, nil
}

// readResultsFiles reads results files (results.ReadFiles); failures are usage errors (exit 2)
// naming the file.
func readResultsFiles(paths []string) ([]*results.File, error) {
	files, err := results.ReadFiles(paths...)
	if err != nil {
		return nil, exitcode.Usagef("read results: %w", err)
	}
	return files, nil
}

func newReportRenderCmd(a *app) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "render results.json",
		Short: "Render a results file as HTML, JUnit XML and Markdown, and print its summary",
		Long: `Render a results file written by verify, bench or run. The terminal summary is printed on
stdout (not with --quiet); --html, --junit and --md write report files (parent directories are
created). --step-summary appends the Markdown summary to the job summary of a GitHub Actions
step ($GITHUB_STEP_SUMMARY; give a file as --step-summary=FILE). The exit code is 0 when the
files are written, whatever the results say.`,
		Example: `  commbench report render results.json --html report.html --junit junit.xml --md summary.md
  commbench report render results.json --html report.html --step-summary   # in a GitHub Actions step`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readResults(args[0])
			if err != nil {
				return err
			}
			if err := reports.WriteOutputs(f, rf.outputs(a)); err != nil {
				return err
			}
			if !a.quiet {
				return reports.Text(a.stdout, f, a.Color(a.stdout))
			}
			return nil
		},
	}
	rf.add(cmd, false)
	rf.addStepSummary(cmd)
	return cmd
}

func newReportMergeCmd(a *app) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "merge a.json b.json [more.json...] --out merged.json",
		Short: "Merge results files from several machines exactly",
		Long: `Merge results files, for load generated on several machines. Workloads with the same name
merge exactly: HDR histograms add and every percentile is recomputed, totals, error classes and
integrity counts add, rates are recomputed, and time series align by timestamp (per-second p50
and p99 become the largest of the parts, an upper bound). The merged results go to --out
(default stdout); --html, --junit and --md render them too.`,
		Example: `  commbench report merge host1.json host2.json --out merged.json --html merged.html`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := readResultsFiles(args)
			if err != nil {
				return err
			}
			m, err := results.Merge(files...)
			if err != nil {
				return exitcode.Usagef("%w (files: %s)", err, strings.Join(args, ", "))
			}
			o := rf.outputs(a)
			if o.JSON == "" {
				o.JSON = "-"
			}
			return reports.WriteOutputs(m, o)
		},
	}
	rf.add(cmd, true)
	rf.addStepSummary(cmd)
	return cmd
}

func newReportCompareCmd(a *app) *cobra.Command {
	var (
		rf     reportFlags
		limits string
	)
	cmd := &cobra.Command{
		Use:   "compare base.json new.json | compare base1.json base2.json... -- new1.json new2.json...",
		Short: "Compare results (repeated runs a side); exit 1 on a significant regression beyond --max-regression",
		Long: `Compare the workloads of the new results with those of the base (matched by name) and print a
table of changes: throughput, error rate, latency percentiles and integrity rates.

Each side may be several results files, and a file may hold repeated runs (bench --repeat N):
give two files, or the base files, "--", then the new files. Every run of a workload on a side
is a sample of that side, so the comparison knows the noise: with 4 or more runs a side it
compares the runs' figures, else the runs' per-second series (throughput, p50, p99). The
Mann–Whitney U test (as benchstat does) says whether a difference is beyond noise (p < 0.05);
the change is the Hodges–Lehmann estimate with its 95% confidence interval. A difference within
noise reads "no significant change". Metrics with one value a side (p99.9 of single runs) cannot
be tested: their plain relative change is shown and gated, and the output says so.

--max-regression sets the largest allowed regression per metric as a percentage of the base
value (a higher latency or error rate, a lower throughput). The exit code is 1 when a limited
metric is significantly worse beyond its limit or a workload of the base is missing.

Metrics: ` + strings.Join(results.MetricNames(), ", "),
		Example: `  commbench bench rest --url http://127.0.0.1:8080 --path /orders/o-1 -d 5s --repeat 5 -o base.json
  commbench bench rest --url http://127.0.0.1:8080 --path /orders/o-1 -d 5s --repeat 5 -o new.json
  commbench report compare base.json new.json --max-regression p99=10%,throughput=5%
  commbench report compare base-1.json base-2.json -- new-1.json new-2.json --md compare.md --html compare.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() < 0 && len(args) != 2 {
				return exitcode.Usagef("want base.json new.json, or base files -- new files; got %d arguments", len(args))
			}
			if d := cmd.ArgsLenAtDash(); d >= 0 && (d == 0 || d == len(args)) {
				return exitcode.Usagef("want at least one results file on each side of --")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			lim, err := reports.ParseLimits(limits)
			if err != nil {
				return exitcode.Usagef("--max-regression: %w", err)
			}
			split := cmd.ArgsLenAtDash()
			if split < 0 {
				split = 1
			}
			base, err := readResultsFiles(args[:split])
			if err != nil {
				return err
			}
			cur, err := readResultsFiles(args[split:])
			if err != nil {
				return err
			}
			c := reports.CompareSets(base, cur, lim)
			var errs []error
			for _, out := range []struct {
				path   string
				render func(io.Writer, *reports.Comparison) error
			}{{rf.html, reports.CompareHTML}, {rf.md, reports.CompareMarkdown}} {
				if out.path == "" {
					continue
				}
				errs = append(errs, reports.WriteFile(out.path, a.stdout, func(w io.Writer) error { return out.render(w, c) }))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if !a.quiet {
				if err := reports.CompareText(a.stdout, c); err != nil {
					return err
				}
			}
			if c.Regressed() {
				return exitcode.Failedf("significant regression beyond --max-regression limits: %s", strings.Join(c.Regressions(), ", "))
			}
			return nil
		},
	}
	rf.add(cmd, false)
	cmd.Flags().StringVar(&limits, "max-regression", "", "largest allowed regressions, e.g. p99=10%,throughput=5%")
	return cmd
}
