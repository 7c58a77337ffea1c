package chart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

// svgDoc is a generic parse of the SVG output.
type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []svgNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n svgNode) attr(k string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == k {
			return a.Value
		}
	}
	return ""
}

func parse(t *testing.T, s string) (root svgNode, paths []svgNode, texts []string) {
	t.Helper()
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, s)
	}
	var walk func(n svgNode)
	walk = func(n svgNode) {
		if n.XMLName.Local == "path" && n.attr("class") == "series" {
			paths = append(paths, n)
		}
		if n.XMLName.Local == "text" || n.XMLName.Local == "title" {
			texts = append(texts, n.Text)
		}
		for _, c := range n.Nodes {
			walk(c)
		}
	}
	walk(root)
	return
}

func line(n int, f func(i int) float64) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{float64(i), f(i)}
	}
	return pts
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name      string
		c         Chart
		wantPaths map[string]string // series name -> data-points
		wantMoves map[string]int    // series name -> number of M commands (line breaks + 1)
	}{
		{"two series", Chart{Title: "t", Series: []Series{{Name: "a", Points: line(10, func(i int) float64 { return float64(i) })}, {Name: "b", Points: line(5, func(int) float64 { return 3 })}}},
			map[string]string{"a": "10", "b": "5"}, map[string]int{"a": 1, "b": 1}},
		{"NaN breaks the line", Chart{Series: []Series{{Name: "a", Points: line(9, func(i int) float64 {
			if i == 4 {
				return math.NaN()
			}
			return 1
		})}}}, map[string]string{"a": "8"}, map[string]int{"a": 2}},
		{"empty series drawn as nothing", Chart{Series: []Series{{Name: "a"}, {Name: "b", Points: line(3, func(int) float64 { return 1 })}}},
			map[string]string{"b": "3"}, map[string]int{"b": 1}},
		{"no data", Chart{Series: []Series{{Name: "a"}}}, map[string]string{}, nil},
		{"right axis", Chart{Y2: Axis{Label: "errors/s"}, Series: []Series{{Name: "tput", Points: line(4, func(int) float64 { return 1000 })}, {Name: "errors", Right: true, Points: line(4, func(int) float64 { return 2 })}}},
			map[string]string{"tput": "4", "errors": "4"}, map[string]int{"tput": 1, "errors": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, paths, texts := parse(t, tt.c.SVG())
			if len(paths) != len(tt.wantPaths) {
				t.Fatalf("%d paths, want %d", len(paths), len(tt.wantPaths))
			}
			for _, p := range paths {
				name := p.attr("data-series")
				if got := p.attr("data-points"); got != tt.wantPaths[name] {
					t.Errorf("series %s: %s points, want %s", name, got, tt.wantPaths[name])
				}
				if got := strings.Count(p.attr("d"), "M"); got != tt.wantMoves[name] {
					t.Errorf("series %s: %d moves in %q, want %d", name, got, p.attr("d"), tt.wantMoves[name])
				}
			}
			if len(tt.wantPaths) == 0 && !strings.Contains(strings.Join(texts, "|"), "no data") {
				t.Error("an empty chart does not say so")
			}
		})
	}
}

func TestRightAxisUsesItsOwnScale(t *testing.T) {
	c := Chart{Height: 240, Series: []Series{{Name: "tput", Points: line(3, func(int) float64 { return 1000 })}, {Name: "errors", Right: true, Points: line(3, func(int) float64 { return 2 })}}}
	_, paths, _ := parse(t, c.SVG())
	ys := map[string]string{}
	for _, p := range paths {
		f := strings.Fields(strings.TrimPrefix(p.attr("d"), "M"))
		ys[p.attr("data-series")] = strings.Split(f[1], "L")[0]
	}
	// Both flat lines sit at the top of their own scale, not errors at the bottom of the left one.
	if ys["tput"] != ys["errors"] {
		t.Fatalf("y of throughput %s and errors %s differ: errors not on their own axis", ys["tput"], ys["errors"])
	}
}

