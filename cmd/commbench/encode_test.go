package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hamba/avro/v2/ocf"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
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

// ocfFile writes values as an Avro Object Container File (deflate, two values per block) and
// returns its path.
func ocfFile(t *testing.T, values ...any) string {
	t.Helper()
	c, err := formats.New("avro", formats.Options{Schema: shopFile(t, "schemas", "order.avsc"), SchemaFiles: []string{
		shopFile(t, "schemas", "money.avsc"), shopFile(t, "schemas", "address.avsc"), shopFile(t, "schemas", "order_item.avsc")}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := avro.WriteOCF(&buf, c.(*avro.Codec), values, ocf.WithCodec(ocf.Deflate), ocf.WithBlockLength(2)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orders.avro")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDecodeOCF(t *testing.T) {
	var values []any
	for _, name := range []string{"order.json", "order-large-amount.json", "order.json"} {
		b, err := os.ReadFile(shopFile(t, "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := formats.ParseJSON(b)
		values = append(values, v)
	}
	path := ocfFile(t, values...)
	file, _ := os.ReadFile(path)
	tests := []struct {
		name  string
		stdin []byte
		args  []string
	}{
		{"file", nil, []string{"decode", "--ocf", path}},
		{"stdin", file, []string{"decode", "--format", "avro", "--ocf", "-"}},
		{"pretty", nil, []string{"decode", "--ocf", path, "--pretty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLIInput(t, tt.stdin, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.UseNumber()
			var got []any
			for dec.More() {
				var v any
				if err := dec.Decode(&v); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				got = append(got, v)
			}
			if !reflect.DeepEqual(got, values) {
				t.Fatalf("values differ:\n%s", out)
			}
			lines := bytes.Count(out, []byte("\n"))
			if pretty := slices.Contains(tt.args, "--pretty"); pretty != (lines > len(values)) || !pretty && lines != len(values) {
				t.Fatalf("%d lines for %d values (pretty %v):\n%s", lines, len(values), pretty, out)
			}
		})
	}
}

func TestDecodeOCFErrors(t *testing.T) {
	b, _ := os.ReadFile(shopFile(t, "samples", "order.json"))
	order, _ := formats.ParseJSON(b)
	path := ocfFile(t, order)
	file, _ := os.ReadFile(path)
	cut := filepath.Join(t.TempDir(), "cut.avro")
	if err := os.WriteFile(cut, file[:len(file)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"truncated", []string{"decode", "--ocf", cut}, "cut.avro: OCF block 1: truncated"},
		{"not a container", []string{"decode", "--ocf", shopFile(t, "samples", "order.json")}, "not an Avro container file"},
		{"missing file", []string{"decode", "--ocf", filepath.Join(t.TempDir(), "absent.avro")}, "absent.avro"},
		{"schema given", append([]string{"decode", "--ocf", path}, avroFlags(t)...), "writer schema from the file's header"},
		{"other format", []string{"decode", "--ocf", path, "--format", "protobuf"}, "not --format protobuf"},
		{"with --in", []string{"decode", "--ocf", path, "--in", path}, "drop --in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLIInput(t, nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}
