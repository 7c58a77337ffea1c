// Package chart draws line charts as inline SVG on the server side, so an HTML report needs no
// script, no network and prints as it shows. All text (title, labels, series names) is XML-escaped,
// so the output is safe to embed in HTML as is.
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Default size of a chart in CSS pixels (the SVG scales with its container through viewBox).
const (
	DefaultWidth  = 720
	DefaultHeight = 240
)

// Palette is the stroke colour of series i (mod len), chosen to stay distinct when printed in
// grey scale and for common colour-vision deficiencies (Okabe-Ito).
var Palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"}

// Point is one (x, y) sample. A NaN y breaks the line.
type Point struct{ X, Y float64 }

// Series is one line. A series with Right set is scaled on the right-hand axis (Chart.Y2), for a
// second unit or a much smaller magnitude (errors next to throughput).
type Series struct {
	Name   string
	Points []Point
	Right  bool
}

// Ref is a horizontal reference line at Y (a threshold, a target rate), drawn dashed across the
// plot with its Label, on the right-hand axis when Right is set. The axis range includes it,
// unless it lies over 3x above the data: then it is named at the top of the plot with its value
// ("above the chart") rather than flattening the data.
type Ref struct {
	Y     float64
	Label string
	Right bool
}

// Tick is an axis mark at value V labelled Label.
type Tick struct {
	V     float64
	Label string
}

// Axis describes one axis. When Ticks is nil, about five round ticks are computed over the data
// range and labelled with Format (default: %g). Min and Max, when Max > Min, fix the range.
type Axis struct {
	Label    string
	Ticks    []Tick
	Format   func(float64) string
	Min, Max float64
	// FromZero makes the computed range start at 0 (latency, throughput).
	FromZero bool
	// MinStep is the smallest tick step (e.g. 1 for a time axis in whole seconds); 0 means none.
	MinStep float64
}

// Chart is a line chart.
type Chart struct {
	ID            string // the svg element's id (escaped)
	Title         string
	X, Y          Axis
	Y2            Axis // the right-hand axis, used when a series has Right set
	Series        []Series
	Refs          []Ref
	Width, Height int // default DefaultWidth x DefaultHeight
}

// refColor is the colour of reference lines (not in Palette).
const refColor = "#cf222e"

// dashes is the stroke-dasharray of series i: the first solid, the others dashed or dotted and
// drawn above it and narrower, so a series equal to another (service time and latency in the
// closed model) still shows.
var dashes = []string{"", "7 4", "2 3", "10 3 2 3"}

const (
	padLeft, padTop, padBottom = 64, 30, 42
)

