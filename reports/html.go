package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/commbench/commbench/reports/chart"
	"github.com/commbench/commbench/results"
)

//go:embed assets/report.html.tmpl assets/compare.html.tmpl assets/report.css
var assets embed.FS

var funcs = template.FuncMap{
	"ms":                fmtMS,
	"rate":              fmtRate,
	"pct":               fmtPct,
	"dur":               fmtDuration,
	"metric":            fmtMetric,
	"extraIntegrity":    extraIntegrity,
	"redact":            redactString,
	"failedInteraction": interactionFailed,
	"runName":           runName,
	"lines": func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(strings.TrimRight(s, "\n"), "\n")
	},
}

var (
	reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(funcs).ParseFS(assets, "assets/report.html.tmpl"))
	reportCSS  = mustRead("assets/report.css")
)

func mustRead(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return string(b)
}

type htmlView struct {
	F *results.File
	// FailedThresholds and FailedInteractions (not pending) lead the page: what failed, first.
	FailedThresholds   []failedThreshold
	FailedInteractions []interactionView
	Verdict            string
	Failed             bool
	Started            string
	Duration           string
	Figures            []figure
	Groups             []groupView
	Workloads          []workloadView
	Config             []kv
	Env                []kv
	CSS                template.CSS
}

type workloadView struct {
	W         results.Workload
	ID        string
	Latencies []latencyRow
	Charts    []template.HTML
	Errors    []kvCount
	Statuses  []statusRow
}

// groupView is a consumer-provider pair whose interaction views are made as the template
// ranges over them, one at a time.
type groupView struct {
	contractGroup
}

// Views yields the view of each interaction of the group, with its page-wide id
// ("interaction-N", N from 1 in report order).
func (g groupView) Views() iter.Seq[interactionView] {
	return func(yield func(interactionView) bool) {
		n := g.First
		for in := range g.Interactions() {
			n++
			if !yield(newInteractionView(in, n)) {
				return
			}
		}
	}
}

// newInteractionView is the view of in, the n-th interaction of the report (from 1).
func newInteractionView(in results.Interaction, n int) interactionView {
	return interactionView{Interaction: in, ID: "interaction-" + strconv.Itoa(n), Req: newRequestView(in.Request), Mismatches: mismatchViews(in.Mismatches)}
}

type latencyRow struct {
	Name string
	L    *results.Latency
}

