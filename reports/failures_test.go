package reports

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/commbench/commbench/results"
)

// TestMismatchViewsSplitMissingKeys: the matcher's "missing the key(s)" mismatch at "$" becomes
// one view per key at the key's own path, with the expected value; other values are
// pretty-printed and diffed line by line, the differing lines marked.
func TestMismatchViewsSplitMissingKeys(t *testing.T) {
	vs := mismatchViews([]results.Mismatch{
		{Category: "body", Path: "$", Expected: `{"id":"o-1","total":25.5,"odd key":1}`, Actual: `{"id":"o-1","amount":25.5}`,
			Message: "Actual object is missing the key(s) odd key, total"},
		{Category: "body", Path: "$.items", Expected: `{"sku":"A","qty":2}`, Actual: `{"sku":"A","qty":3}`, Message: "differs"},
	})
	if len(vs) != 3 {
		t.Fatalf("%d views, want 3: %+v", len(vs), vs)
	}
	if vs[0].Path != "$['odd key']" || vs[1].Path != "$.total" || vs[1].Expected != "25.5" || !vs[1].Missing ||
		!strings.Contains(vs[1].Message, "keys the contract does not name: amount") {
		t.Errorf("missing-key views %+v %+v", vs[0], vs[1])
	}
	d := vs[2].Diff
	var del, ins, ctx []string
	for _, l := range d {
		switch l.Op {
		case "del":
			del = append(del, l.Text)
		case "ins":
			ins = append(ins, l.Text)
		default:
			ctx = append(ctx, l.Text)
		}
	}
	if len(del) != 1 || strings.TrimSpace(del[0]) != `"qty": 2` || len(ins) != 1 || strings.TrimSpace(ins[0]) != `"qty": 3` || len(ctx) != 3 {
		t.Errorf("diff del %q ins %q ctx %q", del, ins, ctx)
	}
}

func TestStatusRows(t *testing.T) {
	w := results.Workload{Driver: "rest", Totals: results.Totals{Succeeded: 90},
		Errors:      map[string]int64{"http_5xx": 6, "http_4xx": 1, "timeout": 3},
		StatusCodes: map[string]int64{"HTTP 503": 5, "HTTP 500": 1, "HTTP 404": 1}}
	var got []string
	for _, r := range statusRows(w) {
		got = append(got, r.Status+"="+itoa64(r.Count))
	}
	want := "HTTP 1xx-3xx (success)=90,HTTP 503=5,no status: timeout=3,HTTP 404=1,HTTP 500=1"
	if strings.Join(got, ",") != want {
		t.Fatalf("rows %s, want %s", strings.Join(got, ","), want)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestReportsLeadWithWhatFailed: in HTML and Markdown the failed thresholds and interactions come
// before the contract table and the workloads, each failed interaction with the request sent.
func TestReportsLeadWithWhatFailed(t *testing.T) {
	f := sampleFile(t, 5)
	f.Verification.Interactions[1].Request = &results.SentRequest{Method: "POST", Path: "/orders?dry=1",
		Headers: map[string][]string{"Authorization": {"Bearer leaked"}, "X-Trace": {"t-1"}}, Body: `{"sku":"A"}`}
	var h, md bytes.Buffer
	if err := HTML(&h, f); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, f); err != nil {
		t.Fatal(err)
	}
	page := h.String()
	order := []string{`id="failures"`, "error_rate&lt;0.1%", "POST /orders?dry=1", "X-Trace: t-1", `id="contracts"`, `id="workload-1"`}
	last := -1
	for _, s := range order {
		i := strings.Index(page, s)
		if i < 0 || i < last {
			t.Fatalf("HTML: %q at %d, after %d: want the order %q", s, i, last, order)
		}
		last = i
	}
	if strings.Contains(page, "leaked") || strings.Contains(md.String(), "leaked") {
		t.Error("a secret header value reached a report")
	}
	mdOrder := []string{"What failed", "error_rate<0.1%", "request sent: `POST /orders?dry=1`", "#### Contracts", "#### Workloads"}
	last = -1
	for _, s := range mdOrder {
		i := strings.Index(md.String(), s)
		if i < 0 || i < last {
			t.Fatalf("Markdown: %q at %d, after %d:\n%s", s, i, last, md.String())
		}
		last = i
	}
}

// TestTextFits80Columns: the terminal summary of a realistic run, a long interaction name and a
// large latency included, keeps every line within 80 columns and prints no exponent.
func TestTextFits80Columns(t *testing.T) {
	f := sampleFile(t, 5)
	f.Verification.Interactions[1].Description = strings.Repeat("a very long interaction description ", 5)
	f.Workloads[0].Latency.MaxMS = 1.02e7
	var buf bytes.Buffer
	if err := Text(&buf, f, false); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	if !strings.Contains(buf.String(), "10200000 ms") || strings.Contains(buf.String(), "e+") {
		t.Errorf("max latency not in plain decimals:\n%s", buf.String())
	}
}
