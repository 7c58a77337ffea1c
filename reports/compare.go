package reports

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/commbench/commbench/results"
)

// Limits maps a metric name (results.MetricNames: p99, throughput, error_rate...) to the largest
// allowed regression as a fraction of the base value (0.10 = 10%).
type Limits map[string]float64

// ParseLimits parses "p99=10%,throughput=5%" (the --max-regression flag): comma-separated
// metric=percent pairs, the % sign optional. It returns an error naming the bad pair for an
// unknown metric, a missing "=", or a percentage that is not a number >= 0.
func ParseLimits(s string) (Limits, error) {
	l := Limits{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, val, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("max regression %q: want metric=percent, e.g. p99=10%%", pair)
		}
		name = results.CanonicalMetric(name)
		if _, known := results.HigherIsBetter(name); !known {
			return nil, fmt.Errorf("max regression %q: unknown metric %q; known: %s", pair, name, strings.Join(results.MetricNames(), ", "))
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), "%"), 64)
		if err != nil || pct < 0 || math.IsNaN(pct) || math.IsInf(pct, 0) {
			return nil, fmt.Errorf("max regression %q: %q is not a percentage >= 0", pair, val)
		}
		l[name] = pct / 100
	}
	return l, nil
}

// Change is one metric of one workload on both sides of a comparison.
type Change struct {
	Workload string
	Metric   string
	// Base and New are the medians of the samples compared: of the runs' figures, or of their
	// per-second values (the run's own figure with one value a side).
	Base float64
	New  float64
	// Worse is the relative change in the bad direction: +0.2 is 20% worse (a higher p99 or a
	// lower throughput), negative is better; +Inf when the base is 0 and the new value is worse.
	// With samples it is the Hodges–Lehmann shift over the base median.
	Worse float64
	// WorseLo and WorseHi bound the 95% confidence interval of Worse; NaN when the samples are
	// too few for a bounded interval (or there are no samples).
	WorseLo, WorseHi float64
	// Samples says what was compared: "runs" (one value per run), "per-second" (the runs'
	// per-second series, pooled), or "" (one value a side: no estimate of noise, no test).
	Samples string
	N1, N2  int
	// P is the Mann–Whitney U test's two-sided p-value (1 when untested).
	P float64
	// Significant: P < 0.05, the difference is beyond noise.
	Significant bool
	// Limit is the allowed Worse, or -1 when no limit applies.
	Limit float64
	// Regressed: worse beyond Limit and, when tested, significantly so.
	Regressed bool
}

// Tested reports whether noise could be estimated (two or more samples a side).
func (ch Change) Tested() bool { return ch.Samples != "" && ch.N1 >= 2 && ch.N2 >= 2 }

// Comparison is the outcome of Compare.
type Comparison struct {
	BaseRun, NewRun string // run ids (joined with "," for several files)
	Changes         []Change
	// MissingWorkloads are in the base but not in the new file (a regression); AddedWorkloads are
	// only in the new file.
	MissingWorkloads, AddedWorkloads []string
}

// Regressed reports whether any limited metric regressed beyond its limit or a workload is
// missing from the new file.
func (c *Comparison) Regressed() bool {
	if len(c.MissingWorkloads) > 0 {
		return true
	}
	for _, ch := range c.Changes {
		if ch.Regressed {
			return true
		}
	}
	return false
}

// Verdict is "REGRESSED" (see Regressed), "NO SIGNIFICANT CHANGE" when no metric changed
// significantly (metrics with one value a side, untested, do not count), else "PASS" (significant
// changes within the limits, or improvements).
func (c *Comparison) Verdict() string {
	if c.Regressed() {
		return "REGRESSED"
	}
	for _, ch := range c.Changes {
		if ch.Significant {
			return "PASS"
		}
	}
	return "NO SIGNIFICANT CHANGE"
}

// comparedMetrics are shown for every workload that has them, limited or not.
var comparedMetrics = []string{"throughput", "error_rate", "p50", "p90", "p99", "p99.9", "max", "loss_rate", "duplicate_rate", "out_of_order_rate"}