// HTML writes f as one self-contained HTML page to w: no script, no external resource (a
// Content-Security-Policy of default-src 'none' enforces it), CSS inline and charts as inline SVG
// drawn by package chart. Every string from the results file is escaped by html/template. The page
// has a summary banner, contract results (one collapsible block per consumer-provider pair and per
// interaction, failed ones open, mismatches as expected-versus-actual diffs), and per workload its
// totals, latency table, charts (throughput and errors over time, p50/p99 over time, the latency
// percentile spectrum on a log scale), error classes, integrity and thresholds, then the
// configuration (secrets redacted) and the environment. It returns the first write error.
func HTML(w io.Writer, f *results.File) error {
	v := htmlView{
		F:                f,
		Verdict:          verdict(f),
		Failed:           f.Failed() || f.Run.Error != "",
		Duration:         fmtDuration(runDuration(f.Run)),
		FailedThresholds: failedThresholds(f),
		Config:           flattenConfig(f.Run.Config),
		CSS:              template.CSS(reportCSS),
	}
	for _, g := range groupInteractions(f.Verification) {
		gv := groupView{g}
		for iv := range gv.Views() {
			if interactionFailed(iv.Interaction) && !iv.Pending {
				v.FailedInteractions = append(v.FailedInteractions, iv)
			}
		}
		v.Groups = append(v.Groups, gv)
	}
	if !f.Run.Started.IsZero() {
		v.Started = f.Run.Started.UTC().Format(time.RFC3339)
	}
	e := f.Run.Environment
	v.Env = []kv{{"commbench", e.CommbenchVersion}, {"go", e.GoVersion}, {"os/arch", e.OS + "/" + e.Arch}, {"cpus", strconv.Itoa(e.CPUs)}}
	if e.Hostname != "" {
		v.Env = append(v.Env, kv{"hostname", e.Hostname})
	}
	if vf := f.Verification; vf != nil {
		v.Figures = append(v.Figures, figure{"interactions passed", fmt.Sprintf("%d/%d", vf.Summary.Passed, vf.Summary.Total)})
		if n := vf.Summary.Failed + vf.Summary.Errors; n > 0 {
			v.Figures = append(v.Figures, figure{"interactions failed", strconv.Itoa(n)})
		}
	}
	if total, failed := thresholdCounts(f); total > 0 {
		v.Figures = append(v.Figures, figure{"thresholds passed", fmt.Sprintf("%d/%d", total-failed, total)})
	}
	for i, wl := range f.Workloads {
		wv := workloadView{W: wl, ID: fmt.Sprintf("workload-%d", i+1), Errors: sortedErrors(wl.Errors), Statuses: statusRows(wl)}
		for _, l := range []latencyRow{{"latency", wl.Latency}, {"service time", wl.ServiceTime}, {"schedule delay", wl.ScheduleDelay}, {"end to end", wl.EndToEnd}, {"failed operations", wl.FailedLatency}} {
			if l.L != nil && l.L.Count > 0 {
				wv.Latencies = append(wv.Latencies, l)
			}
		}
		wv.Charts = workloadCharts(wv.ID, wl, wv.Latencies)
		v.Workloads = append(v.Workloads, wv)
		prefix := ""
		if len(f.Workloads) > 1 {
			prefix = runName(wl) + " "
		}
		v.Figures = append(v.Figures, figure{prefix + "throughput", fmtRate(wl.Totals.ThroughputPerS)})
		if wl.Latency != nil && wl.Latency.Count > 0 {
			v.Figures = append(v.Figures, figure{prefix + "p99 latency", fmtMS(wl.Latency.P99MS)})
		}
		v.Figures = append(v.Figures, figure{prefix + "error rate", fmtPct(wl.Totals.ErrorRate)})
		if in := wl.Integrity; in != nil {
			v.Figures = append(v.Figures, figure{prefix + "lost / duplicates", fmt.Sprintf("%d / %d", in.Lost, in.Duplicates)})
		}
	}
	return reportTmpl.Execute(w, v)
}

// figure is one key figure of the summary banner.
type figure struct{ Label, Value string }

