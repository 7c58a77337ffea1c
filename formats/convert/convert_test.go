package convert

import (
	"bytes"
	"context"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func shopSchema() Schema {
	return Schema{
		Proto: schemaFile("shop.proto"), Message: "shop.v1.Order",
		Avsc:       schemaFile("order.avsc"),
		SchemaDeps: []string{schemaFile("money.avsc"), schemaFile("address.avsc"), schemaFile("order_item.avsc"), "extra.proto"},
	}
}

func TestSchemaOptions(t *testing.T) {
	for _, tc := range []struct {
		s      Schema
		format string
		want   string
	}{
		{Schema{}, "", "json"},
		{Schema{Proto: "a.proto"}, "", "protobuf"},
		{Schema{Avsc: "a.avsc"}, "", "avro"},
		{Schema{Schema: "a.avsc"}, "", "avro"},
		{Schema{Schema: "a.protoset"}, "", "protobuf"},
		{Schema{Format: "json", Proto: "a.proto"}, "", "json"},
		{Schema{Proto: "a.proto"}, "avro", "avro"},
	} {
		if got, _ := tc.s.Options(tc.format); got != tc.want {
			t.Errorf("%+v.Options(%q) = %q, want %q", tc.s, tc.format, got, tc.want)
		}
	}
	s := shopSchema()
	name, opts := s.Options("avro")
	if name != "avro" || opts.Schema != s.Avsc || len(opts.SchemaFiles) != 3 {
		t.Errorf("avro: %s %+v", name, opts)
	}
	name, opts = s.Options("protobuf")
	if name != "protobuf" || opts.Schema != s.Proto || !slices.Equal(opts.SchemaFiles, []string{"extra.proto"}) || opts.Message != "shop.v1.Order" {
		t.Errorf("protobuf: %s %+v", name, opts)
	}
	if !s.Local() || (Schema{Message: "m"}).Local() {
		t.Error("Local")
	}
	if got := s.Formats(); !slices.Equal(got, []string{"json", "protobuf", "avro"}) {
		t.Errorf("Formats %v", got)
	}
	if _, err := (Schema{Format: "yaml"}).Codec(""); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestCompare(t *testing.T) {
	s := shopSchema()
	s.SchemaDeps = s.SchemaDeps[:3]
	rows, err := Compare(s, orderValue(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		if !r.RoundTrip || r.SizeBytes <= 0 || r.EncodeNsOp <= 0 || r.DecodeNsOp <= 0 || r.ContentType == "" {
			t.Errorf("row %+v", r)
		}
	}
	if !(rows[2].SizeBytes < rows[1].SizeBytes && rows[1].SizeBytes < rows[0].SizeBytes) {
		t.Errorf("sizes %+v: want avro < protobuf < json", rows)
	}
	var buf bytes.Buffer
	if err := WriteCostTable(&buf, rows); err != nil || !strings.Contains(buf.String(), "encode ns/op") || strings.Count(buf.String(), "equal") != 3 {
		t.Errorf("table %v\n%s", err, buf.String())
	}
	if _, err := Compare(s, map[string]any{"id": []any{}}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("value not fitting the schema: %v", err)
	}
}

func TestConfluentLocal(t *testing.T) {
	s := Schema{Avsc: schemaFile("order.avsc"), SchemaDeps: []string{schemaFile("money.avsc"), schemaFile("address.avsc"), schemaFile("order_item.avsc")}}
	v := orderValue(t)
	enc, err := Confluent{SchemaID: 7}.Encoder(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != 0 || b[4] != 7 {
		t.Fatalf("header % x", b[:5])
	}
	back, err := Confluent{On: true, SchemaID: -1}.Decode(context.Background(), s, "order.kafka", b)
	if err != nil || !reflect.DeepEqual(back, v) {
		t.Fatalf("decode: %v\n%v", err, back)
	}
	if _, err := (Confluent{SchemaID: 8}).Decode(context.Background(), s, "order.kafka", b); err == nil || !strings.Contains(err.Error(), "schema id 7 in the header, want 8") {
		t.Errorf("id mismatch: %v", err)
	}
	// the bare codec fails on framed input and hints at the wire format
	if _, err := Decode(context.Background(), s, Confluent{SchemaID: -1}, "", b); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "stdin: ") || !strings.Contains(err.Error(), "try --confluent") {
		t.Errorf("bare decode of framed input: %v", err)
	}
	if _, err := (Confluent{On: true, SchemaID: -1}).Encoder(context.Background(), s); !errors.Is(err, ErrInvalid) {
		t.Errorf("no id: %v", err)
	}
	if _, err := (Confluent{SchemaID: 1, Subject: "x"}).Encoder(context.Background(), s); !errors.Is(err, ErrInvalid) {
		t.Errorf("subject without registry: %v", err)
	}
	json, _ := Schema{}.Codec("")
	if _, err := Frame(json, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("frame json: %v", err)
	}
}

func TestRegistryError(t *testing.T) {
	if err := RegistryError(&net.OpError{Op: "dial", Err: errors.New("refused")}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("net error: %v", err)
	}
	if err := RegistryError(errors.New("subject not found")); !errors.Is(err, ErrInvalid) {
		t.Errorf("other error: %v", err)
	}
}

func TestOCFLines(t *testing.T) {
	if _, err := OpenOCF(strings.NewReader("not a container"), "x.avro"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "x.avro") {
		t.Errorf("garbage: %v", err)
	}
	var buf bytes.Buffer
	if err := NewJSONLines(&buf, false).Encode(map[string]any{"a": "<b>"}); err != nil || buf.String() != "{\"a\":\"<b>\"}\n" {
		t.Errorf("json lines %q %v", buf.String(), err)
	}
}