// perSecond returns a metric's value in each second of w's series, for the metrics the series
// holds (throughput, p50, p99).
func perSecond(w *results.Workload, metric string) ([]float64, bool) {
	var get func(results.Point) float64
	switch metric {
	case "throughput":
		get = func(p results.Point) float64 { return p.ThroughputPerS }
	case "p50":
		get = func(p results.Point) float64 { return p.P50MS }
	case "p99":
		get = func(p results.Point) float64 { return p.P99MS }
	default:
		return nil, false
	}
	var out []float64
	for _, p := range w.Series {
		out = append(out, get(p))
	}
	return out, len(out) > 0
}

// minRunsForRunSamples is the number of runs a side needs before the comparison uses one value
// per run (the noise between runs, the honest one): with 4 a side the U test can reach p < 0.05.
const minRunsForRunSamples = 4

// Compare compares one base file with one new file; see CompareSets.
func Compare(base, cur *results.File, limits Limits) *Comparison {
	return CompareSets([]*results.File{base}, []*results.File{cur}, limits)
}

// CompareSets compares the workloads of the new files with those of the base files, matched by
// name; every workload of that name in a side's files (repeated runs, bench --repeat) is a run
// of that side. For each metric of comparedMetrics and each limited metric that both sides
// have, the samples compared are one value per run when each side has at least 4 runs, else
// the per-second series of the runs pooled (throughput, p50, p99), else one value per run.
// The Mann–Whitney U test (benchstat's) says whether the difference is beyond noise
// (p < 0.05), with the Hodges–Lehmann estimate of the change and its 95% confidence interval.
// A limited metric regresses when it is significantly worse beyond its limit; with a single
// value a side (no estimate of noise) the plain relative change decides, as the output says.
func CompareSets(base, cur []*results.File, limits Limits) *Comparison {
	c := &Comparison{BaseRun: runIDs(base), NewRun: runIDs(cur)}
	metrics := slices.Clone(comparedMetrics)
	for m := range limits {
		if !slices.Contains(metrics, m) {
			metrics = append(metrics, m)
		}
	}
	slices.Sort(metrics[len(comparedMetrics):])
	bw, border := workloadRuns(base)
	nw, norder := workloadRuns(cur)
	for _, name := range border {
		news, ok := nw[name]
		if !ok {
			c.MissingWorkloads = append(c.MissingWorkloads, name)
			continue
		}
		olds := bw[name]
		for _, m := range metrics {
			ch, ok := compareMetric(olds, news, m)
			if !ok {
				continue
			}
			ch.Workload, ch.Limit = name, -1
			if lim, ok := limits[m]; ok {
				ch.Limit = lim
				ch.Regressed = ch.Worse > lim+1e-12 && (ch.Significant || !ch.Tested())
			}
			c.Changes = append(c.Changes, ch)
		}
	}
	for _, name := range norder {
		if _, ok := bw[name]; !ok {
			c.AddedWorkloads = append(c.AddedWorkloads, name)
		}
	}
	return c
}

// compareMetric compares metric m between the runs of one workload on each side.
func compareMetric(olds, news []*results.Workload, m string) (Change, bool) {
	runValues := func(ws []*results.Workload) []float64 {
		var out []float64
		for _, w := range ws {
			if v, ok := w.Metric(m); ok {
				out = append(out, v)
			}
		}
		return out
	}
	ob, nb := runValues(olds), runValues(news)
	if len(ob) == 0 || len(nb) == 0 {
		return Change{}, false
	}
	higher, _ := results.HigherIsBetter(m)
	ch := Change{Metric: m, Samples: "runs", P: 1, WorseLo: math.NaN(), WorseHi: math.NaN()}
	x, y := ob, nb
	if len(ob) < minRunsForRunSamples || len(nb) < minRunsForRunSamples {
		var px, py []float64
		for _, w := range olds {
			v, _ := perSecond(w, m)
			px = append(px, v...)
		}
		for _, w := range news {
			v, _ := perSecond(w, m)
			py = append(py, v...)
		}
		if len(px) >= 2 && len(py) >= 2 {
			x, y, ch.Samples = px, py, "per-second"
		}
	}
	t := testShift(x, y)
	ch.N1, ch.N2, ch.P, ch.Significant = t.N1, t.N2, t.P, t.Significant()
	if !ch.Tested() {
		ch.Samples, ch.P, ch.Significant = "", 1, false
	}
	// Base and New: the medians of the samples compared (the run's own figure with one value a
	// side).
	ch.Base, ch.New = t.BaseMedian, t.NewMedian
	if !ch.Tested() {
		sb, sn := slices.Clone(ob), slices.Clone(nb)
		slices.Sort(sb)
		slices.Sort(sn)
		ch.Base, ch.New = median(sb), median(sn)
		ch.Worse = worse(ch.Base, ch.New, higher)
		return ch, true
	}
	// The shift and its interval, relative to the base median of the samples compared.
	rel := func(shift float64) float64 { return worse(t.BaseMedian, t.BaseMedian+shift, higher) }
	ch.Worse = rel(t.Shift)
	if !math.IsNaN(t.Lo) {
		ch.WorseLo, ch.WorseHi = rel(t.Lo), rel(t.Hi)
		if ch.WorseLo > ch.WorseHi {
			ch.WorseLo, ch.WorseHi = ch.WorseHi, ch.WorseLo
		}
	}
	if !ch.Significant && t.Shift == 0 {
		ch.Worse = 0
	}
	return ch, true
}

