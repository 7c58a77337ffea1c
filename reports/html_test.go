package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/commbench/commbench/results"
)

const (
	payloadScript    = "<script>alert(1)</script>"
	payloadImg       = `"><img src=x onerror=alert(1)>`
	payloadEndScript = "</script><svg onload=alert(2)>"
)

// hostileFile puts script-injection payloads in every user-supplied string a report shows:
// descriptions, provider states, mismatch paths and values, header names, names, targets, error
// classes, threshold expressions, configuration and environment.
func hostileFile(t testing.TB) *results.File {
	t.Helper()
	f := sampleFile(t, 3)
	all := payloadScript + " " + payloadImg + " " + payloadEndScript + " ]]>"
	f.Run.ID = payloadImg
	f.Run.Error = payloadEndScript
	f.Run.Environment.Hostname = payloadScript
	f.Run.Config["notes"] = all
	f.Run.Config[payloadImg] = payloadScript
	in := &f.Verification.Interactions[1]
	in.Consumer, in.Provider, in.Description = payloadScript, payloadImg, all
	in.ProviderStates = []string{payloadEndScript}
	in.Source = payloadImg
	in.Mismatches = append(in.Mismatches,
		results.Mismatch{Category: "header", Path: payloadImg, Expected: payloadScript, Actual: payloadEndScript, Message: all},
		results.Mismatch{Category: "body", Path: "$." + payloadScript, Expected: "{\"a\":\"" + payloadImg + "\"}", Actual: "{\"a\":\"" + payloadEndScript + "\"}", Message: payloadImg})
	f.Verification.Interactions[5].Reason = all
	w := &f.Workloads[0]
	w.Name = payloadScript
	w.Target = "http://127.0.0.1/" + payloadImg
	w.Format = payloadEndScript
	w.Errors[payloadImg] = 1
	w.Thresholds[0].Expr = payloadEndScript
	w.Thresholds[0].Metric = payloadImg
	return f
}

// walkDOM calls fn on every node of the parsed document.
func walkDOM(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkDOM(c, fn)
	}
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestHTMLEscapesHostileStrings(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, hostileFile(t)); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, buf.Bytes())
	var text strings.Builder
	walkDOM(doc, func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			switch n.Data {
			case "script", "img", "iframe", "object", "embed", "link", "base", "form":
				t.Errorf("injected <%s> element in the DOM", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
				if a.Key == "src" || a.Key == "href" && !strings.HasPrefix(a.Val, "#") { // in-page links only
					t.Errorf("unexpected %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				text.WriteString(n.Data)
			}
		}
	})
	// The payloads are shown to the reader as literal text.
	for _, p := range []string{payloadScript, payloadImg, payloadEndScript} {
		if !strings.Contains(text.String(), p) {
			t.Errorf("payload %q is not shown as text", p)
		}
	}
	if strings.Contains(text.String(), "hunter2") || strings.Contains(buf.String(), "s3cret") || strings.Contains(buf.String(), "abc123") {
		t.Error("a secret from the configuration reached the report")
	}
}

