package confluent

import "testing"

// FuzzSplit feeds arbitrary bytes to the wire-format header reader: errors, no panic, and the
// payload returned is a suffix of the input.
func FuzzSplit(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 21, 0, 0x0a, 0x01, 'x'}, true)
	f.Add([]byte{0, 0, 0, 0, 14, 0x06, 'E', 'U', 'R'}, false)
	f.Add([]byte{0, 0, 0, 0, 21, 0x04, 0x02, 0x04}, true)
	f.Fuzz(func(t *testing.T, b []byte, withIndex bool) {
		_, _, payload, err := Split(b, withIndex)
		if err != nil {
			return
		}
		if len(payload) > len(b)-5 || string(b[len(b)-len(payload):]) != string(payload) {
			t.Fatalf("payload % x is not the tail of % x", payload, b)
		}
	})
}