// SVG renders the chart as an <svg> element of class "chart" with one <path class="series"> per
// series that has at least one point (attribute data-series holds its name and data-points its
// number of points), and a "no data" note when no series has points.
func (c Chart) SVG() string {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	padRight := 36
	hasRight := false
	for _, s := range c.Series {
		hasRight = hasRight || s.Right
	}
	if hasRight {
		padRight = 64
	}
	xmin, xmax, n := c.xBounds()
	ymin, ymax := c.yBounds(c.Y, false)
	y2min, y2max := c.yBounds(c.Y2, true)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		esc(c.ID), w, h, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold" fill="#222">%s</text>`, padLeft, esc(c.Title))
	pw, ph := float64(w-padLeft-padRight), float64(h-padTop-padBottom)
	if n == 0 {
		fmt.Fprintf(&b, `<text class="nodata" x="%d" y="%d" text-anchor="middle" fill="#666">no data</text></svg>`, w/2, h/2)
		return b.String()
	}
	sx := func(v float64) float64 { return float64(padLeft) + (v-xmin)/(xmax-xmin)*pw }
	scaleY := func(lo, hi float64) func(float64) float64 {
		return func(v float64) float64 { return float64(padTop) + ph - (v-lo)/(hi-lo)*ph }
	}
	sy, sy2 := scaleY(ymin, ymax), scaleY(y2min, y2max)

	// Grid and ticks.
	b.WriteString(`<g class="axes" stroke="#ddd" stroke-width="1">`)
	yt := ticks(c.Y, ymin, ymax)
	xt := ticks(c.X, xmin, xmax)
	for _, t := range yt {
		y := sy(t.V)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s"/>`, padLeft, w-padRight, f1(y), f1(y))
	}
	for _, t := range xt {
		x := sx(t.V)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%d" y2="%s"/>`, f1(x), f1(x), padTop, f1(float64(padTop)+ph))
	}
	b.WriteString(`</g><g class="labels" fill="#333">`)
	for _, t := range yt {
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, padLeft-6, f1(sy(t.V)), esc(t.Label))
	}
	if hasRight {
		for _, t := range ticks(c.Y2, y2min, y2max) {
			fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="start" dominant-baseline="middle">%s</text>`, w-padRight+6, f1(sy2(t.V)), esc(t.Label))
		}
		fmt.Fprintf(&b, `<text transform="translate(%d %s) rotate(90)" text-anchor="middle">%s</text>`, w-10, f1(float64(padTop)+ph/2), esc(c.Y2.Label))
	}
	for _, t := range xt {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, f1(sx(t.V)), f1(float64(padTop)+ph+14), esc(t.Label))
	}
	fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, f1(float64(padLeft)+pw/2), h-6, esc(c.X.Label))
	fmt.Fprintf(&b, `<text transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, f1(float64(padTop)+ph/2), esc(c.Y.Label))
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%s" height="%s" fill="none" stroke="#999"/>`, padLeft, padTop, f1(pw), f1(ph))

	// Reference lines, drawn over the series so their labels stay readable.
	var refs strings.Builder
	for _, r := range c.Refs {
		y := sy(r.Y)
		if r.Right {
			y = sy2(r.Y)
		}
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		if y < float64(padTop) { // above the range: named at the top of the plot, with its value
			refs.WriteString(fmt.Sprintf(`<g class="ref" data-ref="%s"><text x="%d" y="%d" fill="%s" stroke="#fff" stroke-width="3" paint-order="stroke">▲ %s (%s, above the chart)</text></g>`,
				esc(r.Label), padLeft+6, padTop+13, refColor, esc(r.Label), esc(Number(r.Y))))
			continue
		}
		ly := y - 4 // the label above the line, or below it at the top of the plot (the legend is there)
		if ly < float64(padTop)+12 {
			ly = y + 13
		}
		refs.WriteString(fmt.Sprintf(`<g class="ref" data-ref="%s"><line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1.2" stroke-dasharray="5 4"/><text x="%d" y="%s" fill="%s" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text></g>`,
			esc(r.Label), padLeft, w-padRight, f1(y), f1(y), refColor, padLeft+6, f1(ly), refColor, esc(r.Label)))
	}

	// Series: right-axis ones first (behind, thin, solid), then the others first to last, the first
	// widest and solid, later ones narrower and dashed on top.
	order := make([]int, 0, len(c.Series))
	for i, s := range c.Series {
		if s.Right {
			order = append(order, i)
		}
	}
	for i, s := range c.Series {
		if !s.Right {
			order = append(order, i)
		}
	}
	for _, i := range order {
		s := c.Series[i]
		color := Palette[i%len(Palette)]
		var d strings.Builder
		count, pen := 0, false
		for _, p := range s.Points {
			if !finite(p) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			y := sy(p.Y)
			if s.Right {
				y = sy2(p.Y)
			}
			d.WriteString(cmd + f1(sx(p.X)) + " " + f1(y))
			pen = true
			count++
		}
		if count == 0 {
			continue
		}
		path := d.String()
		if count == 1 { // a lone point: draw a dot-sized segment so it shows
			path += "h0.1"
		}
		width := "2.5"
		if i > 0 {
			width = "1.5"
		}
		if s.Right {
			width = "1" // the secondary series stays behind the main one
		}
		dash := ""
		if da := dashes[i%len(dashes)]; da != "" && !s.Right {
			dash = ` stroke-dasharray="` + da + `"`
		}
		fmt.Fprintf(&b, `<path class="series" data-series="%s" data-points="%d" d="%s" fill="none" stroke="%s" stroke-width="%s"%s stroke-linejoin="round"/>`,
			esc(s.Name), count, path, color, width, dash)
	}
	b.WriteString(refs.String())
	// Legend entries, laid out right to left.
	lx := float64(w - padRight)
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		color := Palette[i%len(Palette)]
		label := esc(s.Name)
		if s.Right && c.Y2.Label != "" {
			label += " (right, " + esc(c.Y2.Label) + ")"
		}
		lw := float64(len([]rune(html.UnescapeString(label))))*6.2 + 24
		lx -= lw
		dash := ""
		if da := dashes[i%len(dashes)]; da != "" && !s.Right {
			dash = ` stroke-dasharray="` + da + `"`
		}
		fmt.Fprintf(&b, `<g class="legend"><line x1="%s" x2="%s" y1="20" y2="20" stroke="%s" stroke-width="3"%s/><text x="%s" y="24" fill="#222">%s</text></g>`,
			f1(lx), f1(lx+14), color, dash, f1(lx+18), label)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// xBounds returns the x range and the number of finite points.
func (c Chart) xBounds() (xmin, xmax float64, n int) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			if finite(p) {
				n++
				xmin, xmax = min(xmin, p.X), max(xmax, p.X)
			}
		}
	}
	if c.X.Max > c.X.Min {
		xmin, xmax = c.X.Min, c.X.Max
	}
	if n == 0 || xmax <= xmin {
		xmax = xmin + 1
	}
	return
}

