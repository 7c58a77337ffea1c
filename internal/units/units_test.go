package units

import (
	"strings"
	"testing"
)

func TestNoExponents(t *testing.T) {
	tests := []struct{ got, want string }{
		{MS(10200), "10200 ms"}, {MS(1.02e7), "10200000 ms"}, {MS(0.412), "0.412 ms"}, {MS(8.5), "8.50 ms"}, {MS(31.24), "31.2 ms"}, {MS(0), "0 ms"},
		{Rate(5001.2), "5001/s"}, {Rate(99.54), "99.5/s"}, {Rate(2e9), "2000000000/s"},
		{Number(10200), "10200"}, {Number(0.0042), "0.0042"}, {Number(1.5e12), "1500000000000"}, {Number(3), "3"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
		if strings.ContainsAny(tt.got, "eE") {
			t.Errorf("%q has an exponent", tt.got)
		}
	}
}
