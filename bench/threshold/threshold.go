// Package threshold parses and evaluates pass/fail criteria on a benchmark's results, as
// --threshold flags give them: "p99<25ms", "error_rate<0.1%", "duplicates==0", "lost==0",
// "throughput>=1000/s". Thresholds are checked at the end of a run against a results.Workload;
// the command exits 1 when one is breached, after writing the results.
//
// Grammar: METRIC OP VALUE[UNIT], spaces allowed around OP.
//
//   - OP is one of <, <=, >, >=, ==, !=.
//   - Latency metrics (unit ms; VALUE may carry us, µs, ms or s): p50, p90, p95, p99, p99.9,
//     p99.99, min, max, mean, stdev, of the latency (corrected, from the intended send time)
//     by default, or prefixed: latency.p99, service_time.p99, schedule_delay.p99, end_to_end.p99.
//   - Rates (fractions; VALUE may end in %): error_rate, loss_rate, duplicate_rate,
//     out_of_order_rate.
//   - throughput (successful operations per second; VALUE may end in /s).
//   - Counts: requests, succeeded, errors, late, dropped, bytes; and messaging integrity counts:
//     sent, acknowledged, unconfirmed, returned, received, lost, duplicates, out_of_order,
//     unexpected.
package threshold

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/commbench/commbench/results"
)

// Threshold is one parsed criterion. Limit is in the metric's unit: ms for latencies, a
// fraction for rates, per second for throughput, a count otherwise.
type Threshold struct {
	Expr   string
	Metric string // canonical, e.g. "p99", "service_time.p99", "error_rate"
	Op     string
	Limit  float64
	kind   kind
}

type kind int

const (
	kindLatency kind = iota + 1
	kindRate
	kindThroughput
	kindCount
	kindIntegrityCount
	kindIntegrityRate
)

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

var latencyStats = map[string]func(*results.Latency) float64{
	"p50":    func(l *results.Latency) float64 { return l.P50MS },
	"p90":    func(l *results.Latency) float64 { return l.P90MS },
	"p95":    func(l *results.Latency) float64 { return l.P95MS },
	"p99":    func(l *results.Latency) float64 { return l.P99MS },
	"p99.9":  func(l *results.Latency) float64 { return l.P999MS },
	"p99.99": func(l *results.Latency) float64 { return l.P9999MS },
	"min":    func(l *results.Latency) float64 { return l.MinMS },
	"max":    func(l *results.Latency) float64 { return l.MaxMS },
	"mean":   func(l *results.Latency) float64 { return l.MeanMS },
	"stdev":  func(l *results.Latency) float64 { return l.StdevMS },
}

var latencyOf = map[string]func(*results.Workload) *results.Latency{
	"latency":        func(w *results.Workload) *results.Latency { return w.Latency },
	"service_time":   func(w *results.Workload) *results.Latency { return w.ServiceTime },
	"schedule_delay": func(w *results.Workload) *results.Latency { return w.ScheduleDelay },
	"end_to_end":     func(w *results.Workload) *results.Latency { return w.EndToEnd },
}

var counts = map[string]func(*results.Workload) float64{
	"requests":  func(w *results.Workload) float64 { return float64(w.Totals.Requests) },
	"succeeded": func(w *results.Workload) float64 { return float64(w.Totals.Succeeded) },
	"errors":    func(w *results.Workload) float64 { return float64(w.Totals.Errors) },
	"late":      func(w *results.Workload) float64 { return float64(w.Totals.Late) },
	"dropped":   func(w *results.Workload) float64 { return float64(w.Totals.Dropped) },
	"bytes":     func(w *results.Workload) float64 { return float64(w.Totals.Bytes) },
}

var integrityCounts = map[string]func(*results.Integrity) float64{
	"sent":         func(i *results.Integrity) float64 { return float64(i.Sent) },
	"acknowledged": func(i *results.Integrity) float64 { return float64(i.Acknowledged) },
	"unconfirmed":  func(i *results.Integrity) float64 { return float64(i.Unconfirmed) },
	"returned":     func(i *results.Integrity) float64 { return float64(i.Returned) },
	"received":     func(i *results.Integrity) float64 { return float64(i.Received) },
	"lost":         func(i *results.Integrity) float64 { return float64(i.Lost) },
	"duplicates":   func(i *results.Integrity) float64 { return float64(i.Duplicates) },
	"out_of_order": func(i *results.Integrity) float64 { return float64(i.OutOfOrder) },
	"unexpected":   func(i *results.Integrity) float64 { return float64(i.Unexpected) },
}

var integrityRates = map[string]func(*results.Integrity) float64{
	"loss_rate":         func(i *results.Integrity) float64 { return i.LossRate },
	"duplicate_rate":    func(i *results.Integrity) float64 { return i.DuplicateRate },
	"out_of_order_rate": func(i *results.Integrity) float64 { return i.OutOfOrderRate },
}

