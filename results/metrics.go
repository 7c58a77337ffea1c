package results

import (
	"errors"
	"sort"
	"strings"
)

// ErrNoHistogram is returned when a latency carries no encoded histogram.
var ErrNoHistogram = errors.New("no encoded histogram")

// metrics maps a metric name (as used in --threshold and --max-regression) to its value in a
// workload and whether higher values are better.
var metrics = map[string]struct {
	value        func(w *Workload) (float64, bool)
	higherBetter bool
}{
	"throughput":        {func(w *Workload) (float64, bool) { return w.Totals.ThroughputPerS, true }, true},
	"requests":          {func(w *Workload) (float64, bool) { return float64(w.Totals.Requests), true }, true},
	"errors":            {func(w *Workload) (float64, bool) { return float64(w.Totals.Errors), true }, false},
	"error_rate":        {func(w *Workload) (float64, bool) { return w.Totals.ErrorRate, true }, false},
	"min":               {lat(func(l *Latency) float64 { return l.MinMS }), false},
	"mean":              {lat(func(l *Latency) float64 { return l.MeanMS }), false},
	"p50":               {lat(func(l *Latency) float64 { return l.P50MS }), false},
	"p90":               {lat(func(l *Latency) float64 { return l.P90MS }), false},
	"p95":               {lat(func(l *Latency) float64 { return l.P95MS }), false},
	"p99":               {lat(func(l *Latency) float64 { return l.P99MS }), false},
	"p99.9":             {lat(func(l *Latency) float64 { return l.P999MS }), false},
	"p99.99":            {lat(func(l *Latency) float64 { return l.P9999MS }), false},
	"max":               {lat(func(l *Latency) float64 { return l.MaxMS }), false},
	"lost":              {integ(func(i *Integrity) float64 { return float64(i.Lost) }), false},
	"duplicates":        {integ(func(i *Integrity) float64 { return float64(i.Duplicates) }), false},
	"out_of_order":      {integ(func(i *Integrity) float64 { return float64(i.OutOfOrder) }), false},
	"unexpected":        {integ(func(i *Integrity) float64 { return float64(i.Unexpected) }), false},
	"loss_rate":         {integ(func(i *Integrity) float64 { return i.LossRate }), false},
	"duplicate_rate":    {integ(func(i *Integrity) float64 { return i.DuplicateRate }), false},
	"out_of_order_rate": {integ(func(i *Integrity) float64 { return i.OutOfOrderRate }), false},
}

func lat(f func(*Latency) float64) func(*Workload) (float64, bool) {
	return func(w *Workload) (float64, bool) {
		if w.Latency == nil || w.Latency.Count == 0 {
			return 0, false
		}
		return f(w.Latency), true
	}
}

func integ(f func(*Integrity) float64) func(*Workload) (float64, bool) {
	return func(w *Workload) (float64, bool) {
		if w.Integrity == nil {
			return 0, false
		}
		return f(w.Integrity), true
	}
}

// Metric returns the value of a named metric of w in its unit (latencies in ms from Latency,
// throughput in operations/s, rates as fractions, counts) and false when the metric is unknown or
// w does not have it (no latency recorded, no integrity checking). Names: throughput, requests,
// errors, error_rate, min, mean, p50, p90, p95, p99, p99.9, p99.99, max, lost, duplicates,
// out_of_order, unexpected, loss_rate, duplicate_rate, out_of_order_rate. "p999" is accepted for
// "p99.9".
func (w *Workload) Metric(name string) (float64, bool) {
	m, ok := metrics[CanonicalMetric(name)]
	if !ok {
		return 0, false
	}
	return m.value(w)
}

// HigherIsBetter reports whether a larger value of the named metric is an improvement
// (throughput, requests) and whether the name is known.
func HigherIsBetter(name string) (higher, known bool) {
	m, ok := metrics[CanonicalMetric(name)]
	return m.higherBetter, ok
}

// MetricNames lists the known metric names, sorted.
func MetricNames() []string {
	names := make([]string, 0, len(metrics))
	for n := range metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CanonicalMetric returns the canonical spelling of a metric name: lower case, "p999" as
// "p99.9", "p9999" as "p99.99".
func CanonicalMetric(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "p999":
		return "p99.9"
	case "p9999":
		return "p99.99"
	}
	return n
}
