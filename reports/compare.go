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

// Change is one metric of one workload in both files.
type Change struct {
	Workload string
	Metric   string
	Base     float64
	New      float64
	// Worse is the relative change in the bad direction: +0.2 is 20% worse (a higher p99 or a
	// lower throughput), negative is better; +Inf when the base is 0 and the new value is worse.
	Worse float64
	// Limit is the allowed Worse, or -1 when no limit applies.
	Limit     float64
	Regressed bool
}

// Comparison is the outcome of Compare.
type Comparison struct {
	BaseRun, NewRun string // run ids
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

// Verdict is "PASS" or "FAIL" (see Regressed).
func (c *Comparison) Verdict() string {
	if c.Regressed() {
		return "FAIL"
	}
	return "PASS"
}

// comparedMetrics are shown for every workload that has them, limited or not.
var comparedMetrics = []string{"throughput", "error_rate", "p50", "p90", "p99", "p99.9", "max", "loss_rate", "duplicate_rate", "out_of_order_rate"}

// Compare compares the workloads of cur with those of base matched by name: for each metric of
// comparedMetrics and each limited metric that both workloads have, the relative change, and
// whether it regressed beyond limits.
func Compare(base, cur *results.File, limits Limits) *Comparison {
	c := &Comparison{BaseRun: base.Run.ID, NewRun: cur.Run.ID}
	metrics := slices.Clone(comparedMetrics)
	for m := range limits {
		if !slices.Contains(metrics, m) {
			metrics = append(metrics, m)
		}
	}
	slices.Sort(metrics[len(comparedMetrics):])
	byName := map[string]*results.Workload{}
	for i := range cur.Workloads {
		byName[cur.Workloads[i].Name] = &cur.Workloads[i]
	}
	seen := map[string]bool{}
	for i := range base.Workloads {
		bw := &base.Workloads[i]
		seen[bw.Name] = true
		nw, ok := byName[bw.Name]
		if !ok {
			c.MissingWorkloads = append(c.MissingWorkloads, bw.Name)
			continue
		}
		for _, m := range metrics {
			bv, ok1 := bw.Metric(m)
			nv, ok2 := nw.Metric(m)
			if !ok1 || !ok2 {
				continue
			}
			higher, _ := results.HigherIsBetter(m)
			ch := Change{Workload: bw.Name, Metric: m, Base: bv, New: nv, Worse: worse(bv, nv, higher), Limit: -1}
			if lim, ok := limits[m]; ok {
				ch.Limit = lim
				ch.Regressed = ch.Worse > lim+1e-12
			}
			c.Changes = append(c.Changes, ch)
		}
	}
	for _, w := range cur.Workloads {
		if !seen[w.Name] {
			c.AddedWorkloads = append(c.AddedWorkloads, w.Name)
		}
	}
	return c
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

// changeCells formats a change as its table cells: base, new, change, limit, result.
func changeCells(ch Change) [5]string {
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
		change = fmt.Sprintf("%.1f%% %s", math.Abs(ch.Worse)*100, dir)
	}
	limit, result := "–", "–"
	if ch.Limit >= 0 {
		limit = fmt.Sprintf("%g%%", ch.Limit*100)
		result = "ok"
		if ch.Regressed {
			result = "REGRESSED"
		}
	}
	return [5]string{fmtMetric(ch.Metric, ch.Base), fmtMetric(ch.Metric, ch.New), change, limit, result}
}

// CompareText writes the comparison as an aligned table with the verdict to w.
func CompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("%s  compare %s (base) with %s (new)\n", c.Verdict(), oneLine(c.BaseRun), oneLine(c.NewRun))
	tab := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tab, "  WORKLOAD\tMETRIC\tBASE\tNEW\tCHANGE\tLIMIT\tRESULT")
	for _, ch := range c.Changes {
		cells := changeCells(ch)
		fmt.Fprintf(tab, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(ch.Workload), ch.Metric, cells[0], cells[1], cells[2], cells[3], cells[4])
	}
	tab.Flush()
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
	ew.printf("| workload | metric | base | new | change | limit | result |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, ch := range c.Changes {
		cells := changeCells(ch)
		ew.printf("| %s | %s | %s | %s | %s | %s | %s |\n", mdEsc(ch.Workload), ch.Metric, cells[0], cells[1], cells[2], cells[3], cells[4])
	}
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
		Cells [5]string
	}
	rows := make([]row, len(c.Changes))
	for i, ch := range c.Changes {
		rows[i] = row{ch, changeCells(ch)}
	}
	return compareTmpl.Execute(w, struct {
		C    *Comparison
		Rows []row
		CSS  template.CSS
	}{c, rows, template.CSS(reportCSS)})
}
