package formats

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds the helpers every codec (and the contract matcher) shares for the value model:
// paths for error messages, number conversions that keep integers exact, and JSON text decoding.

// Path is the location of a value inside a payload, e.g. items[2].qty. The zero *Path (nil) is the
// root and prints as "$". Paths are immutable; Field, Index and Key return a child.
type Path struct {
	parent *Path
	field  string
	key    string
	index  int
	kind   uint8 // pathField, pathIndex, pathKey
}

const (
	pathField uint8 = iota
	pathIndex
	pathKey
)

// Depth is the number of steps from the root to p: 0 for the root ($), 1 for "items", 2 for
// "items[0]"... Codecs bound the nesting they encode with it, as they bound what they decode.
func (p *Path) Depth() int {
	n := 0
	for q := p; q != nil; q = q.parent {
		n++
	}
	return n
}

// Field returns the path of field name below p.
func (p *Path) Field(name string) *Path { return &Path{parent: p, field: name, kind: pathField} }

// Index returns the path of array element i below p.
func (p *Path) Index(i int) *Path { return &Path{parent: p, index: i, kind: pathIndex} }

// Key returns the path of map entry k below p.
func (p *Path) Key(k string) *Path { return &Path{parent: p, key: k, kind: pathKey} }

// String renders the path: "$" for the root, else `items[2].qty`, `labels["k"]`.
func (p *Path) String() string {
	if p == nil {
		return "$"
	}
	var parts []*Path
	for q := p; q != nil; q = q.parent {
		parts = append(parts, q)
	}
	var sb strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		q := parts[i]
		switch q.kind {
		case pathField:
			if sb.Len() > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(q.field)
		case pathKey:
			sb.WriteString("[" + strconv.Quote(q.key) + "]")
		default:
			sb.WriteString("[" + strconv.Itoa(q.index) + "]")
		}
	}
	return sb.String()
}

// ValueError is a value that does not fit the schema: `items[2].qty: want int32, got string "x"`.
type ValueError struct {
	Path string // where, e.g. items[2].qty ("$" for the root)
	Want string // the expected type, e.g. int32, enum shop.v1.OrderStatus (A, B)
	Got  string // the value found, as Describe shows it
}

func (e *ValueError) Error() string { return e.Path + ": want " + e.Want + ", got " + e.Got }

// TypeError returns a *ValueError for the value got found at p where want was expected.
func TypeError(p *Path, want string, got any) error {
	return &ValueError{Path: p.String(), Want: want, Got: Describe(got)}
}

// Describe names a value's JSON type and shows it briefly: `string "x"`, `number 1.5`, `object`,
// `array`, `bool true`, `null`. Strings longer than 40 bytes are cut.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return "string " + strconv.Quote(x)
	case json.Number:
		return "number " + string(x)
	case bool:
		return "bool " + strconv.FormatBool(x)
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprintf("number %v", x)
	}
	return fmt.Sprintf("%T", v)
}

// Int converts a number of the value model to a signed integer of bits (32 or 64) bits: a
// json.Number or numeric string ("42", also integral "4.2e1" as protojson accepts), a Go integer
// or an integral float. ok is false for anything else, fractions and values out of range.
func Int(v any, bits int) (n int64, ok bool) {
	switch x := v.(type) {
	case json.Number:
		return parseInt(string(x), bits)
	case string:
		return parseInt(x, bits)
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return 0, false
		}
		n = int64(x)
	case float32:
		return Int(float64(x), bits)
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint:
		return Int(uint64(x), bits)
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		n = int64(x)
	default:
		return 0, false
	}
	if bits == 32 && (n < math.MinInt32 || n > math.MaxInt32) {
		return 0, false
	}
	return n, true
}

func parseInt(s string, bits int) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, bits); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
		return 0, false
	}
	return Int(f, bits)
}

// Uint converts a number of the value model to an unsigned integer of bits (32 or 64) bits, as Int.
func Uint(v any, bits int) (uint64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	case uint64:
		return x, bits == 64 || x <= math.MaxUint32
	case uint:
		return uint64(x), bits == 64 || uint64(x) <= math.MaxUint32
	default:
		n, ok := Int(v, 64)
		if !ok || n < 0 || bits == 32 && n > math.MaxUint32 {
			return 0, false
		}
		return uint64(n), true
	}
	if n, err := strconv.ParseUint(s, 10, bits); err == nil {
		return n, true
	}
	n, ok := parseInt(s, 64)
	if !ok || n < 0 || bits == 32 && n > math.MaxUint32 {
		return 0, false
	}
	return uint64(n), true
}

// Float converts a number of the value model to a float of bits (32 or 64) bits: json.Number,
// numeric strings, "NaN", "Infinity", "-Infinity" (as protojson writes them), Go numbers. ok is
// false for anything else and, when bits is 32, for finite values that do not round to a finite
// float32.
func Float(v any, bits int) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return 0, false
		}
	case string:
		switch x {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
		var err error
		if f, err = strconv.ParseFloat(x, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
	case float64:
		f = x
	case float32:
		f = float64(x)
	default:
		n, ok := Int(v, 64)
		if !ok {
			return 0, false
		}
		f = float64(n)
	}
	if bits == 32 && !math.IsInf(f, 0) && math.IsInf(float64(float32(f)), 0) {
		// Beyond the float32 range: what rounds to a finite float32 is in it, as
		// strconv.ParseFloat(s, 32) reads "-3.4028235e+38" (FloatNumber's text of -MaxFloat32).
		return 0, false
	}
	return f, true
}

// FloatNumber formats f as encoding/json does (shortest text that reads back to the same float of
// bits bits; exponent only below 1e-6 or from 1e21) as a json.Number. NaN and infinities are not
// JSON numbers: they become the strings "NaN", "Infinity", "-Infinity", as protojson writes them.
func FloatNumber(f float64, bits int) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(make([]byte, 0, 24), f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return json.Number(b)
}

// Base64 decodes bytes as the value model carries them: standard or URL-safe base64, padded or
// not (protojson accepts all four).
func Base64(s string) ([]byte, bool) {
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.DecodeString(s)
	return b, err == nil
}

// FormatTimestamp writes t in UTC as RFC 3339 with 0, 3, 6 or 9 fraction digits and "Z", as
// protojson writes google.protobuf.Timestamp: 2024-05-01T12:30:45.123Z.
func FormatTimestamp(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000000000")
	return trimFraction(s) + "Z"
}

// trimFraction removes zero groups of three fraction digits, then a bare ".".
func trimFraction(s string) string {
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	return strings.TrimSuffix(s, ".")
}

// ParseTimestamp reads RFC 3339 text (any offset, up to nine fraction digits).
func ParseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// ParseJSON decodes one JSON document into the value model (numbers as json.Number). Errors give
// the line and column of a syntax error; data after the document is an error.
func ParseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty JSON document")
		}
		return nil, jsonError(b, err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		off := d.InputOffset()
		line, col := lineCol(b, off)
		return nil, fmt.Errorf("line %d, column %d: data after the JSON document", line, col)
	}
	return v, nil
}

func jsonError(b []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := lineCol(b, syn.Offset)
		return fmt.Errorf("line %d, column %d: %s", line, col, syn.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := lineCol(b, int64(len(b)))
		return fmt.Errorf("line %d, column %d: truncated JSON document", line, col)
	}
	return err
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
