package jsonpath

import (
	"slices"
	"strings"
	"testing"
)

// The weighting table of the Pact V3 specification ("Matcher selection algorithm").
func TestWeightSpecTable(t *testing.T) {
	loc := []string{"$", "item1", "level", "1", "id"}
	tests := []struct {
		expr string
		want int
	}{
		{"$", 2},
		{"$.item1", 4},
		{"$.item2", 0},
		{"$.item1.level", 8},
		{"$.item1.level[1]", 16},
		{"$.item1.level[1].id", 32},
		{"$.item1.level[1].name", 0},
		{"$.item1.level[2]", 0},
		{"$.item1.level[2].id", 0},
		{"$.item1.level[*].id", 16},
		{"$.*.level[*].id", 8}, // the spec table says 16, but its own product 2·1·2·1·2 is 8
		{"$['item1']['level'][1]['id']", 32},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Weight(loc); got != tt.want {
				t.Errorf("Weight(%q) = %d, want %d", tt.expr, got, tt.want)
			}
		})
	}
}

func TestParseTokens(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []Token
	}{
		{"bracket with dot", "$['x.y'][*]", []Token{{Kind: Root}, {Kind: Field, Name: "x.y"}, {Kind: StarIndex}}},
		{"attribute", "$.a['@name']", []Token{{Kind: Root}, {Kind: Field, Name: "a"}, {Kind: Field, Name: "@name"}}},
		{"star", "$.*[2]", []Token{{Kind: Root}, {Kind: Star}, {Kind: Index, Index: 2, Name: "2"}}},
		{"bare name", "a", []Token{{Kind: Root}, {Kind: Field, Name: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Tokens) != len(tt.want) {
				t.Fatalf("tokens %v, want %v", p.Tokens, tt.want)
			}
			for i := range tt.want {
				if p.Tokens[i] != tt.want[i] {
					t.Errorf("token %d = %v, want %v", i, p.Tokens[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{"", "$.", "$[", "$['a", "$['a'x", "$[1", "$[x]", "$x", "$[*"} {
		t.Run(expr, func(t *testing.T) {
			_, err := Parse(expr)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", expr)
			}
			if expr != "" && !strings.Contains(err.Error(), "offset") {
				t.Errorf("error %q does not give the offset", err)
			}
		})
	}
}

// TestFormat: keys that are not identifiers are written in brackets, as pact-reference's DocPath
// writes them (issue 14: keys holding -, @ or # were written with a dot).
func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		segs []string
		want string
	}{
		{[]string{"$", "a", "0", "b c", "@id"}, "$.a[0]['b c']['@id']"},
		{[]string{"$", "a-b", "x_1", "#text"}, "$['a-b'].x_1['#text']"},
		{[]string{"$", "1a", "it's", `back\slash`}, `$['1a']['it\'s']['back\\slash']`},
		{[]string{"$", "100"}, "$[100]"},
	} {
		if got := Format(tt.segs); got != tt.want {
			t.Errorf("Format(%q) = %s, want %s", tt.segs, got, tt.want)
		}
	}
}

// TestFormatParses: what Format writes, Parse reads back to the same segments, whatever the
// keys hold (quotes and backslashes are escaped by Format and read by Parse).
func TestFormatParses(t *testing.T) {
	for _, segs := range [][]string{
		{"$", "it's", `back\slash`, `a\'b`, `"q"`, "'", `\`, "b c"},
		{"$", "$", "'"}, // FuzzParse's pact: a rule keyed "$.$.'" written as $['$']['\'']
	} {
		expr := Format(segs)
		p, err := Parse(expr)
		if err != nil {
			t.Fatalf("Parse(Format(%q) = %s): %v", segs, expr, err)
		}
		var got []string
		for _, tok := range p.Tokens[1:] {
			got = append(got, tok.Name)
		}
		if !slices.Equal(got, segs[1:]) {
			t.Errorf("Parse(%s) = %q, want %q", expr, got, segs[1:])
		}
	}
}

// FuzzFormatParses: Parse reads back every path Format writes.
func FuzzFormatParses(f *testing.F) {
	f.Add("it's", `a\b`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if a == "" || b == "" || a == "*" || b == "*" || isIndex(a) || isIndex(b) {
			return // empty names, stars and indexes are not field keys Format can write
		}
		expr := Format([]string{"$", a, b})
		p, err := Parse(expr)
		if err != nil {
			t.Fatalf("Parse(%s): %v", expr, err)
		}
		if len(p.Tokens) != 3 || p.Tokens[1].Name != a || p.Tokens[2].Name != b {
			t.Fatalf("Parse(%s) = %+v, want %q, %q", expr, p.Tokens, a, b)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"$", "$.a.b[0]", "$['x.y'][*].*", "a", "$[", "$['", "$.*[99999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := Parse(expr)
		if err != nil {
			return
		}
		if len(p.Tokens) == 0 || p.Tokens[0].Kind != Root {
			t.Fatalf("parsed %q without a root token", expr)
		}
		_ = p.Weight([]string{"$", "a", "0"})
	})
}
