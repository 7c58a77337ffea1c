package avro

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
)

// writeOCF writes values (value model) as an Object Container File with hamba's ocf encoder:
// each value goes through hamba's own Go model (avro.Unmarshal of our datum), so the file's
// bytes are hamba's. Two values per block, so files have several blocks.
func writeOCF(t testing.TB, c *Codec, codec ocf.CodecName, values ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := ocf.NewEncoderWithSchema(c.Schema(), &buf, ocf.WithCodec(codec), ocf.WithBlockLength(2),
		ocf.WithSchemaMarshaler(ocf.FullSchemaMarshaler), ocf.WithEncoderSchemaCache(&avro.SchemaCache{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		datum, err := c.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		var native any
		if err := avro.Unmarshal(c.Schema(), datum, &native); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(native); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadOCFShopSamples(t *testing.T) {
	order, large, placed := sample(t, "order.json"), sample(t, "order-large-amount.json"), sample(t, "order-placed.json")
	tests := []struct {
		name   string
		schema string
		codec  ocf.CodecName
		values []any
	}{
		{"orders null codec", "order.avsc", ocf.Null, []any{order, large, order}},
		{"orders deflate", "order.avsc", ocf.Deflate, []any{order, large, order, large}},
		{"orders snappy", "order.avsc", ocf.Snappy, []any{large, order, large}},
		{"orders zstandard", "order.avsc", ocf.ZStandard, []any{order}},
		{"events", "order_placed.avsc", ocf.Deflate, []any{placed, placed, placed}},
		{"no values", "order.avsc", ocf.Null, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := shopCodec(t, tt.schema)
			file := writeOCF(t, c, tt.codec, tt.values...)
			got, schema, err := ReadOCF(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if schemaName(schema) != schemaName(c.Schema()) || schema.Fingerprint() != c.Schema().Fingerprint() {
				t.Fatalf("schema from the header is %s, want %s", schema, c.Schema())
			}
			if len(got) != len(tt.values) {
				t.Fatalf("%d values, want %d", len(got), len(tt.values))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.values[i]) {
					t.Fatalf("value %d differs:\n got: %v\nwant: %v", i, got[i], tt.values[i])
				}
			}
		})
	}
}

// TestWriteOCF reads back what WriteOCF wrote, and names a value that does not fit.
func TestWriteOCF(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	values := []any{sample(t, "order.json"), sample(t, "order-large-amount.json"), sample(t, "order.json")}
	var buf bytes.Buffer
	if err := WriteOCF(&buf, c, values, ocf.WithCodec(ocf.Snappy), ocf.WithBlockLength(2)); err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadOCF(&buf)
	if err != nil || !reflect.DeepEqual(got, values) {
		t.Fatalf("read back %v (%v)", got, err)
	}
	bad := map[string]any{"id": 7}
	err = WriteOCF(io.Discard, c, []any{values[0], bad})
	if err == nil || !strings.Contains(err.Error(), "value 1: id: want string") {
		t.Fatalf("err = %v, want value 1: id: want string", err)
	}
}

func TestOCFReaderMetadataAndEOF(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	file := writeOCF(t, c, ocf.Snappy, sample(t, "order.json"))
	o, err := NewOCFReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if string(o.Metadata()["avro.codec"]) != "snappy" {
		t.Fatalf("avro.codec = %q", o.Metadata()["avro.codec"])
	}
	if _, err := o.Next(); err != nil {
		t.Fatal(err)
	}
	for range 2 { // io.EOF is sticky
		if _, err := o.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last value: %v, want io.EOF", err)
		}
	}
}

func TestReadOCFBadInput(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	order := sample(t, "order.json")
	good := writeOCF(t, c, ocf.Null, order, order, order)
	header, _ := NewOCFReader(bytes.NewReader(good))
	hdrLen := bytes.Index(good, header.sync[:]) + 16
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not an Avro container file"},
		{"not an OCF", []byte("{\"id\": 1}\n"), "not an Avro container file"},
		{"wrong version", edit(func(b []byte) []byte { b[3] = 2; return b }), "not an Avro container file"},
		{"header cut", good[:hdrLen-5], "OCF header: truncated"},
		{"block cut", good[:hdrLen+40], "OCF block 1: truncated"},
		{"sync cut", good[:len(good)-3], "OCF block 2: truncated"},
		{"sync differs", edit(func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }), "OCF block 2: sync marker differs"},
		{"value garbage", edit(func(b []byte) []byte {
			// the first datum starts with the order id's length: make it longer than the block
			b[hdrLen+2] = 0x7e
			return b
		}), "OCF block 1"},
		{"unknown codec", bytes.Replace(good, []byte("\x08null"), []byte("\x08lzma"), 1), `unknown codec "lzma"`},
		{"bad schema", bytes.Replace(good, []byte(`"type":"record"`), []byte(`"type":"recurd"`), 1), "avro.schema"},
		{"no schema", bytes.Replace(good, []byte("avro.schema"), []byte("avro.schemb"), 1), "no avro.schema"},
		{"garbage", bytes.Repeat([]byte{0xff}, 64), "not an Avro container file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, _, err := ReadOCF(bytes.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (%d values), want it to contain %q", err, len(vals), tt.want)
			}
		})
	}
}

// TestReadOCFEveryPrefix cuts a valid file at every length: an error or, cut at a block
// boundary, the values before the cut; never a panic.
func TestReadOCFEveryPrefix(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	order, large := sample(t, "order.json"), sample(t, "order-large-amount.json")
	all := []any{order, large, order}
	for _, codec := range []ocf.CodecName{ocf.Null, ocf.Deflate} {
		file := writeOCF(t, c, codec, all...)
		whole := 0
		for n := range len(file) {
			vals, _, err := ReadOCF(bytes.NewReader(file[:n]))
			if err != nil {
				continue
			}
			if len(vals) >= len(all) || !reflect.DeepEqual(vals, all[:len(vals)]) && len(vals) > 0 {
				t.Fatalf("%s cut at %d: %d values, want a prefix of the %d", codec, n, len(vals), len(all))
			}
			whole++
		}
		if whole != 2 { // after the header (no values) and after block 1 (two values)
			t.Fatalf("%s: %d cuts read without error, want 2", codec, whole)
		}
	}
}
