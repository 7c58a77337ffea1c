package avro

import (
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
)

// TestHugeNullArrayIsRefused: an array of nulls takes no bytes per item, so a count of 2^40 in a
// few bytes must be an error, not an allocation of billions of items.
func TestHugeNullArrayIsRefused(t *testing.T) {
	c := NewCodec(mustSchema(t, `{"type":"array","items":"null"}`))
	// block count 2^40 (zig-zag varint), then the end-of-array 0
	huge := []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00}
	if _, err := c.Decode(huge); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("decode: %v, want an items limit error", err)
	}
	ok := []byte{0x06, 0x00} // 3 nulls
	v, err := c.Decode(ok)
	if err != nil || len(v.([]any)) != 3 {
		t.Fatalf("3 nulls: %v %v", v, err)
	}
}

func mustSchema(t *testing.T, text string) avro.Schema {
	t.Helper()
	s, err := ParseSchema(text, &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
