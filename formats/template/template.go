// Package template turns one sample document into many distinct payloads for load: a payload
// template is JSON text with Go text/template actions ({{ }}), parsed once with the standard
// text/template/parse and compiled into a list of segments, so generating a payload costs a few
// appends per field, not a reflective template execution.
//
// Actions (each is one of these, optionally piped into json):
//
//	{{.Seq}}                    the sequence number given to Generate (0, 1, 2...)
//	{{.Row.name}}               column/field "name" of data-file row Seq % rows (CSV with a header
//	                            row, or JSONL objects)
//	{{uuid}}                    a random version 4 UUID
//	{{randInt 1 100}}           a random integer in [1, 100]
//	{{randDecimal 0 500 2}}     a random decimal in [0, 500] with 2 fraction digits, e.g. 137.05
//	{{randString 12}}           12 random letters and digits
//	{{pick "EUR" "USD" "GBP"}}  one of the arguments (strings, numbers, booleans), at random
//	{{now}}                     the current time, RFC 3339 UTC with milliseconds
//	{{nowMillis}}               the current time in epoch milliseconds
//	{{.Row.name | json}}        a CSV cell as a JSON string (see below)
//
// Example: {"id": "ord-{{.Seq}}", "qty": {{randInt 1 5}}, "currency": {{pick "EUR" "USD"}}}.
//
// Every payload is JSON by construction: Compile reads the JSON text around each action and
// writes the action's output to fit. Inside a JSON string ("ord-{{.Seq}}") the output is string
// content, escaped ({{pick "a\"b"}} writes a\"b). As a whole value ("qty": {{...}}) it is a JSON
// value of its type: numbers bare, strings quoted and escaped, so {{pick "EUR" 1}} writes "EUR"
// or 1. CSV cells are text without a type: as a whole value a cell is written as JSON text and
// every row of the column must hold a JSON value (a number, true...), checked at compile time;
// {{.Row.name | json}} writes the cell as a JSON string instead. An action anywhere else (an
// object key, next to other characters outside a string, after a backslash) is a compile error.
//
// The bench engine compiles the template once per run, then per message calls Generate(seq) for
// JSON text, or Value(seq) for the value model to hand to a codec (formats.Codec.Encode) when the
// wire format is Protobuf or Avro. A Template is safe for concurrent use; random values come
// from math/rand/v2 (not cryptographic).
package template

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template/parse"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/formats"
)

// Options configure a template.
type Options struct {
	// DataFile is a CSV (header row, then values) or JSONL (one object per line) file whose rows
	// {{.Row.name}} reads in turn; "" for none.
	DataFile string
	// Now is the clock for now and nowMillis; default time.Now.
	Now func() time.Time
	// MaxPayloadBytes bounds one generated payload (bytes of JSON text); 0 means
	// DefaultMaxPayloadBytes. Compile renders payload 0 and fails past it, and every later
	// payload that grows past it (a longer data row) is an error, not an allocation.
	MaxPayloadBytes int
}

// DefaultMaxPayloadBytes is the default bound on one generated payload: 16 MiB.
const DefaultMaxPayloadBytes = 16 << 20

// ErrPayloadTooLarge is returned (wrapped, with the sizes) when a payload would exceed
// Options.MaxPayloadBytes.
var ErrPayloadTooLarge = errors.New("generated payload too large")

// Template is a compiled payload template.
type Template struct {
	name     string
	segs     []segment
	rows     []map[string]any
	csv      bool   // rows are CSV text cells
	dataFile string // for errors
	now      func() time.Time
	maxBytes int
	usesNow  bool
	nowText  atomic.Pointer[nowText] // RFC 3339 text of the last millisecond formatted
}

type nowText struct {
	ms   int64
	text []byte
}

// segment appends its output for one payload.
type segment func(dst []byte, g gen) []byte

// gen is what one payload's actions read: its sequence number, data row index and clock reading
// (one per payload, so {{now}} and {{nowMillis}} agree).
type gen struct {
	seq uint64
	row int
	now time.Time
}

