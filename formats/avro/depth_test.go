package avro

import (
	"strings"
	"testing"
)

// TestDepthLimitSharedByEncodeAndDecode: what Encode accepts, Decode reads back; nesting past
// MaxDepth is refused by Encode with the path, not written for Decode to refuse.
func TestDepthLimitSharedByEncodeAndDecode(t *testing.T) {
	s, err := ParseSchema(`{"type":"record","name":"Node","fields":[
		{"name":"v","type":"int"},
		{"name":"next","type":["null","Node"]},
		{"name":"tags","type":{"type":"array","items":"string"}}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCodec(s)
	chain := func(n int) any {
		var v any
		for i := range n {
			v = map[string]any{"v": i, "next": v, "tags": []any{"x"}}
		}
		return v
	}
	encodable := 0
	for n := MaxDepth - 5; n <= MaxDepth+5; n++ {
		b, err := c.Encode(chain(n))
		if err != nil {
			if !strings.Contains(err.Error(), "nested deeper than 256") {
				t.Fatalf("depth %d: encode error %v, want the depth limit", n, err)
			}
			continue
		}
		encodable = n
		if _, err := c.Decode(b); err != nil {
			t.Fatalf("depth %d: encoded, but decode says %v", n, err)
		}
	}
	if encodable < MaxDepth-5 || encodable == MaxDepth+5 {
		t.Fatalf("deepest encodable chain %d: the limit is not where it should be", encodable)
	}
	if _, err := c.Encode(chain(9000)); err == nil {
		t.Fatal("a chain 9000 deep encoded")
	}
}
