package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/commbench/commbench/results"
)

// prettyValue indents s when it is a JSON object or array (mismatches carry values as compact
// JSON), else returns it unchanged.
func prettyValue(s string) string {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return s
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(t), "", "  "); err != nil {
		return s
	}
	return b.String()
}

// diffLine is one line of an expected-versus-actual diff: Op is "del" (only in expected), "ins"
// (only in actual) or "ctx" (in both).
type diffLine struct{ Op, Text string }

// mismatchView is a mismatch as the reports show it: values pretty-printed and cut, and the
// line diff between them with the differing lines marked.
type mismatchView struct {
	Category, Path, Message string
	Expected, Actual        string
	Missing                 bool // the actual value is absent (a missing key)
	Diff                    []diffLine
}

// missingKeys matches the matcher's "Actual object is missing the key(s) a, b" (contracts/matching).
var missingKeys = regexp.MustCompile(`^Actual object is missing the key\(s\) (.+)$`)

// mismatchViews returns the views of ms. A mismatch on an object that lacks keys becomes one view
// per missing key, at the key's own path with the expected value of that key, so a renamed field
// shows where it is rather than as two whole bodies at "$".
func mismatchViews(ms []results.Mismatch) []mismatchView {
	var out []mismatchView
	for _, m := range ms {
		if sub := m.Path; sub != "" {
			if g := missingKeys.FindStringSubmatch(m.Message); g != nil {
				var obj, act map[string]json.RawMessage
				if json.Unmarshal([]byte(m.Expected), &obj) == nil {
					// Keys only the actual object has: a renamed field shows as one of them.
					var extra []string
					if json.Unmarshal([]byte(m.Actual), &act) == nil {
						for k := range act {
							if _, ok := obj[k]; !ok {
								extra = append(extra, k)
							}
						}
						sort.Strings(extra)
					}
					for _, k := range strings.Split(g[1], ", ") {
						v, ok := obj[k]
						if !ok {
							continue
						}
						exp := results.Cut(prettyValue(string(v)), maxShownBytes)
						msg := fmt.Sprintf("Expected key %q but it was missing", k)
						if len(extra) > 0 {
							msg += fmt.Sprintf(" (the actual object has keys the contract does not name: %s)", strings.Join(extra, ", "))
						}
						out = append(out, mismatchView{Category: m.Category, Path: childPath(sub, k),
							Message: msg, Expected: exp, Missing: true, Diff: linesOf("del", exp)})
					}
					continue
				}
			}
		}
		v := mismatchView{Category: m.Category, Path: m.Path, Message: m.Message,
			Expected: results.Cut(prettyValue(m.Expected), maxShownBytes), Actual: results.Cut(prettyValue(m.Actual), maxShownBytes)}
		if v.Expected != "" || v.Actual != "" {
			v.Diff = lineDiff(v.Expected, v.Actual)
		}
		out = append(out, v)
	}
	return out
}

// childPath appends key k to a JSONPath: $.k, or $['k'] when k is not an identifier.
func childPath(parent, k string) string {
	ident := k != ""
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			ident = false
		}
	}
	if ident {
		return parent + "." + k
	}
	return parent + "['" + strings.ReplaceAll(k, "'", `\'`) + "']"
}

func linesOf(op, s string) []diffLine {
	if s == "" {
		return nil
	}
	var out []diffLine
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, diffLine{op, l})
	}
	return out
}

// lineDiff returns the line diff of expected and actual (go-difflib's SequenceMatcher opcodes):
// lines in both as "ctx", the differing ones as "del" and "ins".
// Lines are matched without a trailing comma, so a key removed after the last one of an object
// does not mark its neighbour as changed.
func lineDiff(expected, actual string) []diffLine {
	a, b := splitLines(expected), splitLines(actual)
	trim := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = strings.TrimSuffix(strings.TrimRight(l, " "), ",")
		}
		return out
	}
	var out []diffLine
	for _, op := range difflib.NewMatcher(trim(a), trim(b)).GetOpCodes() {
		switch op.Tag {
		case 'e':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, diffLine{"ctx", l})
			}
		default:
			for _, l := range a[op.I1:op.I2] {
				out = append(out, diffLine{"del", l})
			}
			for _, l := range b[op.J1:op.J2] {
				out = append(out, diffLine{"ins", l})
			}
		}
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// changedLines returns the "del" and "ins" lines of d with at most ctx lines of context around
// them ("…" marks a gap), for the compact Markdown and terminal summaries.
func changedLines(d []diffLine, ctx int) []diffLine {
	keep := make([]bool, len(d))
	for i, l := range d {
		if l.Op == "ctx" {
			continue
		}
		for j := max(0, i-ctx); j <= min(len(d)-1, i+ctx); j++ {
			keep[j] = true
		}
	}
	var out []diffLine
	gap := false
	for i, l := range d {
		if !keep[i] {
			gap = true
			continue
		}
		if gap && len(out) > 0 {
			out = append(out, diffLine{"ctx", "…"})
		}
		gap = false
		out = append(out, l)
	}
	return out
}