// workloadRuns groups the workloads of files by name, in first-seen order.
func workloadRuns(files []*results.File) (map[string][]*results.Workload, []string) {
	m := map[string][]*results.Workload{}
	var order []string
	for _, f := range files {
		for i := range f.Workloads {
			w := &f.Workloads[i]
			if _, ok := m[w.Name]; !ok {
				order = append(order, w.Name)
			}
			m[w.Name] = append(m[w.Name], w)
		}
	}
	return m, order
}

// runIDs names a side's runs: "run-1", "run-1, run-2", or "run-1 … run-9 (9 runs)".
func runIDs(files []*results.File) string {
	var ids []string
	for _, f := range files {
		if !slices.Contains(ids, f.Run.ID) {
			ids = append(ids, f.Run.ID)
		}
	}
	if len(ids) > 2 {
		return fmt.Sprintf("%s … %s (%d runs)", ids[0], ids[len(ids)-1], len(ids))
	}
	return strings.Join(ids, ", ")
}

func worse(base, cur float64, higherBetter bool) float64 {
	d := cur - base
	if higherBetter {
		d = -d
	}
	switch {
	case d == 0:
		return 0
	case base == 0 && d > 0:
		return math.Inf(1)
	case base == 0:
		return math.Inf(-1)
	}
	return d / math.Abs(base)
}

// changeCells formats a change as its table cells: base, new, change, 95% CI, samples, limit,
// result.
func changeCells(ch Change) [7]string {
	change := "±0%"
	switch {
	case math.IsInf(ch.Worse, 1):
		change = "worse (from 0)"
	case math.IsInf(ch.Worse, -1):
		change = "better (from 0)"
	case ch.Worse != 0:
		dir := "worse"
		if ch.Worse < 0 {
			dir = "better"
		}
		change = fmt.Sprintf("%s %s", pctChange(math.Abs(ch.Worse)), dir)
	}
	ci := "–"
	if !math.IsNaN(ch.WorseLo) && !math.IsInf(ch.WorseLo, 0) && !math.IsInf(ch.WorseHi, 0) {
		ci = fmt.Sprintf("%s to %s", signedPct(ch.WorseLo), signedPct(ch.WorseHi))
	} else if ch.Tested() {
		ci = "too few samples"
	}
	samples := "1 value a side"
	switch ch.Samples {
	case "runs":
		samples = fmt.Sprintf("%d vs %d runs", ch.N1, ch.N2)
	case "per-second":
		samples = fmt.Sprintf("%d vs %d s", ch.N1, ch.N2)
	}
	if ch.Tested() {
		samples += fmt.Sprintf(", p=%.3f", ch.P)
	}
	limit := "–"
	if ch.Limit >= 0 {
		limit = fmt.Sprintf("%g%%", ch.Limit*100)
	}
	var result string
	switch {
	case ch.Regressed && !ch.Tested():
		result = "REGRESSED (no noise estimate)"
	case ch.Regressed:
		result = "REGRESSED"
	case !ch.Tested():
		result = "no noise estimate"
		if ch.Limit >= 0 {
			result = "ok (no noise estimate)"
		}
	case !ch.Significant:
		result = "no significant change"
	case ch.Worse > 0 && ch.Limit >= 0:
		result = "worse, within limit"
	case ch.Worse > 0:
		result = "worse"
	default:
		result = "improved"
	}
	return [7]string{fmtMetric(ch.Metric, ch.Base), fmtMetric(ch.Metric, ch.New), change, ci, samples, limit, result}
}

