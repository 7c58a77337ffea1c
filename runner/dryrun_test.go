package runner_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// TestDryRun: the plan is written with each target's status, nothing is verified or loaded, and
// a required target that does not answer is ErrUnavailable naming it.
func TestDryRun(t *testing.T) {
	srv, requests := ordersAPI(t)
	s := &scenario.Scenario{
		Name: "orders",
		Targets: []scenario.Target{
			{Name: "api", Driver: "rest", Address: srv.URL},
			{Name: "bus", Driver: "kafka", Address: drivertest.ClosedPort(t), Optional: true},
		},
		Contracts: []scenario.Contract{{Pacts: []string{pactFile(t)}, HTTP: "api"}},
		Workloads: []scenario.Workload{
			{Name: "get-order", Target: "api", Operation: "request", Path: "/orders/o-1", Count: 20, Concurrency: 2},
			{Name: "events", Target: "bus", Operation: "produce", Route: "orders", Count: 1},
		},
		Outputs: scenario.Outputs{JSON: "out/results.json", HTML: "-"},
	}
	dry := func(s *scenario.Scenario) (string, error) {
		p, err := runner.NewPlan(s, runner.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		err = p.DryRun(context.Background(), &buf)
		return buf.String(), err
	}
	out, err := dry(s)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"Scenario orders: 2 targets, 1 contracts, 2 workloads", srv.URL + "  answers\n",
		"does not answer (optional: would be skipped)", "1. " + pactFile(t) + " via http=api", "1. get-order", "results JSON: out/results.json",
		"dry run: every target answers"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "HTML report") {
		t.Errorf("an output to stdout is listed:\n%s", out)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the dry run sent %d requests to the provider", n)
	}
	s.Targets[1].Optional = false
	out, err = dry(s)
	if !errors.Is(err, runner.ErrUnavailable) || !strings.Contains(err.Error(), "bus did not answer") || !strings.Contains(out, "DOES NOT ANSWER") {
		t.Errorf("required target down: %v\n%s", err, out)
	}
}
