package avro

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestOCFReaderStreams shows that values come out as blocks are read: the first value is
// returned after reading a small part of a large file.
func TestOCFReaderStreams(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	order := sample(t, "order.json")
	values := make([]any, 2000)
	for i := range values {
		values[i] = order
	}
	file := writeOCF(t, c, ocf.Deflate, values...)
	cr := &countingReader{r: bytes.NewReader(file)}
	o, err := NewOCFReader(cr)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Next(); err != nil {
		t.Fatal(err)
	}
	if cr.n >= len(file)/2 {
		t.Fatalf("the first value needed %d of the file's %d bytes: the reader does not stream", cr.n, len(file))
	}
	n := 1
	for {
		_, err := o.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(values) {
		t.Fatalf("read %d values, want %d", n, len(values))
	}
}

// inflatingOCF writes an OCF of strings of 1 KiB: blocks of perBlock values compressed with
// deflate, each inflating to perBlock KiB from a few hundred bytes.
func inflatingOCF(t testing.TB, blocks, perBlock int) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := ocf.NewEncoder(`"string"`, &buf, ocf.WithCodec(ocf.Deflate), ocf.WithBlockLength(perBlock),
		ocf.WithEncoderSchemaCache(&avro.SchemaCache{}))
	if err != nil {
		t.Fatal(err)
	}
	kib := strings.Repeat("a", 1024)
	for range blocks * perBlock {
		if err := enc.Encode(kib); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOCFInflatedBlockLimit: a block that inflates past the limit is an error naming the block,
// and the values of the blocks before it are returned first.
func TestOCFInflatedBlockLimit(t *testing.T) {
	file := append(inflatingOCF(t, 1, 32), 0) // 32 KiB block, then garbage
	big := inflatingOCF(t, 1, 80)             // 80 KiB block
	o, err := NewOCFReader(bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	o.limit = 64 << 10
	if _, err := o.Next(); err == nil || !strings.Contains(err.Error(), "OCF block 1: deflate: decompressed block larger than 65536 bytes") {
		t.Fatalf("err = %v, want the inflated size limit", err)
	}
	o, err = NewOCFReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	o.limit = 64 << 10
	for i := range 32 {
		if v, err := o.Next(); err != nil || v != strings.Repeat("a", 1024) {
			t.Fatalf("value %d: %v, %.10v", i, err, v)
		}
	}
}
