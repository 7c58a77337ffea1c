package matching

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// num is a normalised number: integers keep their exact digits (beyond 2^53), decimals a float.
type num struct {
	isInt bool
	small bool     // the integer fits i64
	i64   int64    // small integers
	i     *big.Int // other integers
	f     float64
	text  string
}

func asNumber(v any) (num, bool) {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !hasFraction(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return num{isInt: true, small: true, i64: n, text: s}, true
			}
			if i, ok := new(big.Int).SetString(s, 10); ok {
				return num{isInt: true, i: i, text: s}, true
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return num{}, false
		}
		return num{f: f, text: s}, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			// decoded without UseNumber: an integral float64 is taken as an integer
			return num{isInt: true, small: true, i64: int64(x), text: strconv.FormatFloat(x, 'f', -1, 64)}, true
		}
		return num{f: x, text: strconv.FormatFloat(x, 'g', -1, 64)}, true
	case float32:
		return asNumber(float64(x))
	case int:
		return num{isInt: true, small: true, i64: int64(x), text: strconv.Itoa(x)}, true
	case int8, int16, int32, int64:
		n := reflectInt(x)
		return num{isInt: true, small: true, i64: n, text: strconv.FormatInt(n, 10)}, true
	case uint, uint8, uint16, uint32, uint64:
		n := reflectUint(x)
		return num{isInt: true, i: new(big.Int).SetUint64(n), text: strconv.FormatUint(n, 10)}, true
	}
	return num{}, false
}

// hasFraction reports whether number text has a fraction or an exponent (strings.ContainsAny(s,
// ".eE") without building a character set on each call).
func hasFraction(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', 'e', 'E':
			return true
		}
	}
	return false
}

func reflectInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func reflectUint(v any) uint64 {
	switch x := v.(type) {
	case uint:
		return uint64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	}
	return 0
}

func (n num) big() *big.Int {
	if n.small {
		return big.NewInt(n.i64)
	}
	return n.i
}

func numEqual(a, b num) bool {
	if a.isInt && b.isInt {
		if a.small && b.small {
			return a.i64 == b.i64
		}
		return a.big().Cmp(b.big()) == 0
	}
	if a.isInt != b.isInt {
		return false
	}
	return a.f == b.f
}

