// Package jsonpath parses the Pact JSONPath subset used as keys of body matching rules and
// generators, and computes the path weighting of the Pact specification (V2 and V3 "Matcher
// selection algorithm"): `$` root, `.name`, `['name']`, `[n]`, `[*]` and `.*`.
//
// A path is matched against a concrete location given as segments, e.g. ["$", "items", "0", "qty"]
// for $.items[0].qty. Array indices are decimal segments.
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the kind of one path token.
type Kind uint8

// Token kinds.
const (
	Root      Kind = iota // $
	Field                 // .name or ['name']
	Index                 // [n]
	Star                  // .* or ['*']: any key or index
	StarIndex             // [*]: any array index
)

// Token is one element of a parsed path.
type Token struct {
	Kind  Kind
	Name  string // Field; for Index the decimal form of Index
	Index int    // Index
}

// Weight is the token's weight against one location segment: 2 for a matching name or index,
// 1 for a star, 0 otherwise. The root token is matched by Path.Weight.
func (t *Token) Weight(seg string) int {
	switch t.Kind {
	case Field, Index:
		if seg == t.Name && (t.Kind == Field || isIndex(seg)) {
			return 2
		}
	case StarIndex:
		if isIndex(seg) {
			return 1
		}
	case Star:
		return 1
	case Root:
		if seg == "$" {
			return 2
		}
	}
	return 0
}

// Path is a parsed Pact JSONPath expression.
type Path struct {
	Expr   string
	Tokens []Token
}

// Parse parses expr. An expression not starting with `$` is taken as a single field name
// relative to the root (V4 generators and some writers use bare names such as "a").
// Errors name the byte offset and what was expected.
func Parse(expr string) (Path, error) {
	p := Path{Expr: expr}
	if expr == "" {
		return p, fmt.Errorf("jsonpath: empty expression")
	}
	if expr[0] != '$' {
		p.Tokens = []Token{{Kind: Root}, fieldToken(expr)}
		return p, nil
	}
	p.Tokens = make([]Token, 1, 1+strings.Count(expr, ".")+strings.Count(expr, "["))
	p.Tokens[0] = Token{Kind: Root}
	i := 1
	for i < len(expr) {
		switch expr[i] {
		case '.':
			i++
			start := i
			for i < len(expr) && expr[i] != '.' && expr[i] != '[' {
				i++
			}
			if i == start {
				return p, fmt.Errorf("jsonpath %q: expected a name or * after '.' at offset %d", expr, start)
			}
			p.Tokens = append(p.Tokens, fieldToken(expr[start:i]))
		case '[':
			i++
			if i >= len(expr) {
				return p, fmt.Errorf("jsonpath %q: unterminated '[' at offset %d", expr, i-1)
			}
			switch c := expr[i]; {
			case c == '\'' || c == '"':
				name, n, ok := quotedName(expr[i:])
				if !ok {
					return p, fmt.Errorf("jsonpath %q: unterminated quoted name at offset %d", expr, i)
				}
				i += n
				if i >= len(expr) || expr[i] != ']' {
					return p, fmt.Errorf("jsonpath %q: expected ']' at offset %d", expr, i)
				}
				i++
				if name == "*" {
					p.Tokens = append(p.Tokens, Token{Kind: Star})
				} else {
					p.Tokens = append(p.Tokens, Token{Kind: Field, Name: name})
				}
			case c == '*':
				if i+1 >= len(expr) || expr[i+1] != ']' {
					return p, fmt.Errorf("jsonpath %q: expected ']' at offset %d", expr, i+1)
				}
				i += 2
				p.Tokens = append(p.Tokens, Token{Kind: StarIndex})
			case c >= '0' && c <= '9':
				start := i
				for i < len(expr) && expr[i] >= '0' && expr[i] <= '9' {
					i++
				}
				if i >= len(expr) || expr[i] != ']' {
					return p, fmt.Errorf("jsonpath %q: expected ']' after index at offset %d", expr, i)
				}
				n, err := strconv.Atoi(expr[start:i])
				if err != nil {
					return p, fmt.Errorf("jsonpath %q: index at offset %d: %w", expr, start, err)
				}
				i++
				p.Tokens = append(p.Tokens, Token{Kind: Index, Index: n, Name: strconv.Itoa(n)})
			default:
				return p, fmt.Errorf("jsonpath %q: expected a quoted name, an index or * at offset %d", expr, i)
			}
		default:
			return p, fmt.Errorf("jsonpath %q: expected '.' or '[' at offset %d", expr, i)
		}
	}
	return p, nil
}

// quotedName reads the quoted name at the start of s (s[0] is its quote, ' or "): the name, with
// \\ and a backslash before the quote read as the character they escape (as Format writes them),
// and the bytes it spans, closing quote included. ok is false when the quote is not closed.
//
// pact-reference's reader (pact_models path_exp.rs, string_path) ends a name at the first quote,
// so it cannot read back a key with ' that its own write_obj_key_for_path escapes as \'; this
// reader reads what both writers write.
func quotedName(s string) (name string, n int, ok bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == q:
			return b.String(), i + 1, true
		case c == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

func fieldToken(name string) Token {
	if name == "*" {
		return Token{Kind: Star}
	}
	return Token{Kind: Field, Name: name}
}

// MustParse is Parse for expressions known to be valid; it panics on an error.
func MustParse(expr string) Path {
	p, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return p
}

// Len is the number of tokens including the root.
func (p Path) Len() int { return len(p.Tokens) }

// Weight is the product of the token weights against the location segments (root 2, matching
// name or index 2, star 1, anything else 0). Rules cascade: a path shorter than the location
// weighs over its prefix; a path longer than the location weighs 0.
func (p Path) Weight(segments []string) int {
	if len(p.Tokens) > len(segments) {
		return 0
	}
	w := 1
	for i := range p.Tokens {
		tw := p.Tokens[i].Weight(segments[i])
		if tw == 0 {
			return 0
		}
		w *= tw
	}
	return w
}

// IsIndex reports whether a location segment is an array index (decimal digits only), the test
// the `[n]` and `[*]` tokens apply.
func IsIndex(s string) bool { return isIndex(s) }

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Format renders location segments as a JSONPath, e.g. ["$","a","0","b c"] -> $.a[0]['b c'].
func Format(segments []string) string {
	var b strings.Builder
	for i, s := range segments {
		switch {
		case i == 0:
			b.WriteString(s)
		case isIndex(s):
			b.WriteByte('[')
			b.WriteString(s)
			b.WriteByte(']')
		case isPlain(s):
			b.WriteByte('.')
			b.WriteString(s)
		default:
			b.WriteString("['")
			b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s))
			b.WriteString("']")
		}
	}
	return b.String()
}

// isPlain reports whether a key is written with a dot: an identifier ^[_A-Za-z][_A-Za-z0-9]*$,
// as pact-reference's DocPath does (pact_models path_exp.rs, write_obj_key_for_path); any other
// key ("a-b", "@id", "#text", "1a") is written in brackets, ['a-b'], with \ and ' escaped.
func isPlain(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
