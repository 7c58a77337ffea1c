package avro

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/hamba/avro/v2/ocf"

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

// FuzzReadOCF feeds arbitrary bytes to the container file reader: errors, no panic, and every
// value read (before an error, if any) encodes with the header's schema and decodes to the same value.
func FuzzReadOCF(f *testing.F) {
	c := shopCodec(f, "order.avsc")
	order := sample(f, "order.json")
	for _, codec := range []ocf.CodecName{ocf.Null, ocf.Deflate, ocf.Snappy, ocf.ZStandard} {
		file := writeOCF(f, c, codec, order, order, order)
		f.Add(file)
		f.Add(file[:len(file)*2/3])
	}
	f.Add([]byte("Obj\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := NewOCFReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer o.Close()
		o.limit = 1 << 14 // a 16 MiB block of zeros is millions of values: too slow for fuzzing
		var vals []any
		for {
			v, err := o.Next()
			if err != nil {
				break
			}
			vals = append(vals, v)
		}
		codec := NewCodec(o.Schema())
		for i, v := range vals {
			datum, err := codec.Encode(v)
			if err != nil {
				t.Fatalf("value %d does not encode: %v\nvalue %v", i, err, v)
			}
			back, err := codec.Decode(datum)
			if err != nil || !reflect.DeepEqual(v, back) {
				t.Fatalf("value %d changed through a re-encode: %v\n%v\n%v", i, err, v, back)
			}
		}
	})
}