// kindOf names the JSON type of a data model value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case []byte:
		return "bytes"
	}
	if _, ok := asNumber(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Equal reports whether two data model values are equal (numbers: integers exactly, decimals
// as float64; an integer never equals a decimal, as in the reference implementation).
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	na, ok := asNumber(a)
	if !ok {
		return false
	}
	nb, ok := asNumber(b)
	return ok && numEqual(na, nb)
}

// Show renders a value for a mismatch: JSON for structures, the text for strings.
func Show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []byte:
		if len(x) > 64 {
			return fmt.Sprintf("%d bytes", len(x))
		}
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// text is the string representation used by regex and include.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case []byte:
		return string(x)
	case json.Number:
		return x.String()
	}
	if n, ok := asNumber(v); ok {
		return n.text
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sameType(a, b any) bool {
	return kindOf(a) == kindOf(b)
}

var numberText = regexp.MustCompile(`^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$`)

var semverRe = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// Check applies one rule to an actual value; expected is the example from the contract.
// cascaded: the rule was inherited from a parent path (min/max do not apply then).
// The error is the human sentence of the mismatch.
func (r *Rule) Check(expected, actual any, cascaded bool) error {
	if r.invalid != "" {
		return fmt.Errorf("%s", r.invalid)
	}
	switch r.Match {
	case "equality":
		if !Equal(expected, actual) {
			return fmt.Errorf("Expected %s to be equal to %s", PactDesc(actual), PactDesc(expected))
		}
	case "regex":
		if r.re == nil {
			re, err := compileFull(r.Regex)
			if err != nil {
				return fmt.Errorf("regular expression %q is invalid: %v", r.Regex, err)
			}
			r.re = re
		}
		switch actual.(type) {
		case map[string]any, []any:
			return fmt.Errorf("Expected %s to match '%s'", PactDesc(actual), r.Regex)
		}
		if !r.re.MatchString(text(actual)) {
			return fmt.Errorf("Expected %s to match '%s'", PactValue(actual), r.Regex)
		}
	case "type", "ignore-order":
		if !sameType(expected, actual) {
			return fmt.Errorf("Expected %s to be the same type as %s", PactDesc(actual), PactDesc(expected))
		}
		if cascaded {
			return nil
		}
		if n, ok := sizeOf(actual); ok {
			if r.Min >= 0 && n < r.Min {
				return fmt.Errorf("Expected %s (size %d) to have minimum size of %d", pactList(actual), n, r.Min)
			}
			if r.Max >= 0 && n > r.Max {
				return fmt.Errorf("Expected %s (size %d) to have maximum size of %d", pactList(actual), n, r.Max)
			}
		}
	case "include":
		if !strings.Contains(text(actual), r.Value) {
			return fmt.Errorf("Expected %s to include '%s'", PactValue(actual), r.Value)
		}
	case "number":
		if _, ok := asNumber(actual); !ok {
			return fmt.Errorf("Expected %s to be a number", PactDesc(actual))
		}
	case "integer":
		if n, ok := asNumber(actual); !ok || !n.isInt {
			return fmt.Errorf("Expected %s to be an integer", PactDesc(actual))
		}
	case "decimal":
		if n, ok := asNumber(actual); !ok || n.isInt {
			return fmt.Errorf("Expected %s to be a decimal number", PactDesc(actual))
		}
	case "null":
		if actual != nil {
			return fmt.Errorf("Expected %s to be a null value", PactDesc(actual))
		}
	case "boolean":
		switch x := actual.(type) {
		case bool:
		case string:
			if x != "true" && x != "false" {
				return fmt.Errorf("Expected %s to match a boolean", PactDesc(actual))
			}
		default:
			return fmt.Errorf("Expected %s to match a boolean", PactDesc(actual))
		}
	case "date", "time", "datetime":
		s, ok := actual.(string)
		if !ok {
			return fmt.Errorf("Expected %s to match a %s pattern of '%s'", PactDesc(actual), patternKind(r.Match), cmpFormat(r.Match, r.Format))
		}
		if r.dateRe == nil {
			re, err := dateTimeRegexp(r.Match, r.Format)
			if err != nil {
				return err
			}
			r.dateRe = re
		}
		if !r.dateRe.MatchString(s) {
			return fmt.Errorf("Expected %s to match a %s pattern of '%s'", PactValue(actual), patternKind(r.Match), cmpFormat(r.Match, r.Format))
		}
		if why := validDate(r.dateRe, s); why != "" {
			return fmt.Errorf("Expected %s to match a %s pattern of '%s': %s", PactValue(actual), patternKind(r.Match), cmpFormat(r.Match, r.Format), why)
		}
	case "contentType":
		var data []byte
		switch x := actual.(type) {
		case []byte:
			data = x
		case string:
			data = []byte(x)
		default:
			return fmt.Errorf("Expected %s to have content type '%s'", PactDesc(actual), r.Value)
		}
		got := DetectContentType(data)
		if baseType(got) != baseType(r.Value) {
			return fmt.Errorf("Expected binary contents to have content type '%s' but detected contents was '%s'", r.Value, baseType(got))
		}
	case "values", "eachKey", "eachValue", "arrayContains":
		// structural rules are applied by the tree walk; on a scalar they have nothing to check
		if r.Match == "arrayContains" {
			if _, ok := actual.([]any); !ok {
				return fmt.Errorf("expected an array for arrayContains but received %s", kindOf(actual))
			}
		}
	case "notEmpty":
		empty := false
		switch x := actual.(type) {
		case nil:
			empty = true
		case string:
			empty = x == ""
		case []any:
			empty = len(x) == 0
		case map[string]any:
			empty = len(x) == 0
		case []byte:
			if len(x) == 0 {
				return fmt.Errorf("Expected [] (0 bytes) to not be empty")
			}
		}
		if empty {
			return fmt.Errorf("Expected %s to not be empty", PactDesc(actual))
		}
	case "semver":
		s, ok := actual.(string)
		if !ok || !semverRe.MatchString(s) {
			return fmt.Errorf("%s is not a valid semantic version", PactValue(actual))
		}
	case "statusCode":
		n, ok := asNumber(actual)
		if !ok || !n.isInt || !n.small && !n.i.IsInt64() {
			return fmt.Errorf("Expected %s to be an HTTP status code", PactDesc(actual))
		}
		code := n.i64
		if !n.small {
			code = n.i.Int64()
		}
		return r.checkStatus(int(code))
	default:
		return fmt.Errorf("matching rule %q is not supported", r.Match)
	}
	return nil
}

func sizeOf(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	}
	return 0, false
}

