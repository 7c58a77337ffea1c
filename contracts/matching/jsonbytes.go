package matching

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// JSONPlan matches JSON documents given as bytes against one expected value and its body rules,
// walking the bytes once instead of decoding them into a tree first. It is a fast acceptance test
// for the common case, not a second matcher: Matches is true only when MatchValue(expected, v,
// rules, opts) returns no mismatch, v being the document decoded as encoding/json with UseNumber
// decodes it (RFC 8259). false means "not shown to match": call MatchValue on the decoded value
// for the verdict and the mismatches. It is false for every mismatch and for what the plan leaves
// to MatchValue: invalid JSON or UTF-8, escaped or duplicate object keys, nesting deeper than
// 256, the structural rules values, eachKey, eachValue and arrayContains, rules on objects and
// arrays other than type, equality and notEmpty, and arrays longer than their example where
// rules name array indices.
//
// A plan selects the rules of every location of the expected value once (NewJSONPlan); it is
// safe for concurrent use and valid while the rules are not changed.
type JSONPlan struct {
	root   *planNode
	strict bool // unexpected keys are mismatches (Options.AllowUnexpectedKeys false)
}

// planNode is one location of the expected value with the rule list selected for it.
type planNode struct {
	expected any
	list     *RuleList // nil: no rule applies
	cascaded bool
	// unsupported: the location needs MatchValue (a structural rule or a rule on a container)
	unsupported bool
	// expectedKind is kindOf(expected), for type rules
	expectedKind string
	// objects: the expected keys and their locations
	keys     []string
	children []*planNode
	// arrays: the example elements at their index, whether a rule applies at each index
	// (missing elements are then accepted), and the location of further actual elements (nil
	// when it depends on the index)
	elems   []*planNode
	defined []bool
	extra   *planNode
}

// NewJSONPlan prepares the matching of documents against expected (the JSON data model) with the
// body rules (nil for none) and opts.
func NewJSONPlan(expected any, rules *Category, opts Options) *JSONPlan {
	var pathStore [16]string
	var nodeStore [32]*pathNode
	w := walker{rules: rules, opts: opts, path: pathStore[:0], buf: nodeStore[:0]}
	var f frame
	w.root(&f)
	return &JSONPlan{root: w.plan(&f, expected, 0), strict: !opts.AllowUnexpectedKeys}
}

// plan builds the node of the current location.
func (w *walker) plan(f *frame, expected any, depth int) *planNode {
	n := &planNode{expected: expected}
	if depth > maxBytesDepth {
		n.unsupported = true
		return n
	}
	l, cascaded, ok := w.best(f)
	if ok {
		n.list, n.cascaded = l, cascaded
	}
	switch e := expected.(type) {
	case map[string]any:
		if ok && !cascaded {
			for i := range l.Rules {
				switch l.Rules[i].Match {
				case "type", "equality", "ignore-order":
				default:
					n.unsupported = true
				}
			}
		}
		n.keys = sortedMapKeys(e)
		n.children = make([]*planNode, len(n.keys))
		for i, k := range n.keys {
			var cf frame
			w.enter(f, k, &cf)
			n.children[i] = w.plan(&cf, e[k], depth+1)
			w.leave(&cf)
		}
	case []any:
		if ok {
			for i := range l.Rules {
				r := &l.Rules[i]
				switch r.Match {
				case "type", "ignore-order", "notEmpty", "values", "eachKey":
				default:
					n.unsupported = true
				}
				if r.invalid != "" {
					n.unsupported = true
				}
			}
			if len(e) == 0 {
				return n // the elements are not compared
			}
		}
		n.elems = make([]*planNode, len(e))
		n.defined = make([]bool, len(e))
		for i := range e {
			var cf frame
			w.enter(f, itoa(i), &cf)
			n.elems[i] = w.plan(&cf, e[i], depth+1)
			_, _, n.defined[i] = w.best(&cf)
			w.leave(&cf)
		}
		if ok && len(e) > 0 {
			// an element beyond the example is compared with e[0]; its rules are those of
			// index 0 unless a rule names an index at this level
			named := false
			for _, a := range f.act {
				named = named || len(a.named) > 0
			}
			if !named {
				n.extra = n.elems[0]
			}
		}
	default:
		n.expectedKind = kindOf(expected)
	}
	return n
}

