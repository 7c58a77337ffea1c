package reports

import "fmt"

// Regressions names what makes c regressed (see Regressed), in order: "WORKLOAD METRIC" for each
// limited metric that regressed beyond its limit, then "WORKLOAD missing" for each workload of
// the base missing from the new results. It is empty when c did not regress.
func (c *Comparison) Regressions() []string {
	var what []string
	for _, ch := range c.Changes {
		if ch.Regressed {
			what = append(what, fmt.Sprintf("%s %s", ch.Workload, ch.Metric))
		}
	}
	for _, n := range c.MissingWorkloads {
		what = append(what, n+" missing")
	}
	return what
}