func TestSVGEscapesText(t *testing.T) {
	evil := `</svg><script>alert(1)</script>"'&`
	c := Chart{ID: evil, Title: evil, X: Axis{Label: evil}, Y: Axis{Label: evil}, Y2: Axis{Label: evil},
		Series: []Series{{Name: evil, Points: line(3, float64Of)}, {Name: evil, Right: true, Points: line(3, float64Of)}}}
	out := c.SVG()
	if strings.Contains(out, "<script") || strings.Contains(out, "</svg><") {
		t.Fatalf("unescaped text in %s", out)
	}
	root, _, texts := parse(t, out)
	if root.attr("id") != evil {
		t.Errorf("id %q, want the literal text", root.attr("id"))
	}
	if !strings.Contains(strings.Join(texts, "|"), evil) {
		t.Errorf("labels do not show the literal text: %q", texts)
	}
}

func float64Of(i int) float64 { return float64(i) }

func TestNiceStep(t *testing.T) {
	tests := []struct{ in, want float64 }{{0.7, 1}, {1.3, 2}, {3, 5}, {7, 10}, {230, 500}, {0.013, 0.02}, {0, 0}, {math.NaN(), 0}}
	for _, tt := range tests {
		if got := niceStep(tt.in); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTicksRespectMinStep(t *testing.T) {
	got := ticks(Axis{MinStep: 1}, 0, 2)
	for i, tk := range got {
		if tk.V != float64(i) {
			t.Fatalf("ticks %v: want whole steps 0, 1, 2", got)
		}
	}
	if len(got) != 3 {
		t.Fatalf("ticks %v: want 3", got)
	}
	if n := len(ticks(Axis{}, 0, 2)); n <= 3 {
		t.Fatalf("without MinStep a 0..2 range should get finer ticks, got %d", n)
	}
}

func TestNumberLabels(t *testing.T) {
	for v, want := range map[float64]string{25000: "25k", 1.5e6: "1.5M", 0.25: "0.25", 5000: "5000", 2e9: "2G", -20000: "-20k", 0.1 + 0.2: "0.3", 12345.6: "12.35k"} {
		if got := Number(v); got != want {
			t.Errorf("Number(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestRefLinesShowAndWidenTheRange: a reference line above the data is drawn (class "ref", its
// label escaped) and the axis range grows to include it.
func TestRefLinesShowAndWidenTheRange(t *testing.T) {
	c := Chart{ID: "c", Title: "t", Series: []Series{{Name: "p99", Points: []Point{{0, 20}, {1, 30}}}},
		Refs: []Ref{{Y: 50, Label: "threshold p99<50ms & <b>"}}}
	svg := c.SVG()
	if !strings.Contains(svg, `class="ref"`) || !strings.Contains(svg, "threshold p99&lt;50ms &amp; &lt;b&gt;") {
		t.Fatalf("no escaped reference line:\n%s", svg)
	}
	if _, ymax := c.yBounds(c.Y, false); ymax < 50 {
		t.Fatalf("y range tops at %g, below the reference at 50", ymax)
	}
}

// TestRefFarAboveTheData: a limit far above the data does not flatten it: it is named at the top.
func TestRefFarAboveTheData(t *testing.T) {
	c := Chart{ID: "c", Title: "t", Series: []Series{{Name: "p99", Points: []Point{{0, 10}, {1, 16}}}},
		Refs: []Ref{{Y: 1000, Label: "threshold p99<1s"}}}
	if _, ymax := c.yBounds(c.Y, false); ymax > 50 {
		t.Fatalf("y range tops at %g: the far limit flattened the data", ymax)
	}
	if svg := c.SVG(); !strings.Contains(svg, "threshold p99&lt;1s (1000, above the chart)") {
		t.Fatalf("the far limit is not named:\n%s", svg)
	}
}