// yBounds returns the y range of the left (right=false) or right series on axis a.
func (c Chart) yBounds(a Axis, right bool) (ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	n := 0
	for _, s := range c.Series {
		if s.Right != right {
			continue
		}
		for _, p := range s.Points {
			if finite(p) {
				n++
				ymin, ymax = min(ymin, p.Y), max(ymax, p.Y)
			}
		}
	}
	dataMax := ymax
	for _, r := range c.Refs {
		// A reference far above the data (over 3x its top) would flatten it: it is named at the
		// top of the plot instead (see SVG).
		if r.Right == right && !math.IsNaN(r.Y) && !math.IsInf(r.Y, 0) && !(n > 0 && dataMax > 0 && r.Y > 3*dataMax) {
			n++
			ymin, ymax = min(ymin, r.Y), max(ymax, r.Y)
		}
	}
	if n == 0 {
		ymin, ymax = 0, 1
	}
	if a.FromZero && ymin > 0 {
		ymin = 0
	}
	if a.Max > a.Min {
		return a.Min, a.Max
	}
	// Round the top up to the next tick so the line does not touch the frame.
	if step := niceStep((ymax - ymin) / 5); step > 0 {
		ymax = math.Ceil(ymax/step) * step
	}
	if ymax <= ymin {
		ymax = ymin + 1
	}
	return
}

func finite(p Point) bool {
	return !math.IsNaN(p.Y) && !math.IsNaN(p.X) && !math.IsInf(p.Y, 0) && !math.IsInf(p.X, 0)
}

func ticks(a Axis, lo, hi float64) []Tick {
	if a.Ticks != nil {
		var out []Tick
		for _, t := range a.Ticks {
			if t.V >= lo-1e-9 && t.V <= hi+1e-9 {
				out = append(out, t)
			}
		}
		return out
	}
	format := a.Format
	if format == nil {
		format = Number
	}
	step := niceStep((hi - lo) / 5)
	if step > 0 && step < a.MinStep {
		step = a.MinStep
	}
	if step <= 0 {
		return []Tick{{lo, format(lo)}}
	}
	var out []Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9 && len(out) < 20; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, Tick{v, format(v)})
	}
	return out
}

// Number labels a tick value without exponents: 25000 as "25k", 1500000 as "1.5M", 0.25 as "0.25".
func Number(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'g', 4, 64) + "G"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// niceStep rounds a raw step to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string { return html.EscapeString(s) }