// pctChange formats a fraction as a percentage with one decimal: 0.402 -> 40.2%.
func pctChange(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// signedPct formats a signed fraction as a percentage in the "worse" direction: +12.0%, -3.5%.
func signedPct(v float64) string {
	s := pctChange(v)
	if v >= 0 {
		s = "+" + s
	}
	return s
}

// compareNote explains how to read the comparison: the test, and what to do without samples.
func compareNote(c *Comparison) string {
	untested := false
	for _, ch := range c.Changes {
		untested = untested || !ch.Tested()
	}
	note := "Changes are Hodges–Lehmann estimates, positive = worse, with 95% confidence intervals; a change is significant when the Mann–Whitney U test gives p < 0.05."
	if untested {
		note += " Metrics with one value a side have no estimate of noise: repeat the runs (bench --repeat 5) to test them."
	}
	return note
}

// CompareText writes the comparison as an aligned table with the verdict to w.
func CompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("%s  compare %s (base) with %s (new)\n", c.Verdict(), oneLine(c.BaseRun), oneLine(c.NewRun))
	tab := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tab, "  WORKLOAD\tMETRIC\tBASE\tNEW\tCHANGE\t95% CI\tSAMPLES\tLIMIT\tRESULT")
	for _, ch := range c.Changes {
		cl := changeCells(ch)
		fmt.Fprintf(tab, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(ch.Workload), ch.Metric, cl[0], cl[1], cl[2], cl[3], cl[4], cl[5], cl[6])
	}
	tab.Flush()
	ew.printf("  %s\n", compareNote(c))
	for _, n := range c.MissingWorkloads {
		ew.printf("  workload %q is missing from the new results\n", oneLine(n))
	}
	for _, n := range c.AddedWorkloads {
		ew.printf("  workload %q is new (no base to compare with)\n", oneLine(n))
	}
	return ew.err
}

// CompareMarkdown writes the comparison as a Markdown table with the verdict to w.
func CompareMarkdown(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	icon := "✅"
	if c.Regressed() {
		icon = "❌"
	}
	ew.printf("### %s commbench compare: %s\n\nBase `%s`, new `%s`.\n\n", icon, c.Verdict(), mdCode(c.BaseRun), mdCode(c.NewRun))
	ew.printf("| workload | metric | base | new | change | 95%% CI | samples | limit | result |\n|---|---|---:|---:|---:|---:|---|---:|---|\n")
	for _, ch := range c.Changes {
		cl := changeCells(ch)
		ew.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEsc(ch.Workload), ch.Metric, cl[0], cl[1], cl[2], cl[3], cl[4], cl[5], cl[6])
	}
	ew.printf("\n%s\n", compareNote(c))
	for _, n := range c.MissingWorkloads {
		ew.printf("\n- ❌ workload %s is missing from the new results\n", mdEsc(n))
	}
	for _, n := range c.AddedWorkloads {
		ew.printf("\n- workload %s is new (no base to compare with)\n", mdEsc(n))
	}
	return ew.err
}

var compareTmpl = template.Must(template.New("compare.html.tmpl").Funcs(funcs).ParseFS(assets, "assets/compare.html.tmpl"))

// CompareHTML writes the comparison as a self-contained HTML page to w (no script, no external
// resource; strings escaped by html/template).
func CompareHTML(w io.Writer, c *Comparison) error {
	type row struct {
		Change
		Cells [7]string
	}
	rows := make([]row, len(c.Changes))
	for i, ch := range c.Changes {
		rows[i] = row{ch, changeCells(ch)}
	}
	return compareTmpl.Execute(w, struct {
		C    *Comparison
		Rows []row
		Note string
		CSS  template.CSS
	}{c, rows, compareNote(c), template.CSS(reportCSS)})
}
