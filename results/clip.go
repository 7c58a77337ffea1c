package results

import (
	"strconv"
	"unicode/utf8"
)

// MaxMismatchValueBytes bounds each of a Mismatch's Expected, Actual and Message in a results
// file: 64 KiB. Longer values (a whole body that differs) are cut by Bounded, with the full size
// said, so results and reports stay small whatever the payloads.
const MaxMismatchValueBytes = 64 << 10

// Cut returns s when it holds at most max bytes, else its first bytes up to max (on a rune
// boundary) followed by "… (N bytes in all)". Every report and the results file cut long values
// with it.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "… (" + strconv.Itoa(len(s)) + " bytes in all)"
}

// Bounded returns m with Expected, Actual and Message cut to MaxMismatchValueBytes (Cut).
func (m Mismatch) Bounded() Mismatch {
	m.Expected = Cut(m.Expected, MaxMismatchValueBytes)
	m.Actual = Cut(m.Actual, MaxMismatchValueBytes)
	m.Message = Cut(m.Message, MaxMismatchValueBytes)
	return m
}