// funcs declares the function names the parser accepts; the values are never called.
var funcs = map[string]any{
	"uuid": true, "randInt": true, "randDecimal": true, "randString": true, "pick": true,
	"now": true, "nowMillis": true, "json": true,
}

// Compile parses text (named name in errors, e.g. the file name), fits each action's output to
// its place in the JSON text (see the package documentation) and checks that the payload for
// sequence 0 is JSON; as actions write JSON-safe output by construction, every payload is then
// JSON. Errors: template syntax (name:line:col), an unknown function, wrong arguments, an action
// where no output would keep the payload JSON, a CSV cell that is not JSON where a value is
// expected (file, row, column), an unreadable data file or row, text that is not JSON.
func Compile(name, text string, opts Options) (*Template, error) {
	trees, err := parse.Parse(name, text, "{{", "}}", funcs)
	if err != nil {
		return nil, err
	}
	t := &Template{name: name, now: opts.Now, maxBytes: opts.MaxPayloadBytes}
	if t.now == nil {
		t.now = time.Now
	}
	if t.maxBytes <= 0 {
		t.maxBytes = DefaultMaxPayloadBytes
	}
	if opts.DataFile != "" {
		if t.rows, t.csv, err = readRows(opts.DataFile); err != nil {
			return nil, err
		}
		t.dataFile = opts.DataFile
	}
	tree := trees[name]
	if tree == nil || tree.Root == nil {
		return nil, fmt.Errorf("%s: empty template", name)
	}
	positions, perr := scanPositions(tree.Root.Nodes)
	if perr != nil {
		return nil, t.errorf(tree, perr.node, "%s", perr.msg)
	}
	for _, n := range tree.Root.Nodes {
		seg, err := t.compileNode(tree, n, positions[n])
		if err != nil {
			return nil, err
		}
		t.segs = append(t.segs, seg)
	}
	out, err := t.Generate(0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := formats.ParseJSON(out); err != nil {
		return nil, fmt.Errorf("%s: the payload it generates is not JSON: %w\n%s", name, err, out)
	}
	return t, nil
}

// CompileFile compiles the template in file path.
func CompileFile(path string, opts Options) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Compile(filepath.Base(path), string(b), opts)
}

// Generate returns the JSON text of payload number seq.
func (t *Template) Generate(seq uint64) ([]byte, error) {
	return t.AppendGenerate(make([]byte, 0, 256), seq)
}

// AppendGenerate appends the JSON text of payload number seq to dst (reuse dst to avoid an
// allocation per payload). It fails with ErrPayloadTooLarge as soon as the payload passes
// Options.MaxPayloadBytes, so it never holds more than that plus one action's output (at most
// 64 KiB, or a data row).
func (t *Template) AppendGenerate(dst []byte, seq uint64) ([]byte, error) {
	start := len(dst)
	g := gen{seq: seq}
	if len(t.rows) > 0 {
		g.row = int(seq % uint64(len(t.rows)))
	}
	if t.usesNow {
		g.now = t.now()
	}
	for _, s := range t.segs {
		dst = s(dst, g)
		if n := len(dst) - start; n > t.maxBytes {
			return dst[:start], fmt.Errorf("%w: payload %d passes the limit of %d bytes", ErrPayloadTooLarge, seq, t.maxBytes)
		}
	}
	return dst, nil
}

// Value returns payload number seq in the value model (formats.ParseJSON of Generate), ready for
// any codec's Encode.
func (t *Template) Value(seq uint64) (any, error) {
	b, err := t.Generate(seq)
	if err != nil {
		return nil, err
	}
	return formats.ParseJSON(b)
}

func (t *Template) errorf(tree *parse.Tree, n parse.Node, format string, args ...any) error {
	loc, _ := tree.ErrorContext(n)
	return fmt.Errorf("%s: "+format, append([]any{loc}, args...)...)
}