// Matches reports whether the document matches (see JSONPlan).
func (p *JSONPlan) Matches(actual []byte) bool {
	if !utf8.Valid(actual) {
		return false
	}
	b := bytesWalker{s: actual, strict: p.strict}
	if !b.value(p.root) {
		return false
	}
	b.ws()
	return b.i == len(b.s)
}

// maxBytesDepth bounds the nesting a plan follows; deeper documents go to MatchValue.
const maxBytesDepth = 256

// bytesWalker walks a JSON document's bytes along a plan. Every method returns false as soon as
// the document is not shown to match.
type bytesWalker struct {
	s      []byte
	i      int
	depth  int
	strict bool
}

// scalar is a JSON scalar of the document: kind 's' (string; start:end is its content between
// the quotes, esc whether it holds escapes), 'n' (number text), 't', 'f', 'z' (null).
type scalar struct {
	kind       byte
	start, end int
	esc        bool
}

func (b *bytesWalker) ws() {
	for b.i < len(b.s) && b.s[b.i] <= ' ' {
		switch b.s[b.i] {
		case ' ', '\t', '\n', '\r':
			b.i++
		default:
			return
		}
	}
}

// next reads the ',' before another member or element (more), or the closing bracket.
func (b *bytesWalker) next(close byte) (more, ok bool) {
	b.ws()
	switch b.peek() {
	case ',':
		b.i++
		return true, true
	case close:
		b.i++
		return false, true
	}
	return false, false
}

func (b *bytesWalker) peek() byte {
	if b.i < len(b.s) {
		return b.s[b.i]
	}
	return 0
}

// value walks the value at b.i against the location p.
func (b *bytesWalker) value(p *planNode) bool {
	if p.unsupported {
		return false
	}
	b.ws()
	c := b.peek()
	switch p.expected.(type) {
	case map[string]any:
		return c == '{' && b.object(p)
	case []any:
		return c == '[' && b.array(p)
	}
	if c == '{' || c == '[' {
		// a container where the contract has a scalar: a mismatch without rules; with rules
		// (notEmpty, include...) MatchValue decides
		return false
	}
	var sc scalar
	if !b.scalar(&sc) {
		return false
	}
	if p.list == nil {
		return b.equal(p.expected, &sc)
	}
	// RuleList.check with textual false: AND needs every rule, OR one
	failed := false
	for i := range p.list.Rules {
		if b.check(&p.list.Rules[i], p, &sc) {
			if p.list.Combine == "OR" {
				return true
			}
		} else {
			failed = true
		}
	}
	return !failed
}

// object walks an object: compareMap without valuesMode.
func (b *bytesWalker) object(p *planNode) bool {
	if b.depth++; b.depth > maxBytesDepth {
		return false
	}
	b.i++ // '{'
	var seen uint64
	var seenMore []uint64 // keys beyond the 64th
	if len(p.keys) > 64 {
		seenMore = make([]uint64, (len(p.keys)-64+63)/64)
	}
	found := 0
	b.ws()
	if b.peek() == '}' {
		b.i++
	} else {
		for {
			b.ws()
			if b.peek() != '"' {
				return false
			}
			var k scalar
			if !b.str(&k) || k.esc {
				return false
			}
			b.ws()
			if b.peek() != ':' {
				return false
			}
			b.i++
			if j := p.find(b.s[k.start:k.end]); j >= 0 {
				if j < 64 {
					if seen&(1<<j) != 0 {
						return false // duplicate key: MatchValue sees the last one
					}
					seen |= 1 << j
				} else {
					m := &seenMore[(j-64)/64]
					if *m&(1<<((j-64)%64)) != 0 {
						return false
					}
					*m |= 1 << ((j - 64) % 64)
				}
				found++
				if !b.value(p.children[j]) {
					return false
				}
			} else if b.strict || !b.skip() {
				return false
			}
			if more, ok := b.next('}'); !ok {
				return false
			} else if !more {
				break
			}
		}
	}
	b.depth--
	return found == len(p.keys)
}

// find returns the index of key among the (sorted) expected keys, or -1.
func (p *planNode) find(key []byte) int {
	if len(p.keys) <= 16 {
		for i, k := range p.keys {
			if k == string(key) {
				return i
			}
		}
		return -1
	}
	lo, hi := 0, len(p.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.keys[m] < string(key) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.keys) && p.keys[lo] == string(key) {
		return lo
	}
	return -1
}

