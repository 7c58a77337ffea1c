package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/internal/testenv"
)

func runCLIInput(t *testing.T, stdin []byte, args ...string) (int, []byte, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, nil, bytes.NewReader(stdin), &out, &errb)
	return code, out.Bytes(), errb.String()
}

func shopFile(t *testing.T, elem ...string) string {
	return filepath.Join(append([]string{testenv.ModuleRoot(t), "testdata"}, elem...)...)
}

func avroFlags(t *testing.T) []string {
	return []string{"--avsc", shopFile(t, "schemas", "order.avsc"),
		"--schema-dep", shopFile(t, "schemas", "money.avsc"), "--schema-dep", shopFile(t, "schemas", "address.avsc"),
		"--schema-dep", shopFile(t, "schemas", "order_item.avsc")}
}

func protoFlags(t *testing.T) []string {
	return []string{"--proto", shopFile(t, "schemas", "shop.proto"), "--message", "shop.v1.Order"}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	sampleText, err := os.ReadFile(shopFile(t, "samples", "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := formats.ParseJSON(sampleText)
	tests := []struct {
		name  string
		flags []string
	}{
		{"avro", avroFlags(t)},
		{"protobuf", protoFlags(t)},
		{"protoset", []string{"--proto", shopFile(t, "schemas", "shop.protoset"), "--message", "shop.v1.Order"}},
		{"json", []string{"--format", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "order.bin")
			code, _, errOut := runCLIInput(t, nil, append([]string{"encode", "--in", shopFile(t, "samples", "order.json"), "--out", bin}, tt.flags...)...)
			if code != 0 {
				t.Fatalf("encode exit %d: %s", code, errOut)
			}
			encoded, _ := os.ReadFile(bin)
			// decode reads stdin when --in is absent, as in a pipe.
			code, out, errOut := runCLIInput(t, encoded, append([]string{"decode", "--pretty"}, tt.flags...)...)
			if code != 0 {
				t.Fatalf("decode exit %d: %s", code, errOut)
			}
			got, err := formats.ParseJSON(out)
			if err != nil {
				t.Fatalf("decode printed no JSON: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip differs:\n got %s\nwant %s", out, sampleText)
			}
			if !bytes.Contains(out, []byte("\n  \"")) {
				t.Fatalf("--pretty did not indent:\n%s", out)
			}
		})
	}
}

func TestEncodeCompare(t *testing.T) {
	args := append([]string{"encode", "--compare", "--output", "json", "--budget", "2ms", "--in", shopFile(t, "samples", "order.json")}, protoFlags(t)...)
	args = append(args, avroFlags(t)...)
	code, out, errOut := runCLIInput(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []formatCost
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != 3 || rows[0].Format != "json" || rows[1].Format != "protobuf" || rows[2].Format != "avro" {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		if !r.RoundTrip || r.SizeBytes <= 0 || r.EncodeNsOp <= 0 || r.DecodeNsOp <= 0 || r.EncodeAllocsOp <= 0 {
			t.Errorf("row %+v", r)
		}
	}
	if !(rows[2].SizeBytes < rows[1].SizeBytes && rows[1].SizeBytes < rows[0].SizeBytes) {
		t.Errorf("sizes json %d, protobuf %d, avro %d: want avro < protobuf < json", rows[0].SizeBytes, rows[1].SizeBytes, rows[2].SizeBytes)
	}

	code, text, errOut := runCLIInput(t, nil, append(args[:2:2], append([]string{"--budget", "1ms", "--in", shopFile(t, "samples", "order.json")}, protoFlags(t)...)...)...)
	if code != 0 || !strings.Contains(string(text), "encode ns/op") || !strings.Contains(string(text), "protobuf") {
		t.Fatalf("text table: exit %d %s\n%s", code, errOut, text)
	}
}

func TestEncodeDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"value does not fit", `{"items": [{"sku": "a", "qty": "x"}]}`, append([]string{"encode"}, protoFlags(t)...), `items[0].qty: want int32, got string "x"`},
		{"unknown message", `{}`, []string{"encode", "--proto", shopFile(t, "schemas", "shop.proto"), "--message", "Nope"}, "available: shop.v1.Address"},
		{"not JSON", `{"a": `, []string{"encode"}, "stdin: line 1"},
		{"garbage protobuf", "\xff\xff\xff", append([]string{"decode"}, protoFlags(t)...), "decode shop.v1.Order"},
		{"garbage avro", "\x05", append([]string{"decode"}, avroFlags(t)...), "decode Avro shop.v1.Order"},
		{"unknown format", `{}`, []string{"encode", "--format", "xml"}, `unknown format "xml"`},
		{"bad output", `{}`, []string{"encode", "--output", "yaml"}, "invalid --output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLIInput(t, []byte(tt.stdin), tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}
