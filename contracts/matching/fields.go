package matching

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/commbench/commbench/contracts/jsonpath"
	"github.com/commbench/commbench/results"
)

func mm(cat, path, expected, actual, format string, args ...any) results.Mismatch {
	return results.Mismatch{Category: cat, Path: path, Expected: expected, Actual: actual, Message: fmt.Sprintf(format, args...)}
}

// MatchHeaders compares expected HTTP headers with actual ones (Pact V2/V3 "Request headers"):
// names case-insensitive, unexpected headers allowed, values split at commas and compared in
// order ignoring surrounding whitespace, Content-Type and Accept compared as media types (type
// case-insensitive, expected parameters must be present, charset case-insensitive). Header rules
// (category "header") apply to each actual value of their header.
func MatchHeaders(expected, actual map[string][]string, rules *Category) []results.Mismatch {
	var out []results.Mismatch
	for _, name := range sortedKeys(expected) {
		evals := expected[name]
		avals, ok := lookupFold(actual, name)
		ev := strings.Join(evals, ", ")
		if !ok {
			out = append(out, mm("header", name, ev, "", "Expected a header %q but it was missing", name))
			continue
		}
		av := strings.Join(avals, ", ")
		if l := rules.Lookup(name, true); l != nil {
			for i, a := range avals {
				e := ev
				if i < len(evals) {
					e = evals[i]
				}
				for _, msg := range l.CheckText(e, a, false) {
					out = append(out, mm("header", name, e, a, "Header %q: %s", name, msg))
				}
			}
			continue
		}
		if msg := compareHeaderValue(name, ev, av); msg != "" {
			out = append(out, mm("header", name, ev, av, "%s", msg))
		}
	}
	return out
}

func lookupFold(m map[string][]string, name string) ([]string, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func splitHeader(v string) []string {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func compareHeaderValue(name, e, a string) string {
	lname := strings.ToLower(name)
	if lname == "content-type" || lname == "accept" {
		es, as := splitHeader(e), splitHeader(a)
		if lname == "content-type" {
			es, as = []string{e}, []string{a}
		}
		if len(es) != len(as) {
			return fmt.Sprintf("Expected header '%s' to have value '%s' but was '%s'", name, e, a)
		}
		for i := range es {
			if !mediaTypeMatches(es[i], as[i]) {
				return fmt.Sprintf("Expected header '%s' to have value '%s' but was '%s'", name, e, a)
			}
		}
		return ""
	}
	es, as := splitHeader(e), splitHeader(a)
	if len(es) != len(as) {
		return fmt.Sprintf("Expected header '%s' to have value '%s' but was '%s'", name, e, a)
	}
	for i := range es {
		if es[i] != as[i] {
			return fmt.Sprintf("Expected header '%s' to have value '%s' but was '%s'", name, e, a)
		}
	}
	return ""
}

// mediaTypeMatches: same type/subtype (case-insensitive); every expected parameter present with
// the same value (charset case-insensitive); extra actual parameters allowed.
func mediaTypeMatches(e, a string) bool {
	if !strings.Contains(e, "/") || !strings.Contains(a, "/") {
		return strings.TrimSpace(e) == strings.TrimSpace(a)
	}
	et, ep, err1 := mime.ParseMediaType(e)
	at, ap, err2 := mime.ParseMediaType(a)
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(e) == strings.TrimSpace(a)
	}
	if et != at {
		return false
	}
	for k, v := range ep {
		av, ok := ap[k]
		if !ok {
			return false
		}
		if k == "charset" {
			if !strings.EqualFold(v, av) {
				return false
			}
		} else if v != av {
			return false
		}
	}
	return true
}

// MatchQuery compares query parameters (Pact "Request query string"): the same keys in any
// order, no missing or unexpected key, repeated values in the same order. Query rules apply to
// each actual value of their parameter.
func MatchQuery(expected, actual map[string][]string, rules *Category) []results.Mismatch {
	var out []results.Mismatch
	for _, k := range sortedKeys(expected) {
		evs := expected[k]
		avs, ok := actual[k]
		if !ok {
			out = append(out, mm("query", k, strings.Join(evs, "&"), "", "Expected query parameter %q but it was missing", k))
			continue
		}
		if l := rules.Lookup(k, false); l != nil {
			for i, a := range avs {
				var e string
				if len(evs) > 0 {
					e = evs[min(i, len(evs)-1)]
				}
				for _, msg := range l.CheckText(e, a, false) {
					out = append(out, mm("query", k, e, a, "Query parameter %q: %s", k, msg))
				}
			}
			if ok, msg := sizeOK(l, len(avs)); !ok {
				out = append(out, mm("query", k, strings.Join(evs, ","), strings.Join(avs, ","), "Query parameter %q: %s", k, msg))
			}
			continue
		}
		if len(evs) != len(avs) {
			out = append(out, mm("query", k, strings.Join(evs, ","), strings.Join(avs, ","), "Expected query parameter %q with %d value(s) %v but received %d value(s) %v", k, len(evs), evs, len(avs), avs))
			continue
		}
		for i := range evs {
			if evs[i] != avs[i] {
				out = append(out, mm("query", fmt.Sprintf("%s[%d]", k, i), evs[i], avs[i], "Expected query parameter %q value %q but received %q", k, evs[i], avs[i]))
			}
		}
	}
	var extra []string
	for k := range actual {
		if _, ok := expected[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, mm("query", k, "", strings.Join(actual[k], ","), "Unexpected query parameter %q received", k))
	}
	return out
}

func sizeOK(l *RuleList, n int) (bool, string) {
	for _, r := range l.Rules {
		if r.Match == "type" {
			if r.Min >= 0 && n < r.Min {
				return false, fmt.Sprintf("expected at least %d value(s) but received %d", r.Min, n)
			}
			if r.Max >= 0 && n > r.Max {
				return false, fmt.Sprintf("expected at most %d value(s) but received %d", r.Max, n)
			}
		}
	}
	return true, ""
}

// ParseQuery parses a query string leniently: trailing '&' ignored, '=' inside values kept,
// '+' and percent-escapes decoded. Keys keep their order of first appearance in Keys.
func ParseQuery(q string) map[string][]string {
	out := map[string][]string{}
	q = strings.TrimPrefix(q, "?")
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = unescape(k)
		out[k] = append(out[k], unescape(v))
	}
	return out
}

func unescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// MatchMetadata compares message metadata, gRPC metadata or Kafka/AMQP headers. Expected values
// are JSON values from the contract; actual values may be strings, []string (first value used
// when single), []byte or JSON values. Every expected key must be present (unexpected keys are
// allowed); rules of the "metadata" category apply by key; otherwise values are compared as
// text, contentType/content-type as media types.
func MatchMetadata(expected map[string]any, actual map[string]any, rules *Category) []results.Mismatch {
	var out []results.Mismatch
	for _, k := range sortedKeys(expected) {
		ev := expected[k]
		av, ok := actual[k]
		if !ok {
			for ak, v := range actual {
				if strings.EqualFold(ak, k) {
					av, ok = v, true
					break
				}
			}
		}
		if !ok {
			out = append(out, mm("metadata", k, Show(ev), "", "Expected metadata key %q but it was missing", k))
			continue
		}
		av = normaliseMeta(av)
		if l := rules.Lookup(k, false); l != nil {
			// metadata values are JSON values: a number rule wants a number, not a numeric
			// string, as pact-reference's match_metadata compares them (unlike headers and
			// query parameters, which are text on the wire)
			for _, msg := range l.CheckList(ev, av, false) {
				out = append(out, mm("metadata", k, Show(ev), Show(av), "Metadata %q: %s", k, msg))
			}
			continue
		}
		lk := strings.ToLower(k)
		if lk == "contenttype" || lk == "content-type" {
			es, as := text(ev), text(av)
			if !mediaTypeMatches(es, as) {
				out = append(out, mm("metadata", k, es, as, "Expected metadata %q to be %q but was %q", k, es, as))
			}
			continue
		}
		if Equal(ev, av) {
			continue
		}
		if _, isStr := av.(string); isStr {
			if _, structured := ev.(map[string]any); !structured && text(ev) == av.(string) {
				continue
			}
		}
		out = append(out, mm("metadata", k, Show(ev), Show(av), "Expected metadata %q to be %s but was %s", k, Show(ev), Show(av)))
	}
	return out
}

func normaliseMeta(v any) any {
	switch x := v.(type) {
	case []string:
		if len(x) == 1 {
			return x[0]
		}
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []byte:
		return string(x)
	}
	return v
}