// array walks an array: compareList without the structural rules.
func (b *bytesWalker) array(p *planNode) bool {
	if b.depth++; b.depth > maxBytesDepth {
		return false
	}
	b.i++ // '['
	n := 0
	b.ws()
	if b.peek() == ']' {
		b.i++
	} else {
		for {
			switch {
			case p.list != nil && len(p.elems) == 0:
				// rules on an empty example: the elements are not compared
				if !b.skip() {
					return false
				}
			case n < len(p.elems):
				if !b.value(p.elems[n]) {
					return false
				}
			case p.extra != nil:
				if !b.value(p.extra) {
					return false
				}
			default:
				return false // without rules the lengths must be equal
			}
			n++
			if more, ok := b.next(']'); !ok {
				return false
			} else if !more {
				break
			}
		}
	}
	b.depth--
	if p.list == nil {
		return n == len(p.elems)
	}
	failed, passed := false, false
	for i := range p.list.Rules {
		r := &p.list.Rules[i]
		pass := true
		switch r.Match {
		case "type", "ignore-order":
			pass = p.cascaded || (r.Min < 0 || n >= r.Min) && (r.Max < 0 || n <= r.Max)
		case "notEmpty":
			pass = n > 0
		}
		failed, passed = failed || !pass, passed || pass
	}
	if failed && !(p.list.Combine == "OR" && passed) {
		return false
	}
	for i := n; i < len(p.elems); i++ {
		if !p.defined[i] {
			return false
		}
	}
	return true
}

// check applies one rule to a scalar as Rule.Check does: the frequent rules directly on the
// bytes, the others on the materialised value.
func (b *bytesWalker) check(r *Rule, p *planNode, sc *scalar) bool {
	if r.invalid != "" {
		return false
	}
	switch r.Match {
	case "type", "ignore-order":
		if sc.kind == 'n' && !b.numberOK(sc) {
			break // kindOf names it json.Number: let Rule.Check say
		}
		return p.expectedKind == sc.kindName()
	case "regex":
		if r.re == nil {
			break
		}
		t, ok := b.text(sc)
		return ok && r.re.Match(t)
	case "include":
		t, ok := b.text(sc)
		return ok && bytes.Contains(t, []byte(r.Value))
	case "integer":
		return sc.kind == 'n' && !hasFraction(b.view(sc.start, sc.end))
	case "decimal":
		return sc.kind == 'n' && hasFraction(b.view(sc.start, sc.end)) && b.numberOK(sc)
	case "number":
		return sc.kind == 'n' && b.numberOK(sc)
	case "null":
		return sc.kind == 'z'
	case "notEmpty":
		return sc.kind != 'z' && (sc.kind != 's' || sc.end > sc.start)
	case "boolean":
		if sc.kind == 't' || sc.kind == 'f' {
			return true
		}
		if sc.kind != 's' {
			return false
		}
		t, ok := b.text(sc)
		return ok && (string(t) == "true" || string(t) == "false")
	}
	v, ok := b.materialise(sc)
	return ok && r.Check(p.expected, v, p.cascaded) == nil
}

// equal is Equal(expected, actual) for a scalar actual.
func (b *bytesWalker) equal(expected any, sc *scalar) bool {
	switch e := expected.(type) {
	case nil:
		return sc.kind == 'z'
	case bool:
		return e && sc.kind == 't' || !e && sc.kind == 'f'
	case string:
		if sc.kind != 's' {
			return false
		}
		t, ok := b.text(sc)
		return ok && string(t) == e
	}
	v, ok := b.materialise(sc)
	return ok && Equal(expected, v)
}

func (sc *scalar) kindName() string {
	switch sc.kind {
	case 's':
		return "string"
	case 'n':
		return "number"
	case 't', 'f':
		return "boolean"
	}
	return "null"
}

