package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, tab\there", "plain text, tab\there"},
		{"get order\n::error title=x::owned", `get order\n::error title=x::owned`},
		{"a\r\n##vso[task.setvariable]x", `a\r\n##vso[task.setvariable]x`},
		{"\x1b[2J\x1b]0;title\x07", `\x1b[2J\x1b]0;title\x07`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"ls\u2028ps\u2029 rlo\u202e", `ls\u2028ps\u2029 rlo\u202e`},
		{"ünïcode ✓ \uFFFD ok", "ünïcode ✓ \uFFFD ok"},
		{"", ""},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Line("a\tb\nc"); got != `a b\nc` {
		t.Errorf("Line = %q", got)
	}
}

// FuzzString checks that no output holds a raw control character or a line break, whatever the
// input.
func FuzzString(f *testing.F) {
	f.Add("get order\n::error::x\x1b]8;;http://x\x07\x00")
	f.Add("\xc2\x9b\xe2\x80\xa8")
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if unsafe(r) {
				t.Fatalf("String(%q) = %q holds %U", s, got, r)
			}
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("line break in %q", got)
		}
	})
}
