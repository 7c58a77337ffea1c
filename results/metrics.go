package results

import (
	"errors"
	"sort"
	"strings"
)

// ErrNoHistogram is returned when a latency carries no encoded histogram.
var ErrNoHistogram = errors.New("no encoded histogram")

// The metric vocabulary of --threshold and --max-regression. Latency statistics (ms) apply to
// Latency unless prefixed with a source: "service_time.p99", "end_to_end.p50".
var (
	latencyStats = map[string]func(*Latency) float64{
		"min": func(l *Latency) float64 { return l.MinMS }, "mean": func(l *Latency) float64 { return l.MeanMS },
		"stdev": func(l *Latency) float64 { return l.StdevMS }, "p50": func(l *Latency) float64 { return l.P50MS },
		"p90": func(l *Latency) float64 { return l.P90MS }, "p95": func(l *Latency) float64 { return l.P95MS },
		"p99": func(l *Latency) float64 { return l.P99MS }, "p99.9": func(l *Latency) float64 { return l.P999MS },
		"p99.99": func(l *Latency) float64 { return l.P9999MS }, "max": func(l *Latency) float64 { return l.MaxMS },
	}
	latencySources = map[string]func(*Workload) *Latency{
		"latency":        func(w *Workload) *Latency { return w.Latency },
		"failed_latency": func(w *Workload) *Latency { return w.FailedLatency },
		"service_time":   func(w *Workload) *Latency { return w.ServiceTime },
		"schedule_delay": func(w *Workload) *Latency { return w.ScheduleDelay },
		"end_to_end":     func(w *Workload) *Latency { return w.EndToEnd },
	}
	totalsMetrics = map[string]func(*Totals) float64{
		"throughput": func(t *Totals) float64 { return t.ThroughputPerS }, "error_rate": func(t *Totals) float64 { return t.ErrorRate },
		"requests": func(t *Totals) float64 { return float64(t.Requests) }, "succeeded": func(t *Totals) float64 { return float64(t.Succeeded) },
		"errors": func(t *Totals) float64 { return float64(t.Errors) }, "bytes": func(t *Totals) float64 { return float64(t.Bytes) },
		"late": func(t *Totals) float64 { return float64(t.Late) }, "dropped": func(t *Totals) float64 { return float64(t.Dropped) },
		"canceled": func(t *Totals) float64 { return float64(t.Canceled) }, "intended": func(t *Totals) float64 { return float64(t.Intended) },
		"late_rate": func(t *Totals) float64 { return fraction(t.Late, t.Intended) }, "dropped_rate": func(t *Totals) float64 { return fraction(t.Dropped, t.Intended) },
	}
	integrityMetrics = map[string]func(*Integrity) float64{
		"sent": func(i *Integrity) float64 { return float64(i.Sent) }, "acknowledged": func(i *Integrity) float64 { return float64(i.Acknowledged) },
		"unconfirmed": func(i *Integrity) float64 { return float64(i.Unconfirmed) }, "returned": func(i *Integrity) float64 { return float64(i.Returned) },
		"received": func(i *Integrity) float64 { return float64(i.Received) }, "lost": func(i *Integrity) float64 { return float64(i.Lost) },
		"duplicates": func(i *Integrity) float64 { return float64(i.Duplicates) }, "out_of_order": func(i *Integrity) float64 { return float64(i.OutOfOrder) },
		"unexpected": func(i *Integrity) float64 { return float64(i.Unexpected) }, "loss_rate": func(i *Integrity) float64 { return i.LossRate },
		"late_deliveries": func(i *Integrity) float64 { return float64(i.Late) }, "gaps": func(i *Integrity) float64 { return float64(i.Gaps) },
		"connections_lost": func(i *Integrity) float64 { return float64(i.ConnectionsLost) }, "reconnects": func(i *Integrity) float64 { return float64(i.Reconnects) },
		"duplicate_rate": func(i *Integrity) float64 { return i.DuplicateRate }, "out_of_order_rate": func(i *Integrity) float64 { return i.OutOfOrderRate },
	}
	// higherIsBetter lists the metrics where a larger value is an improvement.
	higherIsBetter = map[string]bool{"throughput": true, "requests": true, "succeeded": true, "bytes": true, "sent": true, "acknowledged": true, "received": true}
)