// requestView is the request an interaction sent, as the reports show it.
type requestView struct {
	Line    string // "POST /orders?dry=1"
	Headers []kv
	Body    string
}

func newRequestView(r *results.SentRequest) *requestView {
	if r == nil {
		return nil
	}
	v := &requestView{Line: r.Method + " " + r.Path, Body: results.Cut(prettyValue(r.Body), maxShownBytes)}
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := strings.Join(r.Headers[k], ", ")
		if secretKey.MatchString(k) {
			val = "***" // the verifier redacts already; a report never trusts that alone
		}
		v.Headers = append(v.Headers, kv{k, redactString(val)})
	}
	return v
}

// interactionView is an interaction with its request and mismatch views.
type interactionView struct {
	results.Interaction
	ID         string
	Req        *requestView
	Mismatches []mismatchView
}

// failedThreshold is a breached threshold and its workload.
type failedThreshold struct {
	Workload, WorkloadID string
	T                    results.Threshold
}

// failedThresholds returns the breached thresholds of f in workload order.
func failedThresholds(f *results.File) []failedThreshold {
	var out []failedThreshold
	for i, w := range f.Workloads {
		for _, t := range w.Thresholds {
			if !t.Passed {
				out = append(out, failedThreshold{runName(w), fmt.Sprintf("workload-%d", i+1), t})
			}
		}
	}
	return out
}

// statusRow is one line of a workload's status-code table.
type statusRow struct {
	Status string
	Count  int64
	OK     bool
}

// successLabel names the successful outcome of a driver's operations.
func successLabel(driver string) string {
	switch driver {
	case "rest":
		return "HTTP 1xx-3xx (success)"
	case "grpc":
		return "gRPC OK"
	case "amqp":
		return "published, confirmed (ack)"
	case "kafka":
		return "produced, acknowledged"
	}
	return "succeeded"
}

// noStatusLabel names error classes that carry no protocol status.
var noStatusLabel = map[string]string{
	"broker_nack": "broker nack (publisher confirm refused)",
	"returned":    "returned unroutable (AMQP basic.return)",
}

// statusRows is the status-code table of w: the successes, each exact protocol status of the
// failures (StatusCodes), broker nacks and returns, and failures without a status by class
// (timeout, connection refused...). Rows sort by count, successes first.
func statusRows(w results.Workload) []statusRow {
	var rows []statusRow
	if w.Totals.Succeeded > 0 {
		rows = append(rows, statusRow{successLabel(w.Driver), w.Totals.Succeeded, true})
	}
	var fails []statusRow
	withStatus := map[string]int64{} // error class -> failures counted by exact status
	for code, n := range w.StatusCodes {
		fails = append(fails, statusRow{Status: code, Count: n})
		withStatus[statusClass(code)] += n
	}
	for class, n := range w.Errors {
		n -= withStatus[class]
		if n <= 0 {
			continue
		}
		label, ok := noStatusLabel[class]
		if !ok {
			label = "no status: " + class
			if strings.HasPrefix(class, "http_") || strings.HasPrefix(class, "grpc_") {
				label = strings.ToUpper(class[:4]) + " " + class[5:]
			}
		}
		fails = append(fails, statusRow{Status: label, Count: n})
	}
	sort.Slice(fails, func(i, j int) bool {
		if fails[i].Count != fails[j].Count {
			return fails[i].Count > fails[j].Count
		}
		return fails[i].Status < fails[j].Status
	})
	return append(rows, fails...)
}

// statusClass is the error class (bench.Classify) of an exact status: "HTTP 503" -> "http_5xx",
// "gRPC UNAVAILABLE" -> "grpc_UNAVAILABLE" (DEADLINE_EXCEEDED is classed "timeout").
func statusClass(code string) string {
	if c, ok := strings.CutPrefix(code, "HTTP "); ok && len(c) == 3 {
		return "http_" + c[:1] + "xx"
	}
	if c, ok := strings.CutPrefix(code, "gRPC "); ok {
		if c == "DEADLINE_EXCEEDED" {
			return "timeout"
		}
		return "grpc_" + c
	}
	return code
}
