package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChartDrawn(t *testing.T) {
	tests := []struct {
		name  string
		chart Chart
		want  bool
	}{
		{"two long series", Chart{Width: 720, Paths: []float64{600, 420}}, true},
		{"narrow", Chart{Width: MinChartWidth - 1, Paths: []float64{600}}, false},
		{"no series", Chart{Width: 720}, false},
		{"no data note", Chart{Width: 720, Paths: []float64{600}, NoData: true}, false},
		{"one series is a dot", Chart{Width: 720, Paths: []float64{600, 0.1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.chart.Drawn(); got != tt.want {
				t.Fatalf("Drawn() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOpen opens pages in Chromium and checks what Open reports of them: chart geometry read from
// the layout, the page's own request only, and the text, title and screenshot; a resource blocked
// by the Content-Security-Policy shows up as a problem.
func TestOpen(t *testing.T) {
	b := Start(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	svg := func(id, width, inner string) string {
		return `<svg class="chart" id="` + id + `" width="` + width + `" height="100" viewBox="0 0 ` + width + ` 100">` + inner + `</svg>`
	}
	charts := write("charts.html", `<!DOCTYPE html><meta charset="utf-8"><title>charts</title><body><p>hello chart</p>`+
		svg("line", "600", `<path class="series" d="M0 50 L500 50" stroke="black"/>`)+
		svg("dot", "600", `<path class="series" d="M10 10h0.1" stroke="black"/>`)+
		svg("nodata", "600", `<text class="nodata" x="10" y="10">no data</text>`)+
		svg("narrow", "100", `<path class="series" d="M0 50 L90 50" stroke="black"/>`)+`</body>`)

	p := b.Open(t, charts, "browsertest-charts")
	if p.Title != "charts" || !strings.Contains(p.Text, "hello chart") {
		t.Errorf("title %q, text %q", p.Title, p.Text)
	}
	drawn := map[string]bool{}
	for _, c := range p.Charts {
		drawn[c.ID] = c.Drawn()
	}
	want := map[string]bool{"line": true, "dot": false, "nodata": false, "narrow": false}
	if len(p.Charts) != len(want) || p.ChartsDrawn() != 1 {
		t.Errorf("charts %+v, %d drawn", p.Charts, p.ChartsDrawn())
	}
	for id, w := range want {
		if drawn[id] != w {
			t.Errorf("chart %s drawn %v, want %v (%+v)", id, drawn[id], w, p.Charts)
		}
	}
	if c := p.Charts[0]; c.Paths[0] < 499 || c.Paths[0] > 501 || c.Width != 600 {
		t.Errorf("line chart measured %+v, want width 600 and a 500 px path", c)
	}
	if len(p.Requests) != 1 || p.Requests[0] != p.URL || len(p.ExternalRequests()) != 0 || len(p.Problems) != 0 {
		t.Errorf("requests %q, problems %q", p.Requests, p.Problems)
	}
	if st, err := os.Stat(p.Screenshot); err != nil || st.Size() == 0 || filepath.Base(p.Screenshot) != "browsertest-charts.png" {
		t.Errorf("screenshot %s: %v", p.Screenshot, err)
	}

	csp := write("csp.html", `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>csp</title>`+
		`<script>document.title = "ran"</script><body>x</body>`)
	p = b.Open(t, csp, "browsertest-csp")
	if p.Title != "csp" || len(p.Problems) == 0 || !strings.Contains(strings.Join(p.Problems, "\n"), "Content Security Policy") {
		t.Errorf("a script blocked by the CSP: title %q, problems %q", p.Title, p.Problems)
	}
}

func TestChartString(t *testing.T) {
	got := Chart{ID: "w0-tput", Width: 720.4, Paths: []float64{612.2, 430}, NoData: true}.String()
	if want := "w0-tput: 720 px wide, series [612 430] px, no data"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}
