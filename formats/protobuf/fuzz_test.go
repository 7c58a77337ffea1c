package protobuf

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/internal/testenv"
)

// FuzzDecode feeds arbitrary bytes to the Order and AllTypes codecs: no panic, and what decodes
// encodes again to bytes that decode to the same value.
func FuzzDecode(f *testing.F) {
	shop := compileShop(f)
	types := compileTypes(f)
	order, _ := FindMessage(shop, "shop.v1.Order")
	all, _ := FindMessage(types, "typestest.v1.AllTypes")
	codecs := []*Codec{NewCodec(order, shop), NewCodec(all, types)}
	raw, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(f), "testdata", "samples", "order.json"))
	if err != nil {
		f.Fatal(err)
	}
	v, _ := formats.ParseJSON(raw)
	seed, err := codecs[0].Encode(v)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), seed)
	f.Add(uint8(1), []byte{0x0a, 0x02, 'h', 'i', 0x28, 0x01})
	f.Add(uint8(1), []byte{0x82, 0x02, 0x00})
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
		if err != nil {
			t.Fatalf("re-encoded bytes do not decode: %v", err)
		}
		a1, _ := proto.Marshal(mustMessage(t, c, v))
		a2, _ := proto.Marshal(mustMessage(t, c, v2))
		if !proto.Equal(mustMessage(t, c, v), mustMessage(t, c, v2)) {
			t.Fatalf("value changed through a re-encode:\n% x\n% x", a1, a2)
		}
	})
}

func mustMessage(t *testing.T, c *Codec, v any) proto.Message {
	t.Helper()
	m, err := c.Message(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzLoadDescriptorSet feeds arbitrary bytes to the FileDescriptorSet loader: errors, no panic.
func FuzzLoadDescriptorSet(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(f), "testdata", "schemas", "shop.protoset"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	fd, _ := compileTypes(f).FindFileByPath("types.proto")
	one, _ := proto.Marshal(protodesc.ToFileDescriptorProto(fd))
	f.Add(append([]byte{0x0a, byte(len(one) & 0x7f), byte(len(one) >> 7)}, one...))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, err := LoadDescriptorSet(b)
		if err == nil {
			_ = Messages(files)
		}
	})
}

// FuzzCompile feeds arbitrary .proto source to the compiler: errors, no panic.
func FuzzCompile(f *testing.F) {
	src, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(f), "testdata", "schemas", "shop.proto"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(src))
	f.Add("syntax = \"proto3\";\nmessage A { oneof x { string s = 1; } map<int32, A> m = 2; }")
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = CompileSources(context.Background(), map[string]string{"f.proto": src}, []string{"f.proto"})
	})
}
