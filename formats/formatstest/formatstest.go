// Package formatstest holds test helpers shared by the codec packages of formats.
package formatstest

import (
	"reflect"
	"testing"

	"github.com/commbench/commbench/formats"
)

// RoundTrip encodes in with c, decodes the bytes, fails t unless the result equals in
// (reflect.DeepEqual on the JSON data model), and returns the encoded bytes.
func RoundTrip(t testing.TB, c formats.Codec, in any) []byte {
	t.Helper()
	b, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("%s round trip differs:\n in: %v\nout: %v", c.Name(), in, out)
	}
	return b
}