// chartsOf returns the svg.chart elements of the page and, for each, its data paths.
func chartsOf(doc *html.Node) map[string][]*html.Node {
	out := map[string][]*html.Node{}
	walkDOM(doc, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "svg" || attr(n, "class") != "chart" {
			return
		}
		id := attr(n, "id")
		out[id] = nil
		walkDOM(n, func(p *html.Node) {
			if p.Type == html.ElementNode && p.Data == "path" && attr(p, "class") == "series" {
				out[id] = append(out[id], p)
			}
		})
	})
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestHTMLHasSectionsAndCharts(t *testing.T) {
	f := sampleFile(t, 60)
	var buf bytes.Buffer
	if err := HTML(&buf, f); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, buf.Bytes())
	ids := map[string]bool{}
	walkDOM(doc, func(n *html.Node) {
		if id := attr(n, "id"); id != "" {
			ids[id] = true
		}
	})
	for _, id := range []string{"summary", "contracts", "workload-1", "workload-2", "config", "environment"} {
		if !ids[id] {
			t.Errorf("no section #%s", id)
		}
	}
	charts := chartsOf(doc)
	if len(charts) != 3*len(f.Workloads) {
		t.Fatalf("%d charts, want %d", len(charts), 3*len(f.Workloads))
	}
	for id, paths := range charts {
		if len(paths) == 0 {
			t.Errorf("chart %s has no data path", id)
		}
		for _, p := range paths {
			if strings.Count(attr(p, "d"), "L") < 5 {
				t.Errorf("chart %s series %s has too few points: %q", id, attr(p, "data-series"), attr(p, "d"))
			}
		}
	}
	// The throughput chart has one point per second of series.
	for _, p := range charts["workload-1-throughput"] {
		if attr(p, "data-points") != "60" {
			t.Errorf("throughput series %s has %s points, want 60", attr(p, "data-series"), attr(p, "data-points"))
		}
	}
	if !strings.Contains(buf.String(), `class="banner fail"`) {
		t.Error("a failed run has no failing banner")
	}
}

func TestHTMLTenMinuteRunUnder2MB(t *testing.T) {
	f := sampleFile(t, 600)
	var buf bytes.Buffer
	if err := HTML(&buf, f); err != nil {
		t.Fatal(err)
	}
	const limit = 2 << 20
	if buf.Len() >= limit {
		t.Fatalf("report of a 10-minute run is %d bytes, want < %d", buf.Len(), limit)
	}
	t.Logf("10-minute run report: %d bytes", buf.Len())
}

func TestHTMLWithoutWorkloadsOrVerification(t *testing.T) {
	tests := []struct {
		name string
		f    *results.File
	}{
		{"empty", &results.File{Schema: results.Schema}},
		{"verification only", &results.File{Schema: results.Schema, Run: results.Run{Command: "verify", Started: t0, Ended: t0.Add(time.Second)},
			Verification: &results.Verification{}}},
		{"workload without data", &results.File{Schema: results.Schema, Workloads: []results.Workload{{Name: "w", Latency: &results.Latency{}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HTML(&buf, tt.f); err != nil {
				t.Fatal(err)
			}
			doc := parseHTML(t, buf.Bytes())
			for id, paths := range chartsOf(doc) {
				if len(paths) != 0 {
					t.Errorf("chart %s draws data that does not exist", id)
				}
			}
			if !strings.Contains(buf.String(), "PASS") {
				t.Error("no verdict")
			}
		})
	}
}

func FuzzHTMLEscaping(f *testing.F) {
	for _, s := range []string{payloadScript, payloadImg, payloadEndScript, "<!--", "]]>", "\x00", "{{.}}", "<svg/onload=x>"} {
		f.Add(s)
	}
	base := sampleFile(f, 2)
	// One workload without encoded histograms keeps each run fast; the strings are what matter.
	w := base.Workloads[0]
	lat := *w.Latency
	lat.Histogram = ""
	w.Latency, w.ServiceTime, w.ScheduleDelay = &lat, nil, nil
	base.Workloads = []results.Workload{w}
	f.Fuzz(func(t *testing.T, s string) {
		cp := *base
		v := *base.Verification
		v.Interactions = append([]results.Interaction(nil), v.Interactions...)
		v.Interactions[0].Description = s
		v.Interactions[1].Mismatches = []results.Mismatch{{Category: "body", Path: s, Expected: s, Actual: s, Message: s}}
		cp.Verification = &v
		ws := append([]results.Workload(nil), base.Workloads...)
		ws[0].Name = s
		cp.Workloads = ws
		var buf bytes.Buffer
		if err := HTML(&buf, &cp); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		walkDOM(doc, func(n *html.Node) {
			if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img") {
				t.Fatalf("input %q injected <%s>", s, n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Fatalf("input %q injected %s", s, a.Key)
				}
			}
		})
	})
}
