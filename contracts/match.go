package contracts

import (
	"fmt"
	"strings"

	"github.com/commbench/commbench/contracts/matching"
	"github.com/commbench/commbench/results"
)

// MatchRequest compares the request a consumer sends (actual) with the contract's (expected):
// method (case-insensitive), path, query, headers and body with the request's matching rules.
// Requests are strict: unexpected body keys and query parameters are mismatches (SPEC-v2.md).
// Every mismatch is returned; none means the request matches.
func MatchRequest(expected, actual *Request) []results.Mismatch {
	var out []results.Mismatch
	if !strings.EqualFold(expected.Method, actual.Method) {
		out = append(out, results.Mismatch{Category: "method", Expected: strings.ToUpper(expected.Method), Actual: strings.ToUpper(actual.Method),
			Message: fmt.Sprintf("Expected method %s but received %s", strings.ToUpper(expected.Method), strings.ToUpper(actual.Method))})
	}
	if l := expected.Rules.Get("path").SingleList(); l != nil {
		for _, msg := range l.CheckList(expected.Path, actual.Path, false) {
			out = append(out, results.Mismatch{Category: "path", Expected: expected.Path, Actual: actual.Path, Message: "Path: " + msg})
		}
	} else if expected.Path != actual.Path {
		out = append(out, results.Mismatch{Category: "path", Expected: expected.Path, Actual: actual.Path,
			Message: fmt.Sprintf("Expected path %q but received %q", expected.Path, actual.Path)})
	}
	out = append(out, matching.MatchQuery(nonNil(expected.Query), nonNil(actual.Query), expected.Rules.Get("query"))...)
	out = append(out, matching.MatchHeaders(expected.Headers, actual.Headers, expected.Rules.Get("header"))...)
	out = append(out, MatchBody(&expected.Body, &actual.Body, expected.Rules.Get("body"), false)...)
	return out
}

// MatchResponse compares a provider's response (actual) with the contract's (expected): status
// (or the status rules), headers and body. Responses are lenient: extra body keys and headers are
// accepted (SPEC-v2.md "Response matching").
func MatchResponse(expected, actual *Response) []results.Mismatch {
	var out []results.Mismatch
	if l := expected.Rules.Get("status").SingleList(); l != nil {
		for _, msg := range l.CheckList(expected.Status, actual.Status, false) {
			out = append(out, results.Mismatch{Category: "status", Expected: fmt.Sprint(expected.Status), Actual: fmt.Sprint(actual.Status), Message: "Status: " + msg})
		}
	} else if expected.Status != actual.Status {
		out = append(out, results.Mismatch{Category: "status", Expected: fmt.Sprint(expected.Status), Actual: fmt.Sprint(actual.Status),
			Message: fmt.Sprintf("Expected status %d but received %d", expected.Status, actual.Status)})
	}
	out = append(out, matching.MatchHeaders(expected.Headers, actual.Headers, expected.Rules.Get("header"))...)
	out = append(out, MatchBody(&expected.Body, &actual.Body, expected.Rules.Get("body"), true)...)
	return out
}

// MatchMessage compares an actual message (contents and metadata) with the contract's. For
// contents already decoded by a format codec use MatchDecoded on the contents and MatchMetadata
// on the metadata instead.
func MatchMessage(expected *Message, actualContents Body, actualMetadata map[string]any) []results.Mismatch {
	out := MatchBody(&expected.Contents, &actualContents, expected.Rules.Get("body"), true)
	out = append(out, matching.MatchMetadata(expected.Metadata, nonNilAny(actualMetadata), expected.Rules.Get("metadata"))...)
	return out
}

// MatchDecoded compares an actual body already decoded to the JSON data model (e.g. by the
// Protobuf or Avro codec) with the expected contents of m, applying m's body rules. The expected
// contents must be JSON, or expectedValue must be given (non-nil) when the contract's contents are
// binary and were decoded by the same codec.
func MatchDecoded(m *Message, expectedValue, actual any) ([]results.Mismatch, error) {
	if expectedValue == nil {
		v, err := m.Contents.JSON()
		if err != nil {
			return nil, fmt.Errorf("expected contents are not JSON: %w", err)
		}
		expectedValue = v
	}
	return matching.MatchValue(expectedValue, actual, m.Rules.Get("body"), matching.Options{AllowUnexpectedKeys: true}), nil
}

// MatchMetadata compares metadata or header maps (gRPC metadata, Kafka/AMQP headers) with the
// expected metadata of m using its metadata rules. Use matching.HeadersToMetadata for
// map[string][]string.
func MatchMetadata(m *Message, actual map[string]any) []results.Mismatch {
	return matching.MatchMetadata(m.Metadata, nonNilAny(actual), m.Rules.Get("metadata"))
}

