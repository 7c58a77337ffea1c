package formats

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// TestFloat32Range: a float32 field accepts what rounds to a finite float32, as
// strconv.ParseFloat(s, 32) does, so FloatNumber's text of ±MaxFloat32 ("3.4028235e+38", a
// float64 just above MaxFloat32) reads back (formats/protobuf FuzzDecode found it refused); what
// overflows float32 is refused.
func TestFloat32Range(t *testing.T) {
	for _, tc := range []struct {
		in   any
		ok   bool
		want float32
	}{
		{FloatNumber(-math.MaxFloat32, 32), true, -math.MaxFloat32},
		{FloatNumber(math.MaxFloat32, 32), true, math.MaxFloat32},
		{json.Number("3.4028235e+38"), true, math.MaxFloat32},
		{json.Number("3.5e+38"), false, 0},
		{json.Number("-1e39"), false, 0},
		{"Infinity", true, float32(math.Inf(1))},
		{json.Number("1.5"), true, 1.5},
	} {
		f, ok := Float(tc.in, 32)
		if ok != tc.ok || ok && float32(f) != tc.want {
			t.Errorf("Float(%v, 32) = %v, %v; want %v, %v", tc.in, f, ok, tc.want, tc.ok)
		}
		if s, isNum := tc.in.(json.Number); isNum {
			_, err := strconv.ParseFloat(string(s), 32)
			if (err == nil) != tc.ok {
				t.Errorf("%s: Float ok %v, strconv.ParseFloat(s, 32) error %v", s, ok, err)
			}
		}
	}
}
