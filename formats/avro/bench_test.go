package avro

import (
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/commbench/commbench/formats/internal/cputime"
)

// Benchmarks on the order sample: the codec beside hamba/avro's generic Marshal/Unmarshal of the
// same record as map[string]any in hamba's native Go types (time.Time, int, int64...).

func benchNative(b *testing.B, c *Codec, wire []byte) map[string]any {
	var native map[string]any
	if err := avro.Unmarshal(c.Schema(), wire, &native); err != nil {
		b.Fatal(err)
	}
	return native
}

func BenchmarkEncode(b *testing.B) {
	c := shopCodec(b, "order.avsc")
	v := sample(b, "order.json")
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := c.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLibrary(b *testing.B) {
	c := shopCodec(b, "order.avsc")
	wire, _ := c.Encode(sample(b, "order.json"))
	native := benchNative(b, c, wire)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := avro.Marshal(c.Schema(), native); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	c := shopCodec(b, "order.avsc")
	wire, _ := c.Encode(sample(b, "order.json"))
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := c.Decode(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLibrary(b *testing.B) {
	c := shopCodec(b, "order.avsc")
	wire, _ := c.Encode(sample(b, "order.json"))
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		var native map[string]any
		if err := avro.Unmarshal(c.Schema(), wire, &native); err != nil {
			b.Fatal(err)
		}
	}
}
