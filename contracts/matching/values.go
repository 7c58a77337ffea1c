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
			return fmt.Errorf("expected %s but received %s", Show(expected), Show(actual))
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
			return fmt.Errorf("expected a value matching /%s/ but received %s %s", r.Regex, kindOf(actual), Show(actual))
		}
		if !r.re.MatchString(text(actual)) {
			return fmt.Errorf("expected %s to match /%s/", Show(actual), r.Regex)
		}
	case "type", "ignore-order":
		if !sameType(expected, actual) {
			return fmt.Errorf("expected %s (%s) to be the same type as %s (%s)", Show(actual), kindOf(actual), Show(expected), kindOf(expected))
		}
		if cascaded {
			return nil
		}
		if n, ok := sizeOf(actual); ok {
			if r.Min >= 0 && n < r.Min {
				return fmt.Errorf("expected %s (size %d) to have at least %d element(s)", Show(actual), n, r.Min)
			}
			if r.Max >= 0 && n > r.Max {
				return fmt.Errorf("expected %s (size %d) to have at most %d element(s)", Show(actual), n, r.Max)
			}
		}
	case "include":
		if !strings.Contains(text(actual), r.Value) {
			return fmt.Errorf("expected %s to include %q", Show(actual), r.Value)
		}
	case "number":
		if _, ok := asNumber(actual); !ok {
			return fmt.Errorf("expected %s (%s) to be a number", Show(actual), kindOf(actual))
		}
	case "integer":
		if n, ok := asNumber(actual); !ok || !n.isInt {
			return fmt.Errorf("expected %s (%s) to be an integer", Show(actual), kindOf(actual))
		}
	case "decimal":
		if n, ok := asNumber(actual); !ok || n.isInt {
			return fmt.Errorf("expected %s (%s) to be a decimal number", Show(actual), kindOf(actual))
		}
	case "null":
		if actual != nil {
			return fmt.Errorf("expected null but received %s", Show(actual))
		}
	case "boolean":
		switch x := actual.(type) {
		case bool:
		case string:
			if x != "true" && x != "false" {
				return fmt.Errorf("expected %s to be a boolean", Show(actual))
			}
		default:
			return fmt.Errorf("expected %s (%s) to be a boolean", Show(actual), kindOf(actual))
		}
	case "date", "time", "datetime":
		s, ok := actual.(string)
		if !ok {
			return fmt.Errorf("expected a %s string but received %s %s", r.Match, kindOf(actual), Show(actual))
		}
		if r.dateRe == nil {
			re, err := dateTimeRegexp(r.Match, r.Format)
			if err != nil {
				return err
			}
			r.dateRe = re
		}
		if !r.dateRe.MatchString(s) {
			return fmt.Errorf("expected %s to be a %s in the format %q", Show(actual), r.Match, cmpFormat(r.Format))
		}
		if why := validDate(r.dateRe, s); why != "" {
			return fmt.Errorf("expected %s to be a %s in the format %q: %s", Show(actual), r.Match, cmpFormat(r.Format), why)
		}
	case "contentType":
		var data []byte
		switch x := actual.(type) {
		case []byte:
			data = x
		case string:
			data = []byte(x)
		default:
			return fmt.Errorf("expected content of type %s but received %s", r.Value, kindOf(actual))
		}
		got := DetectContentType(data)
		if baseType(got) != baseType(r.Value) {
			return fmt.Errorf("expected content of type %s but the content is %s", r.Value, got)
		}
	case "values", "eachKey", "eachValue", "arrayContains":
		// structural rules are applied by the tree walk; on a scalar they have nothing to check
		if r.Match == "arrayContains" {
			if _, ok := actual.([]any); !ok {
				return fmt.Errorf("expected an array for arrayContains but received %s", kindOf(actual))
			}
		}
	case "notEmpty":
		switch x := actual.(type) {
		case nil:
			return fmt.Errorf("expected a non-empty value but received null")
		case string:
			if x == "" {
				return fmt.Errorf("expected a non-empty string")
			}
		case []any:
			if len(x) == 0 {
				return fmt.Errorf("expected a non-empty array")
			}
		case map[string]any:
			if len(x) == 0 {
				return fmt.Errorf("expected a non-empty object")
			}
		case []byte:
			if len(x) == 0 {
				return fmt.Errorf("expected non-empty content")
			}
		}
	case "semver":
		s, ok := actual.(string)
		if !ok || !semverRe.MatchString(s) {
			return fmt.Errorf("expected %s to be a semantic version (semver.org)", Show(actual))
		}
	case "statusCode":
		n, ok := asNumber(actual)
		if !ok || !n.isInt || !n.small && !n.i.IsInt64() {
			return fmt.Errorf("expected an HTTP status code but received %s", Show(actual))
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

// checkStatus implements the V4 statusCode rule: a class name or a list of codes.
func (r *Rule) checkStatus(code int) error {
	if len(r.StatusCodes) > 0 {
		for _, c := range r.StatusCodes {
			if c == code {
				return nil
			}
		}
		return fmt.Errorf("expected status %d to be one of %v", code, r.StatusCodes)
	}
	var ok bool
	switch r.Status {
	case "info", "information":
		ok = code >= 100 && code < 200
	case "success":
		ok = code >= 200 && code < 300
	case "redirect":
		ok = code >= 300 && code < 400
	case "clientError":
		ok = code >= 400 && code < 500
	case "serverError":
		ok = code >= 500 && code < 600
	case "nonError":
		ok = code < 400
	case "error":
		ok = code >= 400 && code < 600
	default:
		return fmt.Errorf("statusCode class %q is not supported", r.Status)
	}
	if !ok {
		return fmt.Errorf("expected a %s status but received %d", r.Status, code)
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

// cmpFormat names a date/time format in messages ("ISO 8601" for the default).
func cmpFormat(f string) string {
	if f == "" {
		return "ISO 8601"
	}
	return f
}
