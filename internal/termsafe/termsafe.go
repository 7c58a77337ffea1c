// Package termsafe makes untrusted text safe to print on a console or in a CI log: strings from
// pacts, providers, brokers and messages are shown with every control character escaped, so they
// can neither move the cursor or change the terminal (ESC, CSI, OSC, BEL...) nor start a line
// that a CI runner executes (GitHub Actions "::error::" and "::add-mask::", Azure "##vso[").
//
// Escaped: C0 controls but tab (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F), the
// Unicode line and paragraph separators (U+2028, U+2029), the bidirectional overrides and
// isolates (U+202A–U+202E, U+2066–U+2069, which reorder what is shown) and bytes that are not
// UTF-8. Line feed and carriage return read "\n" and "\r", other characters "\x1b" or "\u009b"
// (Go's escapes), invalid bytes "\xff". HTML reports do not use this: html/template escapes.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character escaped (see the package documentation); s is
// returned as is when it holds none.
func String(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Line is String with tabs also replaced by a space: for a value printed inside a line of a table
// or a tree, where a tab would shift the columns.
func Line(s string) string { return strings.ReplaceAll(String(s), "\t", " ") }

// clean reports whether s holds nothing to escape.
func clean(s string) bool {
	for i, r := range s {
		if unsafe(r) || r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return false
		}
	}
	return true
}

// unsafe reports whether r must be escaped.
func unsafe(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