// fraction is n/of, 0 when of is 0.
func fraction(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Metric returns the value of a named metric of w in its unit (latencies in ms, throughput in
// operations/s, rates as fractions, counts, bytes) and false when the metric is unknown or w does
// not have it (no latency recorded, no integrity checking). Names: the latency statistics min,
// mean, stdev, p50, p90, p95, p99, p99.9, p99.99, max (of Latency, or of a source given as a
// prefix: latency., failed_latency., service_time., schedule_delay., end_to_end.); the totals throughput,
// error_rate, requests, succeeded, errors, canceled, bytes, intended, late, dropped, late_rate and
// dropped_rate (fractions of the intended sends); the integrity figures sent, acknowledged,
// unconfirmed, returned, received, lost, duplicates, out_of_order, unexpected, late_deliveries, gaps, connections_lost, reconnects,
// loss_rate, duplicate_rate, out_of_order_rate. Names are case-insensitive; "p999" means "p99.9".
func (w *Workload) Metric(name string) (float64, bool) {
	n := CanonicalMetric(name)
	if f, ok := totalsMetrics[n]; ok {
		return f(&w.Totals), true
	}
	if f, ok := integrityMetrics[n]; ok {
		if w.Integrity == nil {
			return 0, false
		}
		return f(w.Integrity), true
	}
	src, stat := splitLatencyMetric(n)
	get, ok1 := latencySources[src]
	f, ok2 := latencyStats[stat]
	if !ok1 || !ok2 {
		return 0, false
	}
	l := get(w)
	if l == nil || l.Count == 0 {
		return 0, false
	}
	return f(l), true
}

// HigherIsBetter reports whether a larger value of the named metric is an improvement
// (throughput, requests, succeeded, bytes, sent, acknowledged, received) and whether the name is
// known.
func HigherIsBetter(name string) (higher, known bool) {
	n := CanonicalMetric(name)
	_, t := totalsMetrics[n]
	_, i := integrityMetrics[n]
	src, stat := splitLatencyMetric(n)
	_, s := latencySources[src]
	_, l := latencyStats[stat]
	return higherIsBetter[n], t || i || (s && l)
}

// Units of MetricUnit.
const (
	UnitMS       = "ms"       // latency statistics, milliseconds
	UnitPerS     = "/s"       // throughput, operations per second
	UnitFraction = "fraction" // rates: error_rate, loss_rate, duplicate_rate, out_of_order_rate
	UnitCount    = "count"    // counts and bytes
)

// MetricUnit returns the unit of a named metric's values (UnitMS, UnitPerS, UnitFraction or
// UnitCount) and whether the name is known (the vocabulary of Metric).
func MetricUnit(name string) (unit string, known bool) {
	n := CanonicalMetric(name)
	switch {
	case n == "throughput":
		return UnitPerS, true
	case strings.HasSuffix(n, "_rate") && (totalsMetrics[n] != nil || integrityMetrics[n] != nil):
		return UnitFraction, true
	case totalsMetrics[n] != nil || integrityMetrics[n] != nil:
		return UnitCount, true
	}
	src, stat := splitLatencyMetric(n)
	if latencySources[src] != nil && latencyStats[stat] != nil {
		return UnitMS, true
	}
	return "", false
}

// IntegrityMetric reports whether the named metric is a messaging integrity figure (sent,
// lost, duplicates, loss_rate...), which only workloads with integrity checking have.
func IntegrityMetric(name string) bool {
	return integrityMetrics[CanonicalMetric(name)] != nil
}

// MetricNames lists the known metric names without a latency source prefix, sorted.
func MetricNames() []string {
	var names []string
	for _, m := range []map[string]bool{keys(latencyStats), keys(totalsMetrics), keys(integrityMetrics)} {
		for n := range m {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// splitLatencyMetric splits "service_time.p99" into its source and statistic; a bare statistic
// is of "latency". The dot of "p99.9" is not a separator.
func splitLatencyMetric(n string) (src, stat string) {
	for s := range latencySources {
		if rest, ok := strings.CutPrefix(n, s+"."); ok {
			return s, rest
		}
	}
	return "latency", n
}

// CanonicalMetric returns the canonical spelling of a metric name: lower case, "p999" as
// "p99.9", "p9999" as "p99.99" (also after a latency source prefix).
func CanonicalMetric(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	src, stat := splitLatencyMetric(n)
	switch stat {
	case "p999":
		stat = "p99.9"
	case "p9999":
		stat = "p99.99"
	}
	if src == "latency" && !strings.HasPrefix(n, "latency.") {
		return stat
	}
	return src + "." + stat
}