func (t *Template) compileNode(tree *parse.Tree, n parse.Node, pos position) (segment, error) {
	switch x := n.(type) {
	case *parse.TextNode:
		text := append([]byte(nil), x.Text...)
		return func(dst []byte, _ gen) []byte { return append(dst, text...) }, nil
	case *parse.ActionNode:
		if len(x.Pipe.Decl) > 0 {
			return nil, t.errorf(tree, n, "variables are not supported")
		}
		cmds := x.Pipe.Cmds
		asJSON := false
		if len(cmds) == 2 {
			last := cmds[1]
			if id, ok := last.Args[0].(*parse.IdentifierNode); ok && id.Ident == "json" && len(last.Args) == 1 {
				asJSON = true
				cmds = cmds[:1]
			}
		}
		if len(cmds) != 1 {
			return nil, t.errorf(tree, n, "an action is one function or field, optionally | json")
		}
		if asJSON && pos == inString {
			return nil, t.errorf(tree, n, "| json inside a JSON string would write quotes into it: drop | json (string content is escaped anyway)")
		}
		return t.compileCommand(tree, cmds[0], pos, asJSON)
	case *parse.CommentNode:
		return func(dst []byte, _ gen) []byte { return dst }, nil
	}
	return nil, t.errorf(tree, n, "unsupported template construct %q: use text, {{.Seq}}, {{.Row.name}} or a function", n.String())
}

// text returns the segment of an action whose output is text that needs no escaping (a UUID,
// letters and digits, a timestamp): quoted as a whole value, bare inside a string.
func text(pos position, appendText func(dst []byte, g gen) []byte) segment {
	if pos == inString {
		return appendText
	}
	return func(dst []byte, g gen) []byte {
		return append(appendText(append(dst, '"'), g), '"')
	}
}

// choices returns the segment writing one of outs, precomputed for the action's position: by
// the data row (rows) or at random.
func choices(outs [][]byte, byRow bool) segment {
	if len(outs) == 1 {
		return func(dst []byte, _ gen) []byte { return append(dst, outs[0]...) }
	}
	if byRow {
		return func(dst []byte, g gen) []byte { return append(dst, outs[g.row]...) }
	}
	return func(dst []byte, _ gen) []byte { return append(dst, outs[rand.IntN(len(outs))]...) }
}

func (t *Template) compileCommand(tree *parse.Tree, cmd *parse.CommandNode, pos position, asJSON bool) (segment, error) {
	first := cmd.Args[0]
	switch x := first.(type) {
	case *parse.FieldNode:
		if len(cmd.Args) != 1 {
			return nil, t.errorf(tree, cmd, "%s takes no arguments", x)
		}
		switch {
		case len(x.Ident) == 1 && x.Ident[0] == "Seq":
			return func(dst []byte, g gen) []byte {
				return strconv.AppendUint(dst, g.seq, 10)
			}, nil
		case len(x.Ident) == 2 && x.Ident[0] == "Row":
			if t.rows == nil {
				return nil, t.errorf(tree, cmd, "%s needs a data file", x)
			}
			col := x.Ident[1]
			if _, ok := t.rows[0][col]; !ok {
				return nil, t.errorf(tree, cmd, "data file has no column %q", col)
			}
			outs := make([][]byte, len(t.rows))
			for i, row := range t.rows {
				v := row[col]
				switch {
				case pos == inString:
					outs[i] = stringContent(v)
				case t.csv && !asJSON:
					cell := v.(string)
					if _, err := formats.ParseJSON([]byte(cell)); err != nil {
						return nil, t.errorf(tree, cmd, "%s row %d column %q: %q is not a JSON value (number, true, ...): put the action inside quotes, or write {{.Row.%s | json}}, for text",
							t.dataFile, i+2, col, cell, col)
					}
					outs[i] = []byte(cell)
				default:
					outs[i] = jsonText(v)
				}
			}
			return choices(outs, true), nil
		}
		return nil, t.errorf(tree, cmd, "unknown field %s: use .Seq or .Row.name", x)
	case *parse.IdentifierNode:
		return t.compileFunc(tree, cmd, x.Ident, cmd.Args[1:], pos)
	}
	return nil, t.errorf(tree, cmd, "unsupported action %q", cmd.String())
}