// checkStatus implements the V4 statusCode rule: a class name or a list of codes. The message is
// pact-reference's (pact_matching matchingrules.rs match_status_code, with HttpStatus's Display).
func (r *Rule) checkStatus(code int) error {
	if len(r.StatusCodes) > 0 {
		for _, c := range r.StatusCodes {
			if c == code {
				return nil
			}
		}
		return fmt.Errorf("Expected status code %d to be a Status code in %v", code, r.StatusCodes)
	}
	var ok bool
	var class string
	switch r.Status {
	case "info", "information":
		ok, class = code >= 100 && code < 200, "Informational response (100–199)"
	case "success":
		ok, class = code >= 200 && code < 300, "Successful response (200–299)"
	case "redirect":
		ok, class = code >= 300 && code < 400, "Redirect (300–399)"
	case "clientError":
		ok, class = code >= 400 && code < 500, "Client error (400–499)"
	case "serverError":
		ok, class = code >= 500 && code < 600, "Server error (500–599)"
	case "nonError":
		ok, class = code < 400, "Non-error response (< 400)"
	case "error":
		ok, class = code >= 400 && code < 600, "Error response (>= 400)"
	default:
		return fmt.Errorf("statusCode class %q is not supported", r.Status)
	}
	if !ok {
		return fmt.Errorf("Expected status code %d to be a %s", code, class)
	}
	return nil
}

// CheckList applies a rule list with its AND/OR logic; it returns one sentence per failed rule
// (for OR only when every rule failed).
func (l *RuleList) CheckList(expected, actual any, cascaded bool) []string {
	return l.check(expected, actual, cascaded, false)
}

// CheckText is CheckList for values that are text on the wire (headers, query parameters, form
// fields, XML attributes and text, transport metadata): number, integer and decimal rules accept
// a string holding such a number.
func (l *RuleList) CheckText(expected, actual any, cascaded bool) []string {
	return l.check(expected, actual, cascaded, true)
}

func (l *RuleList) check(expected, actual any, cascaded, textual bool) []string {
	var msgs []string
	for i := range l.Rules {
		a := actual
		if s, ok := actual.(string); ok && textual {
			switch l.Rules[i].Match {
			case "number", "integer", "decimal":
				if numberText.MatchString(s) {
					a = json.Number(s)
				}
			}
		}
		if err := l.Rules[i].Check(expected, a, cascaded); err != nil {
			msgs = append(msgs, err.Error())
		} else if l.Combine == "OR" {
			return nil
		}
	}
	return msgs
}

// DetectContentType guesses a media type from the first bytes (magic numbers), recognising JSON
// and XML besides what net/http.DetectContentType knows.
func DetectContentType(b []byte) string {
	t := strings.TrimLeft(string(b[:min(len(b), 512)]), " \t\r\n\ufeff")
	switch {
	case strings.HasPrefix(t, "<?xml"):
		return "application/xml"
	case (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid(b):
		return "application/json"
	}
	return http.DetectContentType(b)
}

// baseType is the lower-case media type without parameters.
func baseType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// cmpFormat names a date/time format in messages: the pattern, or for none the one
// pact-reference defaults to (see defaultFormat).
func cmpFormat(kind, f string) string {
	if f != "" {
		return f
	}
	return defaultFormat(kind)
}

// patternKind names a date/time rule in messages as pact-reference does (date, time, timestamp).
func patternKind(match string) string {
	if match == "datetime" {
		return "timestamp"
	}
	return match
}

// PactType names the type of a data model value as pact-reference's mismatch messages do:
// String, Integer, Decimal, Boolean, Null, Array, Object (bytes for binary contents).
func PactType(v any) string {
	switch v.(type) {
	case nil:
		return "Null"
	case string:
		return "String"
	case bool:
		return "Boolean"
	case map[string]any:
		return "Object"
	case []any:
		return "Array"
	case []byte:
		return "Bytes"
	}
	if n, ok := asNumber(v); ok {
		if n.isInt {
			return "Integer"
		}
		return "Decimal"
	}
	return fmt.Sprintf("%T", v)
}

// PactValue renders a value as pact-reference's mismatch messages do: a string in single quotes,
// numbers, booleans and null as written, arrays and objects as compact JSON.
func PactValue(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case nil:
		return "null"
	case []byte:
		return Show(x)
	}
	if n, ok := asNumber(v); ok {
		return n.text
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// PactDesc is PactValue followed by PactType in brackets: 'a' (String), 100 (Integer).
func PactDesc(v any) string { return PactValue(v) + " (" + PactType(v) + ")" }

// pactList renders an array as pact-reference's size messages do: [1, 2, 3].
func pactList(v any) string {
	l, _ := v.([]any)
	parts := make([]string, len(l))
	for i, e := range l {
		if s, ok := e.(string); ok {
			parts[i] = strconv.Quote(s)
		} else {
			parts[i] = PactValue(e)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
