package avro

import (
	"reflect"
	"testing"

	"github.com/commbench/commbench/formats"
)

// FuzzDecode feeds arbitrary bytes to the Order and Types codecs: no panic, and what decodes
// encodes again to bytes that decode to the same value.
func FuzzDecode(f *testing.F) {
	types, err := LoadSchema("testdata/types.avsc")
	if err != nil {
		f.Fatal(err)
	}
	codecs := []*Codec{shopCodec(f, "order.avsc"), NewCodec(types)}
	seed, err := codecs[0].Encode(sample(f, "order.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), seed)
	f.Add(uint8(0), seed[:len(seed)/2])
	f.Add(uint8(1), []byte{0x02, 0x04, 0x06})
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		c := codecs[int(which)%len(codecs)]
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		again, err := c.Encode(v)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v\nvalue %v", err, v)
		}
		v2, err := c.Decode(again)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("value changed through a re-encode: %v\n%v\n%v", err, v, v2)
		}
	})
}

// FuzzParseSchema feeds arbitrary schema text to the parser: errors, no panic.
func FuzzParseSchema(f *testing.F) {
	f.Add(`{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":null}]}`)
	f.Add(`{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":8,"scale":2}`)
	f.Add(`["null", {"type":"array","items":"long"}]`)
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := formats.ParseJSON([]byte(text)); err != nil {
			return
		}
		s, err := ParseSchema(text, nil)
		if err != nil {
			return
		}
		_, _ = NewCodec(s).Decode([]byte{0x02, 0x02, 0x00})
	})
}