// workloadCharts draws the three charts of a workload. Chart text is escaped by package chart.
func workloadCharts(id string, wl results.Workload, lats []latencyRow) []template.HTML {
	var t0 time.Time
	if len(wl.Series) > 0 {
		t0 = wl.Series[0].Time
	}
	var tput, errs, p50, p99 []chart.Point
	for _, p := range wl.Series {
		x := p.Time.Sub(t0).Seconds()
		tput = append(tput, chart.Point{X: x, Y: p.ThroughputPerS})
		errs = append(errs, chart.Point{X: x, Y: float64(p.Errors)})
		p50 = append(p50, chart.Point{X: x, Y: p.P50MS})
		p99 = append(p99, chart.Point{X: x, Y: p.P99MS})
	}
	timeAxis := chart.Axis{Label: "time since start", Format: clock, MinStep: 1}
	var tputRefs, latRefs []chart.Ref
	if wl.Model == "open" && wl.RatePerS > 0 {
		tputRefs = append(tputRefs, chart.Ref{Y: wl.RatePerS, Label: "target rate " + fmtRate(wl.RatePerS)})
	}
	for _, t := range wl.Thresholds {
		ref := chart.Ref{Y: t.Limit, Label: "threshold " + t.Expr}
		switch metricUnit(t.Metric) {
		case "ms":
			latRefs = append(latRefs, ref)
		case "/s":
			tputRefs = append(tputRefs, ref)
		}
	}
	charts := []chart.Chart{
		{ID: id + "-throughput", Title: "Throughput and errors per second", X: timeAxis,
			Y:      chart.Axis{Label: "throughput (/s)", FromZero: true},
			Y2:     chart.Axis{Label: "errors/s", FromZero: true},
			Series: []chart.Series{{Name: "throughput", Points: tput}, {Name: "errors", Points: errs, Right: true}}, Refs: tputRefs},
		{ID: id + "-latency", Title: "Latency percentiles over time (ms)", X: timeAxis,
			Y:      chart.Axis{Label: "ms", FromZero: true},
			Series: []chart.Series{{Name: "p50", Points: p50}, {Name: "p99", Points: p99}}, Refs: latRefs},
	}
	spectrum := chart.Chart{ID: id + "-spectrum", Title: "Latency by percentile (log scale)",
		X: chart.Axis{Label: "percentile", Ticks: spectrumTicks, Min: 0},
		Y: chart.Axis{Label: "ms", FromZero: true}, Refs: latRefs}
	for _, l := range lats {
		spectrum.Series = append(spectrum.Series, chart.Series{Name: l.Name, Points: percentileSpectrum(l.L)})
	}
	xmax := 2.0
	for _, s := range spectrum.Series {
		for _, p := range s.Points {
			xmax = max(xmax, math.Ceil(p.X))
		}
	}
	spectrum.X.Max = xmax
	charts = append(charts, spectrum)
	out := make([]template.HTML, len(charts))
	for i, c := range charts {
		out[i] = template.HTML(c.SVG()) // #nosec: package chart escapes every string it writes
	}
	return out
}

// spectrumX maps a percentile (0-100) to the spectrum's x: log10(1/(1-q)), so 90% is 1, 99% is 2,
// 99.9% is 3 (HdrHistogram's percentile distribution plot).
func spectrumX(percentile float64) float64 { return -math.Log10(1 - percentile/100) }

// maxSpectrumX is 99.9999%.
const maxSpectrumX = 6

var spectrumTicks = []chart.Tick{{V: 0, Label: "0%"}, {V: 1, Label: "90%"}, {V: 2, Label: "99%"}, {V: 3, Label: "99.9%"},
	{V: 4, Label: "99.99%"}, {V: 5, Label: "99.999%"}, {V: 6, Label: "99.9999%"}}

// percentileSpectrum returns (spectrumX(q), latency ms) from the encoded histogram when present
// (hdrhistogram-go CumulativeDistributionWithTicks, 5 ticks per half distance), else from the
// stored percentiles.
func percentileSpectrum(l *results.Latency) []chart.Point {
	if h, err := l.DecodeHistogram(); err == nil && h.TotalCount() > 0 {
		var pts []chart.Point
		last := 0.0
		for _, b := range h.CumulativeDistributionWithTicks(5) {
			if b.Quantile >= 100 {
				continue
			}
			x := spectrumX(b.Quantile)
			if x > maxSpectrumX {
				break
			}
			pts = append(pts, chart.Point{X: x, Y: float64(b.ValueAt) / 1000})
			last = x
		}
		// The maximum sits at the resolution the sample count allows.
		xMax := math.Min(maxSpectrumX, math.Max(last, math.Log10(float64(h.TotalCount()))))
		return append(pts, chart.Point{X: xMax, Y: float64(h.Max()) / 1000})
	}
	pts := []chart.Point{{X: 0, Y: l.MinMS}, {X: spectrumX(50), Y: l.P50MS}, {X: 1, Y: l.P90MS}, {X: spectrumX(95), Y: l.P95MS}, {X: 2, Y: l.P99MS}, {X: 3, Y: l.P999MS}, {X: 4, Y: l.P9999MS}}
	return pts
}

// clock formats seconds as m:ss.
func clock(s float64) string {
	sec := int(math.Round(s))
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