func (t *Template) compileFunc(tree *parse.Tree, cmd *parse.CommandNode, name string, args []parse.Node, pos position) (segment, error) {
	ints := func(want int) ([]int64, error) {
		if len(args) != want {
			return nil, t.errorf(tree, cmd, "%s takes %d integer arguments, got %d", name, want, len(args))
		}
		out := make([]int64, want)
		for i, a := range args {
			num, ok := a.(*parse.NumberNode)
			if !ok || !num.IsInt {
				return nil, t.errorf(tree, cmd, "%s: argument %d must be an integer, got %s", name, i+1, a)
			}
			out[i] = num.Int64
		}
		return out, nil
	}
	noArgs := func() error {
		if len(args) != 0 {
			return t.errorf(tree, cmd, "%s takes no arguments", name)
		}
		return nil
	}
	switch name {
	case "uuid":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return text(pos, func(dst []byte, _ gen) []byte { return appendUUID(dst) }), nil
	case "randInt":
		a, err := ints(2)
		if err != nil {
			return nil, err
		}
		lo, hi := a[0], a[1]
		if hi < lo {
			return nil, t.errorf(tree, cmd, "randInt: max %d is below min %d", hi, lo)
		}
		span := uint64(hi-lo) + 1
		return func(dst []byte, _ gen) []byte {
			if span == 0 { // the whole int64 range
				return strconv.AppendInt(dst, int64(rand.Uint64()), 10)
			}
			return strconv.AppendInt(dst, lo+int64(rand.Uint64N(span)), 10)
		}, nil
	case "randDecimal":
		a, err := ints(3)
		if err != nil {
			return nil, err
		}
		lo, hi, places := a[0], a[1], a[2]
		if hi < lo || places < 0 || places > 9 || hi-lo > math.MaxInt64/1_000_000_000 {
			return nil, t.errorf(tree, cmd, "randDecimal: want min <= max and 0-9 places")
		}
		scale := int64(1)
		for range places {
			scale *= 10
		}
		span := uint64((hi-lo)*scale) + 1
		return func(dst []byte, _ gen) []byte {
			return appendDecimal(dst, lo*scale+int64(rand.Uint64N(span)), scale, int(places))
		}, nil
	case "randString":
		a, err := ints(1)
		if err != nil {
			return nil, err
		}
		if a[0] < 0 || a[0] > 1<<16 {
			return nil, t.errorf(tree, cmd, "randString: length must be 0-65536")
		}
		n := int(a[0])
		return text(pos, func(dst []byte, _ gen) []byte { return appendRandomString(dst, n) }), nil
	case "pick":
		if len(args) == 0 {
			return nil, t.errorf(tree, cmd, "pick needs at least one argument")
		}
		outs := make([][]byte, len(args))
		for i, a := range args {
			v, err := literal(a)
			if err != nil {
				return nil, t.errorf(tree, cmd, "pick: argument %d: %v", i+1, err)
			}
			if pos == inString {
				outs[i] = stringContent(v)
			} else {
				outs[i] = jsonText(v)
			}
		}
		return choices(outs, false), nil
	case "now":
		if err := noArgs(); err != nil {
			return nil, err
		}
		t.usesNow = true
		return text(pos, func(dst []byte, g gen) []byte { return t.appendNow(dst, g.now) }), nil
	case "nowMillis":
		if err := noArgs(); err != nil {
			return nil, err
		}
		t.usesNow = true
		return func(dst []byte, g gen) []byte {
			return strconv.AppendInt(dst, g.now.UnixMilli(), 10)
		}, nil
	}
	return nil, t.errorf(tree, cmd, "%s cannot start an action", name)
}

// literal is the value of a pick argument: a string, a JSON number (Go-only forms such as 0x1F
// or 1_000 rewritten in decimal), a boolean.
func literal(a parse.Node) (any, error) {
	switch x := a.(type) {
	case *parse.StringNode:
		return x.Text, nil
	case *parse.BoolNode:
		return x.True, nil
	case *parse.NumberNode:
		if n, err := formats.ParseJSON([]byte(x.Text)); err == nil {
			if _, ok := n.(json.Number); ok {
				return n, nil
			}
		}
		switch {
		case x.IsInt:
			return json.Number(strconv.FormatInt(x.Int64, 10)), nil
		case x.IsUint:
			return json.Number(strconv.FormatUint(x.Uint64, 10)), nil
		case x.IsFloat && !math.IsInf(x.Float64, 0):
			return json.Number(strconv.FormatFloat(x.Float64, 'g', -1, 64)), nil
		}
		return nil, fmt.Errorf("%s is not a JSON number", x.Text)
	}
	return nil, fmt.Errorf("want a string, number or bool, got %s", a)
}