func nonNil(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

func nonNilAny(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// MatchBody compares bodies by content type (SPEC-v3.md "Semantics around body values"): a missing
// expected body is not compared; an empty one requires an empty actual body; JSON, XML,
// form-urlencoded, text and binary bodies use their own comparison.
func MatchBody(expected, actual *Body, rules *matching.Category, allowUnexpectedKeys bool) []results.Mismatch {
	mis := func(exp, act, format string, args ...any) []results.Mismatch {
		return []results.Mismatch{{Category: "body", Path: "$", Expected: exp, Actual: act, Message: fmt.Sprintf(format, args...)}}
	}
	actualEmpty := actual.State == BodyMissing || actual.State == BodyEmpty || actual.State == BodyPresent && len(actual.Content) == 0
	switch expected.State {
	case BodyMissing:
		return nil
	case BodyEmpty:
		if actualEmpty {
			return nil
		}
		return mis("", preview(actual.Content), "Expected an empty body but received %d bytes", len(actual.Content))
	case BodyNull:
		if actualEmpty || actual.State == BodyNull {
			return nil
		}
		if !isJSONType(expected.ContentType) && expected.ContentType != "" {
			return nil
		}
		v, err := actual.JSON()
		if err != nil {
			return mis("null", preview(actual.Content), "Expected a JSON null body but the actual body is not JSON: %v", err)
		}
		return matching.MatchValue(nil, v, rules, matching.Options{AllowUnexpectedKeys: allowUnexpectedKeys})
	}
	if actualEmpty || actual.State == BodyNull {
		if l, cascaded, ok := rules.Best([]string{"$"}); ok && !cascaded && !isJSONType(contentTypeOf(expected)) {
			// rules on the whole body judge an empty one (notEmpty: "Expected [] (0 bytes) to
			// not be empty"), as pact-reference's match_body compares the empty actual body
			// with the body's matchers rather than reporting it missing
			var e, a any = expected.Content, []byte{}
			if strings.HasPrefix(baseType(contentTypeOf(expected)), "text/") {
				e, a = string(expected.Content), ""
			}
			var out []results.Mismatch
			for _, msg := range l.CheckList(e, a, false) {
				out = append(out, results.Mismatch{Category: "body", Path: "$", Expected: preview(expected.Content), Message: msg})
			}
			return out
		}
		return mis(preview(expected.Content), "", "Expected a body but it was missing or empty")
	}
	et, at := contentTypeOf(expected), contentTypeOf(actual)
	if baseType(et) != baseType(at) && !(isJSONType(et) && isJSONType(at)) && !(isXMLType(et) && isXMLType(at)) {
		// a body-type mismatch, not a body mismatch at $: pact-reference's match_body reports
		// Mismatch::BodyTypeMismatch, without a path, and compares nothing further
		return []results.Mismatch{{Category: "body-type", Expected: et, Actual: at,
			Message: fmt.Sprintf("Expected a body of '%s' but the actual content type was '%s'", baseType(et), baseType(at))}}
	}
	opts := matching.Options{AllowUnexpectedKeys: allowUnexpectedKeys}
	switch {
	case isJSONType(et):
		return matchJSONBody(expected, actual, rules, opts, true)
	case isXMLType(et):
		return matching.MatchXML(expected.Content, actual.Content, rules, opts)
	case baseType(et) == "application/x-www-form-urlencoded":
		return matching.MatchForm(string(expected.Content), string(actual.Content), rules, allowUnexpectedKeys)
	case strings.HasPrefix(baseType(et), "text/"):
		return matching.MatchTextBytes(expected.Content, actual.Content, rules)
	}
	return matching.MatchBinary(expected.Content, actual.Content, rules)
}

// matchJSONBody compares JSON bodies. With fast, an actual body the expected body's
// matching.JSONPlan shows to match from its bytes is accepted without decoding it; any other goes
// through the tree walk (matching.MatchValue), which gives every verdict of a mismatch and its
// text. Tests compare fast with the tree walk alone.
func matchJSONBody(expected, actual *Body, rules *matching.Category, opts matching.Options, fast bool) []results.Mismatch {
	mis := func(format string, err error) []results.Mismatch {
		return []results.Mismatch{{Category: "body", Path: "$", Expected: preview(expected.Content), Actual: preview(actual.Content), Message: fmt.Sprintf(format, err)}}
	}
	ev, err := expected.JSON()
	if err != nil {
		return mis("The expected body is not valid JSON: %v", err)
	}
	if p := expected.jsonPlan(rules, opts); fast && p != nil && p.Matches(actual.Content) {
		return nil
	}
	av, err := actual.JSON()
	if err != nil {
		return mis("The actual body is not valid JSON: %v", err)
	}
	return matching.MatchValue(ev, av, rules, opts)
}

func contentTypeOf(b *Body) string {
	if b.ContentType != "" {
		return b.ContentType
	}
	return matching.DetectContentType(b.Content)
}

func baseType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

func preview(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