// HeadersToMetadata converts a header map (HTTP, gRPC metadata, Kafka/AMQP headers) to the
// metadata form MatchMetadata accepts.
func HeadersToMetadata(h map[string][]string) map[string]any {
	out := make(map[string]any, len(h))
	for k, v := range h {
		out[k] = normaliseMeta(v)
	}
	return out
}

// MatchTextBytes is MatchText over bytes: bodies that are equal, or differ without rules, are
// compared without copying them to strings, and a mismatch shows at most
// results.MaxMismatchValueBytes of each (bodies may be tens of megabytes).
func MatchTextBytes(expected, actual []byte, rules *Category) []results.Mismatch {
	if _, _, ok := rules.Best([]string{"$"}); ok {
		return MatchText(string(expected), string(actual), rules)
	}
	if bytes.Equal(expected, actual) {
		return nil
	}
	se, sa := showText(expected), showText(actual)
	return []results.Mismatch{mm("body", "$", se, sa, "Expected body %s but received %s", se, sa)}
}

// showText is Show of a text body's first results.MaxMismatchValueBytes, with its full size
// said when cut.
func showText(b []byte) string {
	if len(b) <= results.MaxMismatchValueBytes {
		return Show(string(b))
	}
	n := results.MaxMismatchValueBytes
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return Show(string(b[:n])) + fmt.Sprintf("… (%d bytes in all)", len(b))
}

// MatchText compares plain text bodies: equality, or the body rules at `$`.
func MatchText(expected, actual string, rules *Category) []results.Mismatch {
	if l, cascaded, ok := rules.Best([]string{"$"}); ok {
		var out []results.Mismatch
		for _, msg := range l.CheckList(expected, actual, cascaded) {
			out = append(out, mm("body", "$", Show(expected), Show(actual), "%s", msg))
		}
		return out
	}
	if expected != actual {
		se, sa := Show(expected), Show(actual) // once each: bodies may be large
		return []results.Mismatch{mm("body", "$", se, sa, "Expected body %s but received %s", se, sa)}
	}
	return nil
}

// MatchBinary compares binary bodies: byte equality, or the body rules at `$` (contentType checks
// the actual bytes' magic number).
func MatchBinary(expected, actual []byte, rules *Category) []results.Mismatch {
	if l, cascaded, ok := rules.Best([]string{"$"}); ok {
		var out []results.Mismatch
		for _, msg := range l.CheckList(expected, actual, cascaded) {
			out = append(out, mm("body", "$", Show(expected), Show(actual), "%s", msg))
		}
		return out
	}
	if string(expected) != string(actual) {
		return []results.Mismatch{mm("body", "$", Show(expected), Show(actual), "Expected %d bytes of binary content but received %d different bytes", len(expected), len(actual))}
	}
	return nil
}

// MatchForm compares application/x-www-form-urlencoded bodies: fields like query parameters,
// with body rules addressed as `$.field`. Unexpected fields fail only when !allowUnexpected.
func MatchForm(expected, actual string, rules *Category, allowUnexpected bool) []results.Mismatch {
	e, a := ParseQuery(expected), ParseQuery(actual)
	var out []results.Mismatch
	for _, k := range sortedKeys(e) {
		avs, ok := a[k]
		if !ok {
			out = append(out, mm("body", jsonpath.Format([]string{"$", k}), strings.Join(e[k], ","), "", "Expected form post parameter '%s' but was missing", k))
			continue
		}
		ev := make([]any, len(e[k]))
		for i, s := range e[k] {
			ev[i] = s
		}
		av := make([]any, len(avs))
		for i, s := range avs {
			av[i] = s
		}
		w := walker{rules: rules, opts: Options{AllowUnexpectedKeys: allowUnexpected, Category: "body"}, textual: true}
		if len(ev) == 1 && len(av) == 1 {
			w.compare([]string{"$", k}, ev[0], av[0])
		} else {
			w.compare([]string{"$", k}, ev, av)
		}
		out = append(out, w.out...)
	}
	// unexpected fields are reported for responses too: pact-reference's form-urlencoded
	// matcher (match_form_urlencoded) reports every parameter the expected body does not have
	for _, k := range sortedKeys(a) {
		if _, ok := e[k]; !ok {
			out = append(out, mm("body", jsonpath.Format([]string{"$", k}), "", strings.Join(a[k], ","), "Unexpected form post parameter '%s' received", k))
		}
	}
	return out
}
