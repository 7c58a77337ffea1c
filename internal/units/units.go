// Package units formats the figures commbench prints: plain decimals with their unit, never an
// exponent (10200 ms, not 1.02e+04), with the precision that suits the magnitude.
package units

import (
	"math"
	"strconv"
)

// MS formats milliseconds: 0.412 ms, 8.50 ms, 31.2 ms, 10200 ms.
func MS(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0 ms"
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "– ms"
	case a < 1:
		return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
	case a < 10:
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	case a < 100:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}

// Rate formats a per-second rate: 99.5/s, 1234/s.
func Rate(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–/s"
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64) + "/s"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
}

// Number formats a plain number without an exponent, with at most 4 decimals: 10200, 0.0042.
func Number(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', 4, 64)
	for len(s) > 1 && s[len(s)-1] == '0' && containsDot(s) {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func containsDot(s string) bool {
	for i := range len(s) {
		if s[i] == '.' {
			return true
		}
	}
	return false
}