// numberOK reports whether asNumber accepts the number text (integers always; others when
// they parse as a float64, not out of range).
func (b *bytesWalker) numberOK(sc *scalar) bool {
	s := b.view(sc.start, sc.end)
	if !hasFraction(s) {
		return true
	}
	if len(s) < 300 && !hasExponent(s) {
		return true // only overflow fails, which takes an exponent or over 308 digits
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// view is s[start:end] as a string sharing the document's bytes: only for lookups and checks
// that do not keep it (the document is not modified during the walk).
func (b *bytesWalker) view(start, end int) string {
	if end <= start {
		return ""
	}
	return unsafe.String(&b.s[start], end-start)
}

// text is the text regex and include rules see (the function text): a string's value, the
// literal or number as written.
func (b *bytesWalker) text(sc *scalar) ([]byte, bool) {
	if sc.kind != 's' || !sc.esc {
		return b.s[sc.start:sc.end], true
	}
	var s string
	if err := json.Unmarshal(b.s[sc.start-1:sc.end+1], &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}

// materialise returns the scalar as decoding gives it: string, json.Number, bool or nil.
func (b *bytesWalker) materialise(sc *scalar) (any, bool) {
	switch sc.kind {
	case 's':
		if !sc.esc {
			return b.view(sc.start, sc.end), true
		}
		t, ok := b.text(sc)
		return string(t), ok
	case 'n':
		return json.Number(b.view(sc.start, sc.end)), true
	case 't':
		return true, true
	case 'f':
		return false, true
	}
	return nil, true
}

// scalar reads a string, number or literal at b.i.
func (b *bytesWalker) scalar(sc *scalar) bool {
	switch c := b.peek(); {
	case c == '"':
		return b.str(sc)
	case c == '-' || c >= '0' && c <= '9':
		sc.kind, sc.start = 'n', b.i
		if !b.number() {
			return false
		}
		sc.end = b.i
		return true
	case c == 't':
		return b.literal(sc, 't', "true")
	case c == 'f':
		return b.literal(sc, 'f', "false")
	case c == 'n':
		return b.literal(sc, 'z', "null")
	}
	return false
}

// literal reads true, false or null; start:end is the literal (the text regex rules see).
func (b *bytesWalker) literal(sc *scalar, kind byte, lit string) bool {
	if len(b.s)-b.i < len(lit) || string(b.s[b.i:b.i+len(lit)]) != lit {
		return false
	}
	sc.kind, sc.start, sc.end, sc.esc = kind, b.i, b.i+len(lit), false
	b.i += len(lit)
	return true
}

// str reads a string at b.i (its opening quote): no raw control character, only the escapes of
// RFC 8259. The document is valid UTF-8 (checked once).
func (b *bytesWalker) str(sc *scalar) bool {
	b.i++
	sc.kind, sc.start, sc.esc = 's', b.i, false
	for b.i < len(b.s) {
		c := b.s[b.i]
		switch {
		case c == '"':
			sc.end = b.i
			b.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			sc.esc = true
			if b.i+1 >= len(b.s) {
				return false
			}
			switch b.s[b.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				b.i += 2
			case 'u':
				if b.i+6 > len(b.s) {
					return false
				}
				for _, h := range b.s[b.i+2 : b.i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false
					}
				}
				b.i += 6
			default:
				return false
			}
		default:
			b.i++
		}
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at b.i.
func (b *bytesWalker) number() bool {
	if b.peek() == '-' {
		b.i++
	}
	switch c := b.peek(); {
	case c == '0':
		b.i++
	case c >= '1' && c <= '9':
		b.digits()
	default:
		return false
	}
	if b.peek() == '.' {
		b.i++
		if !b.digits() {
			return false
		}
	}
	if c := b.peek(); c == 'e' || c == 'E' {
		b.i++
		if c := b.peek(); c == '+' || c == '-' {
			b.i++
		}
		if !b.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (b *bytesWalker) digits() bool {
	start := b.i
	for b.i < len(b.s) && b.s[b.i] >= '0' && b.s[b.i] <= '9' {
		b.i++
	}
	return b.i > start
}

// skip reads and validates a value nobody compares (an unexpected key's).
func (b *bytesWalker) skip() bool {
	b.ws()
	var open byte
	switch b.peek() {
	case '{':
		open = '}'
	case '[':
		open = ']'
	default:
		var sc scalar
		return b.scalar(&sc)
	}
	if b.depth++; b.depth > maxBytesDepth {
		return false
	}
	b.i++
	b.ws()
	if b.peek() == open {
		b.i++
		b.depth--
		return true
	}
	for {
		if open == '}' {
			b.ws()
			var k scalar
			if b.peek() != '"' || !b.str(&k) {
				return false
			}
			b.ws()
			if b.peek() != ':' {
				return false
			}
			b.i++
		}
		if !b.skip() {
			return false
		}
		if more, ok := b.next(open); !ok {
			return false
		} else if !more {
			b.depth--
			return true
		}
	}
}

func hasExponent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			return true
		}
	}
	return false
}
