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
//     by default, or prefixed: latency.p99, failed_latency.p99, service_time.p99,
//     schedule_delay.p99, end_to_end.p99.
//   - Rates (fractions; VALUE may end in %): error_rate, loss_rate, duplicate_rate,
//     out_of_order_rate.
//   - throughput (successful operations per second; VALUE may end in /s).
//   - Counts: requests, succeeded, errors, canceled, intended, late, dropped, bytes; and
//     messaging integrity counts: sent, acknowledged, unconfirmed, returned, received, lost,
//     duplicates, out_of_order, unexpected, late_deliveries. late and dropped with a VALUE in %
//     read as late_rate and dropped_rate, fractions of the intended sends ("late<1%").
//
// Latency statistics are of the successful operations (k6's expected_response:true); the
// failed operations' are failed_latency.p99 and so on.
//
// Defaults (Evaluate adds them, marked Default in the results): "error_rate<1%" unless an
// error_rate threshold is given (relax it with e.g. --threshold 'error_rate<=100%'), and
// "succeeded>0" always: a workload with no successful operation fails; "connections_lost==0"
// for messaging workloads: a run that lost its broker fails, even after reconnecting.
//
// The metric names, their units and their values are results.Workload.Metric's vocabulary
// (results.MetricUnit), the one that results merges and report comparisons read too.
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
}

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

// valueUnits are the units a threshold's value may carry, per metric unit (results.MetricUnit),
// as multipliers to that unit.
var valueUnits = map[string]map[string]float64{
	results.UnitMS:       {"": 1, "ms": 1, "s": 1000, "us": 0.001, "µs": 0.001},
	results.UnitFraction: {"%": 0.01, "": 1},
	results.UnitPerS:     {"/s": 1, "": 1},
	results.UnitCount:    {"": 1},
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
	// The metric vocabulary is results.Workload.Metric's, so thresholds, merges and comparisons
	// read the same figures.
	unit, known := results.MetricUnit(metric)
	if !known {
		return t, fmt.Errorf("threshold %q: unknown metric %q; want a latency statistic (p50, p90, p95, p99, p99.9, p99.99, min, max, mean, stdev, optionally prefixed latency., failed_latency., service_time., schedule_delay., end_to_end.), error_rate, throughput, requests, succeeded, errors, late, dropped, bytes, or a messaging figure (lost, duplicates, out_of_order, unexpected, unconfirmed, returned, sent, acknowledged, received, loss_rate, duplicate_rate, out_of_order_rate)", expr, metric)
	}
	metric = strings.TrimPrefix(results.CanonicalMetric(metric), "latency.")
	if (metric == "late" || metric == "dropped") && strings.HasSuffix(value, "%") {
		metric, unit = metric+"_rate", results.UnitFraction // "late<1%": a share of the intended sends
	}
	var err error
	t.Limit, err = parseNumber(value, valueUnits[unit])
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
func (t Threshold) NeedsIntegrity() bool { return results.IntegrityMetric(t.Metric) }

// Eval evaluates t on w with results.Workload.Metric. A figure the workload lacks (no latency
// recorded, no integrity figures) fails the threshold with Actual 0.
func (t Threshold) Eval(w *results.Workload) results.Threshold {
	r := results.Threshold{Expr: t.Expr, Metric: t.Metric, Op: t.Op, Limit: t.Limit}
	actual, ok := w.Metric(t.Metric)
	if !ok {
		return r
	}
	r.Actual = actual
	r.Passed, _ = results.CompareOp(actual, t.Op, t.Limit)
	return r
}

// DefaultErrorRate is the error budget every workload gets unless it has an error_rate
// threshold of its own: "error_rate<1%".
const DefaultErrorRate = "error_rate<1%"

// NoSuccess is the threshold every workload gets: a workload with no successful operation
// fails, whatever else was asked.
const NoSuccess = "succeeded>0"

// BrokerKept is the threshold every messaging workload (one with integrity figures) gets unless
// it has a connections_lost threshold: a run that lost a broker connection fails, even when
// the connection was re-established.
const BrokerKept = "connections_lost==0"

// Defaults returns the thresholds added to ts for w: DefaultErrorRate when no threshold of ts
// reads error_rate, NoSuccess unless ts has it already, and BrokerKept for a messaging workload
// (w.Integrity set) unless ts reads connections_lost. w may be nil (no BrokerKept).
func Defaults(ts []Threshold, w *results.Workload) []Threshold {
	hasErr, hasOK, hasLost := false, false, false
	for _, t := range ts {
		hasErr = hasErr || t.Metric == "error_rate"
		hasOK = hasOK || strings.ReplaceAll(t.Expr, " ", "") == NoSuccess
		hasLost = hasLost || t.Metric == "connections_lost"
	}
	var out []Threshold
	if !hasErr {
		t, _ := Parse(DefaultErrorRate)
		out = append(out, t)
	}
	if !hasOK {
		t, _ := Parse(NoSuccess)
		out = append(out, t)
	}
	if !hasLost && w != nil && w.Integrity != nil {
		t, _ := Parse(BrokerKept)
		out = append(out, t)
	}
	return out
}

// Evaluate evaluates every threshold of ts and the Defaults on w, stores the outcomes in
// w.Thresholds (the defaults last, with Default set) and reports whether all passed.
func Evaluate(ts []Threshold, w *results.Workload) bool {
	w.Thresholds = w.Thresholds[:0]
	ok := true
	for _, t := range ts {
		r := t.Eval(w)
		ok = ok && r.Passed
		w.Thresholds = append(w.Thresholds, r)
	}
	for _, t := range Defaults(ts, w) {
		r := t.Eval(w)
		r.Default = true
		ok = ok && r.Passed
		w.Thresholds = append(w.Thresholds, r)
	}
	return ok
}