// Parse parses one expression. Errors quote the expression and say what was expected.
func Parse(expr string) (Threshold, error) {
	t := Threshold{Expr: expr}
	s := strings.TrimSpace(expr)
	at, op := -1, ""
	for i := 0; i < len(s) && at < 0; i++ {
		for _, o := range ops {
			if strings.HasPrefix(s[i:], o) {
				at, op = i, o
				break
			}
		}
	}
	if at < 0 {
		return t, fmt.Errorf("threshold %q: no comparison, want METRIC OP VALUE with OP one of < <= > >= == != (e.g. p99<25ms)", expr)
	}
	t.Op = op
	metric := strings.ToLower(strings.TrimSpace(s[:at]))
	value := strings.TrimSpace(s[at+len(op):])
	if metric == "" {
		return t, fmt.Errorf("threshold %q: no metric before %q", expr, op)
	}
	if value == "" {
		return t, fmt.Errorf("threshold %q: no value after %q", expr, op)
	}
	var err error
	switch {
	case metric == "error_rate" || integrityRates[metric] != nil:
		t.kind = kindRate
		if metric != "error_rate" {
			t.kind = kindIntegrityRate
		}
		t.Limit, err = parseNumber(value, map[string]float64{"%": 0.01, "": 1})
	case metric == "throughput":
		t.kind = kindThroughput
		t.Limit, err = parseNumber(value, map[string]float64{"/s": 1, "": 1})
	case counts[metric] != nil:
		t.kind = kindCount
		t.Limit, err = parseNumber(value, map[string]float64{"": 1})
	case integrityCounts[metric] != nil:
		t.kind = kindIntegrityCount
		t.Limit, err = parseNumber(value, map[string]float64{"": 1})
	default:
		src, stat, ok := strings.Cut(metric, ".")
		if !ok || latencyOf[src] == nil {
			src, stat = "latency", metric
		}
		if latencyOf[src] == nil || latencyStats[stat] == nil {
			return t, fmt.Errorf("threshold %q: unknown metric %q; want a latency statistic (p50, p90, p95, p99, p99.9, p99.99, min, max, mean, stdev, optionally prefixed latency., service_time., schedule_delay., end_to_end.), error_rate, throughput, requests, succeeded, errors, late, dropped, bytes, or a messaging figure (lost, duplicates, out_of_order, unexpected, unconfirmed, returned, sent, acknowledged, received, loss_rate, duplicate_rate, out_of_order_rate)", expr, metric)
		}
		if src != "latency" {
			metric = src + "." + stat
		} else {
			metric = stat
		}
		t.kind = kindLatency
		t.Limit, err = parseNumber(value, map[string]float64{"": 1, "ms": 1, "s": 1000, "us": 0.001, "µs": 0.001})
	}
	if err != nil {
		return t, fmt.Errorf("threshold %q: %w", expr, err)
	}
	t.Metric = metric
	return t, nil
}

// ParseAll parses every expression; the first error is returned.
func ParseAll(exprs []string) ([]Threshold, error) {
	out := make([]Threshold, 0, len(exprs))
	for _, e := range exprs {
		t, err := Parse(e)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// parseNumber reads a finite number followed by one of the units (multipliers).
func parseNumber(v string, units map[string]float64) (float64, error) {
	num, unit := v, ""
	if i := strings.IndexFunc(v, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E')
	}); i >= 0 {
		num, unit = strings.TrimSpace(v[:i]), strings.TrimSpace(v[i:])
	}
	if num == "" {
		return 0, fmt.Errorf("value %q: not a number", v)
	}
	mult, ok := units[unit]
	if !ok {
		var want []string
		for u := range units {
			if u != "" {
				want = append(want, u)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			return 0, fmt.Errorf("value %q: want a plain number", v)
		}
		return 0, fmt.Errorf("value %q: unit %q, want a number with %s or no unit", v, unit, strings.Join(want, ", "))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("value %q: not a number", v)
	}
	return f * mult, nil
}

// NeedsIntegrity reports whether the threshold reads messaging integrity figures, which only
// publish-consume workloads produce.
func (t Threshold) NeedsIntegrity() bool {
	return t.kind == kindIntegrityCount || t.kind == kindIntegrityRate
}

// Eval evaluates t on w. A figure the workload lacks (no latency recorded, no integrity
// figures) fails the threshold with Actual 0.
func (t Threshold) Eval(w *results.Workload) results.Threshold {
	r := results.Threshold{Expr: t.Expr, Metric: t.Metric, Op: t.Op, Limit: t.Limit}
	actual, ok := t.actual(w)
	if !ok {
		return r
	}
	r.Actual = actual
	switch t.Op {
	case "<":
		r.Passed = actual < t.Limit
	case "<=":
		r.Passed = actual <= t.Limit
	case ">":
		r.Passed = actual > t.Limit
	case ">=":
		r.Passed = actual >= t.Limit
	case "==":
		r.Passed = actual == t.Limit
	case "!=":
		r.Passed = actual != t.Limit
	}
	return r
}

func (t Threshold) actual(w *results.Workload) (float64, bool) {
	switch t.kind {
	case kindRate:
		return w.Totals.ErrorRate, true
	case kindThroughput:
		return w.Totals.ThroughputPerS, true
	case kindCount:
		return counts[t.Metric](w), true
	case kindIntegrityCount:
		if w.Integrity == nil {
			return 0, false
		}
		return integrityCounts[t.Metric](w.Integrity), true
	case kindIntegrityRate:
		if w.Integrity == nil {
			return 0, false
		}
		return integrityRates[t.Metric](w.Integrity), true
	case kindLatency:
		src, stat, ok := strings.Cut(t.Metric, ".")
		if !ok || latencyOf[src] == nil {
			src, stat = "latency", t.Metric
		}
		l := latencyOf[src](w)
		if l == nil {
			return 0, false
		}
		return latencyStats[stat](l), true
	}
	return 0, false
}

// Evaluate evaluates every threshold on w, stores the outcomes in w.Thresholds and reports
// whether all passed.
func Evaluate(ts []Threshold, w *results.Workload) bool {
	w.Thresholds = w.Thresholds[:0]
	ok := true
	for _, t := range ts {
		r := t.Eval(w)
		ok = ok && r.Passed
		w.Thresholds = append(w.Thresholds, r)
	}
	return ok
}
