package reports

import (
	"slices"
	"testing"
)

func TestRegressions(t *testing.T) {
	c := &Comparison{Changes: []Change{
		{Workload: "get", Metric: "p99", Regressed: true},
		{Workload: "get", Metric: "throughput"},
		{Workload: "post", Metric: "error_rate", Regressed: true},
	}, MissingWorkloads: []string{"events"}}
	if got := c.Regressions(); !slices.Equal(got, []string{"get p99", "post error_rate", "events missing"}) || !c.Regressed() {
		t.Errorf("got %q", got)
	}
	if got := (&Comparison{Changes: []Change{{Workload: "get", Metric: "p99"}}}).Regressions(); len(got) != 0 {
		t.Errorf("no regression: %q", got)
	}
}
