package protobuf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/internal/cputime"
	"github.com/commbench/commbench/internal/testenv"
)

// Benchmarks on the order sample: the codec beside the protobuf library doing the same job
// (*SameJob: value -> JSON text -> protojson -> proto.Marshal, and back) and beside the bare wire
// step on a prebuilt message (*WireOnly: proto.Marshal / proto.Unmarshal), the lower bound.

type benchSetup struct {
	c     *Codec
	value any
	text  []byte
	wire  []byte
	msg   *dynamicpb.Message
}

func setup(b *testing.B) benchSetup {
	b.Helper()
	files := compileShop(b)
	md, _ := FindMessage(files, "shop.v1.Order")
	c := NewCodec(md, files)
	text, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(b), "testdata", "samples", "order.json"))
	if err != nil {
		b.Fatal(err)
	}
	v, err := formats.ParseJSON(text)
	if err != nil {
		b.Fatal(err)
	}
	wire, err := c.Encode(v)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := c.Message(v)
	return benchSetup{c: c, value: v, text: text, wire: wire, msg: msg}
}

func BenchmarkEncode(b *testing.B) {
	s := setup(b)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := s.c.Encode(s.value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLibrarySameJob(b *testing.B) {
	s := setup(b)
	md := s.c.Descriptor()
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		text, err := json.Marshal(s.value)
		if err != nil {
			b.Fatal(err)
		}
		m := dynamicpb.NewMessage(md)
		if err := protojson.Unmarshal(text, m); err != nil {
			b.Fatal(err)
		}
		if _, err := proto.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLibraryWireOnly(b *testing.B) {
	s := setup(b)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := proto.Marshal(s.msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s := setup(b)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := s.c.Decode(s.wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLibrarySameJob(b *testing.B) {
	s := setup(b)
	md := s.c.Descriptor()
	opts := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		m := dynamicpb.NewMessage(md)
		if err := proto.Unmarshal(s.wire, m); err != nil {
			b.Fatal(err)
		}
		text, err := opts.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := formats.ParseJSON(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLibraryWireOnly(b *testing.B) {
	s := setup(b)
	md := s.c.Descriptor()
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if err := proto.Unmarshal(s.wire, dynamicpb.NewMessage(md)); err != nil {
			b.Fatal(err)
		}
	}
}
