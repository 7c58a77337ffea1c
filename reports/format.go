package reports

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/commbench/commbench/internal/redact"
	"github.com/commbench/commbench/internal/units"
	"github.com/commbench/commbench/results"
)

// fmtMS formats milliseconds with precision that suits the magnitude, never an exponent:
// 0.412 ms, 8.50 ms, 31.2 ms, 10200 ms (package units).
func fmtMS(v float64) string { return units.MS(v) }

// fmtRate formats a per-second rate: 1234/s, 99.5/s.
func fmtRate(v float64) string { return units.Rate(v) }

// fmtPct formats a fraction as a percentage: 0.0012 -> 0.12%.
func fmtPct(v float64) string {
	p := v * 100
	switch {
	case p == 0:
		return "0%"
	case p < 0.01:
		// Two significant digits without an exponent: 0.0047%, 0.00004%.
		decimals := int(-math.Floor(math.Log10(p))) + 1
		return strconv.FormatFloat(p, 'f', decimals, 64) + "%"
	case p < 10:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// fmtDuration formats seconds as 1m30s, 2.5s.
func fmtDuration(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// metricUnit is how a metric's values read: "ms", "/s", "%" (fraction) or "" (count).
func metricUnit(metric string) string {
	m := strings.ToLower(metric)
	if src, stat, ok := strings.Cut(m, "."); ok && !strings.HasPrefix(src, "p") {
		m = stat // "service_time.p99"
	}
	switch {
	case m == "throughput":
		return "/s"
	case strings.HasSuffix(m, "_rate"):
		return "%"
	case m == "min" || m == "mean" || m == "stdev" || m == "max" || (len(m) > 1 && m[0] == 'p' && m[1] >= '0' && m[1] <= '9'):
		return "ms"
	}
	return ""
}

// FormatMetric formats a value of the named metric (results.MetricNames) in its unit, as the
// reports show it: "10200 ms", "1234/s", "0.12%", "3".
func FormatMetric(metric string, v float64) string { return fmtMetric(metric, v) }

// fmtMetric formats a value of the named metric in its unit.
func fmtMetric(metric string, v float64) string {
	switch metricUnit(metric) {
	case "ms":
		return fmtMS(v)
	case "/s":
		return fmtRate(v)
	case "%":
		return fmtPct(v)
	}
	return units.Number(v)
}

// thresholdLine is "p99<25ms: 8.50 ms".
func thresholdLine(t results.Threshold) string {
	return fmt.Sprintf("%s%s (actual %s)", t.Expr, defaultMark(t), fmtMetric(t.Metric, t.Actual))
}

// defaultMark is " [default]" for a threshold commbench added (results.Threshold.Default).
func defaultMark(t results.Threshold) string {
	if t.Default {
		return " [default]"
	}
	return ""
}

// rateLine says, for an open-model workload, the target rate and the achieved throughput, and
// in words when it fell behind (results.Workload.Behind); "" for the closed model.
func rateLine(wl results.Workload) string {
	if wl.Model != "open" || wl.RatePerS <= 0 {
		return ""
	}
	s := fmt.Sprintf("target rate %s, achieved throughput %s", fmtRate(wl.RatePerS), fmtRate(wl.Totals.ThroughputPerS))
	if b := wl.Behind(); b != "" {
		s += "; " + strings.ToUpper(b[:1]) + b[1:]
	}
	return s
}

// extraIntegrity lists the integrity figures beyond the usual ones that are not zero: late
// deliveries, gaps, unexpected, lost and re-established connections.
func extraIntegrity(i *results.Integrity) string {
	var parts []string
	for _, f := range []struct {
		name string
		n    int64
	}{{"unexpected", i.Unexpected}, {"late (after the drain)", i.Late}, {"gaps", i.Gaps}, {"connections lost", i.ConnectionsLost}, {"reconnected", i.Reconnects}} {
		if f.n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", f.name, f.n))
		}
	}
	return strings.Join(parts, ", ")
}

// verdict is FAIL for a file that records a failure (results.File.Failed), ERROR for a run an
// error stopped without recorded failures, PASS otherwise.
func verdict(f *results.File) string {
	switch {
	case f.Failed():
		return "FAIL"
	case f.Run.Error != "":
		return "ERROR"
	}
	return "PASS"
}

// runDuration is the wall time of the run in seconds.
func runDuration(r results.Run) float64 {
	if r.Ended.Before(r.Started) || r.Started.IsZero() {
		return 0
	}
	return r.Ended.Sub(r.Started).Seconds()
}

// secretKey matches configuration keys whose values are secrets.
var secretKey = regexp.MustCompile(`(?i)(pass(word|wd)?|secret|token|api[-_]?key|credential|auth|private[-_]?key|sasl|cookie|session)`)

// redactString redacts the URLs in s with internal/redact (user info, query values).
func redactString(s string) string { return redact.String(s) }

// kv is one configuration or environment row.
type kv struct{ Key, Value string }

// flattenConfig turns a configuration tree into sorted dotted keys with their values, redacting
// secret-looking keys and URL passwords again (the results file should already be redacted; a
// report must never leak what a writer missed).
func flattenConfig(cfg map[string]any) []kv {
	var out []kv
	var walk func(prefix string, v any, secret bool)
	walk = func(prefix string, v any, secret bool) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x[k], secret || secretKey.MatchString(k))
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e, secret)
			}
		default:
			val := fmt.Sprint(v)
			if v == nil {
				val = "null"
			}
			if secret && val != "" {
				val = "***"
			}
			out = append(out, kv{prefix, redactString(val)})
		}
	}
	walk("", cfg, false)
	return out
}

// sortedErrors returns error classes by descending count, then name.
func sortedErrors(m map[string]int64) []kvCount {
	out := make([]kvCount, 0, len(m))
	for k, v := range m {
		out = append(out, kvCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

type kvCount struct {
	Key   string
	Count int64
}

// runName is a workload's name as the reports show it: with "#N" for run N of a repeated
// workload (bench --repeat).
func runName(w results.Workload) string {
	if w.Repeat > 0 {
		return w.Name + " #" + strconv.Itoa(w.Repeat)
	}
	return w.Name
}