// appendNow writes now as RFC 3339 UTC with milliseconds, formatting each millisecond once.
func (t *Template) appendNow(dst []byte, now time.Time) []byte {
	ms := now.UnixMilli()
	if c := t.nowText.Load(); c != nil && c.ms == ms {
		return append(dst, c.text...)
	}
	text := now.UTC().AppendFormat(make([]byte, 0, 24), "2006-01-02T15:04:05.000Z07:00")
	t.nowText.Store(&nowText{ms: ms, text: text})
	return append(dst, text...)
}

// appendDecimal writes units / scale with places fraction digits.
func appendDecimal(dst []byte, units, scale int64, places int) []byte {
	if units < 0 {
		dst = append(dst, '-')
		units = -units
	}
	dst = strconv.AppendInt(dst, units/scale, 10)
	if places == 0 {
		return dst
	}
	dst = append(dst, '.')
	frac := units % scale
	for div := scale / 10; div > 0; div /= 10 {
		dst = append(dst, byte('0'+frac/div%10))
	}
	return dst
}

// appendUUID writes a random version 4 UUID (RFC 4122 layout, math/rand/v2 bits).
func appendUUID(dst []byte) []byte {
	var u uuid.UUID
	a, b := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var text [36]byte
	hex.Encode(text[0:8], u[0:4])
	text[8] = '-'
	hex.Encode(text[9:13], u[4:6])
	text[13] = '-'
	hex.Encode(text[14:18], u[6:8])
	text[18] = '-'
	hex.Encode(text[19:23], u[8:10])
	text[23] = '-'
	hex.Encode(text[24:], u[10:])
	return append(dst, text[:]...)
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func appendRandomString(dst []byte, n int) []byte {
	for i := 0; i < n; {
		r := rand.Uint64()
		for j := 0; j < 10 && i < n; j++ { // 6 bits per character, 10 per uint64
			dst = append(dst, alphabet[int(r&63)%len(alphabet)])
			r >>= 6
			i++
		}
	}
	return dst
}

// jsonText is v (value model) as JSON text, without HTML escaping.
func jsonText(v any) []byte {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // values of the model always encode
		return []byte("null")
	}
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}

// stringContent is v written inside a JSON string: a string escaped without its quotes, any other
// value as its JSON text, escaped.
func stringContent(v any) []byte {
	s, ok := v.(string)
	if !ok {
		s = string(jsonText(v))
	}
	q := jsonText(s)
	return q[1 : len(q)-1]
}

// readRows reads a CSV file (header row, values as strings; isCSV) or a JSONL file (.jsonl/.ndjson:
// one object per line, values in the value model).
func readRows(path string) ([]map[string]any, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	var rows []map[string]any
	isCSV := true
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		isCSV = false
		d := json.NewDecoder(f)
		d.UseNumber()
		for line := 1; ; line++ {
			var row map[string]any
			if err := d.Decode(&row); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, false, fmt.Errorf("%s: record %d: %w (want one JSON object per line)", path, line, err)
			}
			rows = append(rows, row)
		}
	default:
		r := csv.NewReader(f)
		header, err := r.Read()
		if err != nil {
			return nil, false, fmt.Errorf("%s: header row: %w", path, err)
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", path, err)
			}
			row := make(map[string]any, len(header))
			for i, h := range header {
				row[h] = rec[i]
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil, false, fmt.Errorf("%s: no data rows", path)
	}
	for i, row := range rows[1:] {
		for k := range rows[0] {
			if _, ok := row[k]; !ok {
				return nil, false, fmt.Errorf("%s: row %d lacks %q, which the first row has", path, i+2, k)
			}
		}
	}
	return rows, isCSV, nil
}
