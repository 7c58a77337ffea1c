package runner

import (
	"fmt"
	"strings"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
)

// ErrFailed marks the verdict of a run that worked but failed: a contract interaction that is not
// pending failed, or a threshold was breached (exit code 1 in the CLI).
var ErrFailed error = exitcode.Kind(exitcode.Failed)

// Verdict returns nil when f passed, else why not: every interaction skipped (nothing was
// verified: wraps ErrInvalid, since the input named no provider for them), breached thresholds
// (each named by its workload, with the figure measured), failed interactions (named): all wrap
// ErrFailed. In a Go test: if err := runner.Verdict(res); err != nil { t.Fatal(err) }.
func Verdict(f *results.File) error {
	if v := f.Verification; v != nil && v.Summary.Total > 0 && v.Summary.Skipped == v.Summary.Total {
		return exitcode.Usagef("no interaction was verified: every one was skipped (%s)", v.Interactions[0].Reason)
	}
	var breached []string
	for _, w := range f.Workloads {
		for _, t := range w.Thresholds {
			if !t.Passed {
				what := fmt.Sprintf("%s (actual %s)", t.Expr, reports.FormatMetric(t.Metric, t.Actual))
				if len(f.Workloads) > 1 || f.Verification != nil {
					what = w.Name + ": " + what
				}
				breached = append(breached, what)
			}
		}
	}
	if len(breached) > 0 {
		return exitcode.Failedf("threshold breached: %s", strings.Join(breached, ", "))
	}
	if f.Failed() {
		var failed []string
		if f.Verification != nil {
			for _, in := range f.Verification.Interactions {
				if (in.Status == results.StatusFailed || in.Status == results.StatusError) && !in.Pending {
					failed = append(failed, fmt.Sprintf("%q (%s)", in.Description, in.Status))
				}
			}
		}
		if len(failed) > 5 {
			failed = append(failed[:5], fmt.Sprintf("and %d more", len(failed)-5))
		}
		return exitcode.Failedf("contract verification failed: %s", strings.Join(failed, ", "))
	}
	return nil
}
