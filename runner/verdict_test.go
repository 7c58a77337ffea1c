package runner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/runner"
)

func TestVerdict(t *testing.T) {
	interaction := func(desc, status string, pending bool) results.Interaction {
		return results.Interaction{Description: desc, Status: status, Pending: pending}
	}
	verification := func(ins ...results.Interaction) *results.Verification {
		return &results.Verification{Interactions: ins, Summary: results.Summarize(ins)}
	}
	breached := results.Workload{Name: "get-order", Thresholds: []results.Threshold{{Expr: "p99<1ms", Actual: 2.5, Passed: false}, {Expr: "errors==0", Passed: true}}}
	tests := []struct {
		name string
		f    results.File
		want error
		text string
	}{
		{"all passed", results.File{Verification: verification(interaction("a", results.StatusPassed, false))}, nil, ""},
		{"a pending failure passes", results.File{Verification: verification(interaction("a", results.StatusPassed, false), interaction("b", results.StatusFailed, true))}, nil, ""},
		{"a failed interaction", results.File{Verification: verification(interaction("get an order", results.StatusFailed, false), interaction("b", results.StatusPassed, false))},
			runner.ErrFailed, `contract verification failed: "get an order" (failed)`},
		{"an interaction in error", results.File{Verification: verification(interaction("c", results.StatusError, false))}, runner.ErrFailed, `"c" (error)`},
		{"every interaction skipped", results.File{Verification: verification(results.Interaction{Description: "x", Status: results.StatusSkipped, Reason: "no provider base URL"})},
			runner.ErrInvalid, "every one was skipped (no provider base URL)"},
		{"one workload, threshold breached", results.File{Workloads: []results.Workload{breached}}, runner.ErrFailed, "threshold breached: p99<1ms (actual 2.5)"},
		{"thresholds named in a run", results.File{Workloads: []results.Workload{breached, {Name: "other"}}}, runner.ErrFailed, "threshold breached: get-order: p99<1ms (actual 2.5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runner.Verdict(&tt.f)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("verdict %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("verdict %v, want %v with %q", err, tt.want, tt.text)
			}
		})
	}
}
