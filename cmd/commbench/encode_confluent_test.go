package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/confluent"
)

// runCLIEnv runs the CLI in-process with an environment and stdin.
func runCLIEnv(t *testing.T, env []string, stdin []byte, args ...string) (int, []byte, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, env, bytes.NewReader(stdin), &out, &errb)
	return code, out.Bytes(), errb.String()
}

// shopRegistry is an in-process registry (franz-go srfake) requiring basic auth, seeded with the
// shop's Avro Order (named types in referenced subjects, id 14) and shop.proto (id 21).
func shopRegistry(t *testing.T) (url string, env []string) {
	t.Helper()
	reg := srfake.New(srfake.WithAuth("Basic dXNlcjpzM2NyZXQ=")) // user:s3cret
	t.Cleanup(reg.Close)
	read := func(name string) string {
		b, err := os.ReadFile(shopFile(t, "schemas", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	avro := func(name string, refs ...string) sr.Schema {
		s := sr.Schema{Schema: read(name), Type: sr.TypeAvro}
		for _, r := range refs {
			s.References = append(s.References, sr.SchemaReference{Name: r, Subject: r, Version: 1})
		}
		return s
	}
	reg.SeedSchema("shop.v1.Money", 1, 11, avro("money.avsc"))
	reg.SeedSchema("shop.v1.Address", 1, 12, avro("address.avsc"))
	reg.SeedSchema("shop.v1.OrderItem", 1, 13, avro("order_item.avsc", "shop.v1.Money"))
	reg.SeedSchema("orders-avro-value", 1, 14, avro("order.avsc", "shop.v1.OrderItem", "shop.v1.Address", "shop.v1.Money"))
	reg.SeedSchema("orders-proto-value", 1, 21, sr.Schema{Schema: read("shop.proto"), Type: sr.TypeProtobuf})
	return reg.URL(), []string{confluent.EnvUsername + "=user", confluent.EnvPassword + "=s3cret"}
}

// TestConfluentEncodeDecode frames the shop order in the Confluent wire format through the CLI:
// encode with a local schema and id or with the registry's subject, decode with the local schema
// or resolving the id from the registry; the value comes back equal.
func TestConfluentEncodeDecode(t *testing.T) {
	url, env := shopRegistry(t)
	in := shopFile(t, "samples", "order.json")
	sampleText, _ := os.ReadFile(in)
	want, _ := formats.ParseJSON(sampleText)
	tests := []struct {
		name      string
		encode    []string
		decode    []string
		wantID    uint32
		wantIndex []byte // Protobuf message indexes after the id
	}{
		{"avro local id, registry decode", append([]string{"--schema-id", "14"}, avroFlags(t)...),
			[]string{"--schema-registry", url}, 14, nil},
		{"avro registry subject, local decode", []string{"--schema-registry", url, "--subject", "orders-avro-value"},
			append([]string{"--confluent", "--schema-id", "14"}, avroFlags(t)...), 14, nil},
		{"protobuf local id, registry decode", append([]string{"--schema-id", "21"}, protoFlags(t)...),
			[]string{"--schema-registry", url}, 21, []byte{2, 6}}, // one index, 3: Order is the 4th message
		{"protobuf registry subject, local decode", []string{"--schema-registry", url, "--subject", "orders-proto-value", "--message", "shop.v1.Order"},
			append([]string{"--confluent"}, protoFlags(t)...), 21, []byte{2, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, framed, errOut := runCLIEnv(t, env, nil, append([]string{"encode", "--in", in}, tt.encode...)...)
			if code != 0 {
				t.Fatalf("encode exit %d: %s", code, errOut)
			}
			if len(framed) < 5 || framed[0] != 0 || binary.BigEndian.Uint32(framed[1:5]) != tt.wantID {
				t.Fatalf("header % x, want magic 0 and id %d", framed[:min(len(framed), 5)], tt.wantID)
			}
			if !bytes.HasPrefix(framed[5:], tt.wantIndex) {
				t.Fatalf("message indexes % x, want % x", framed[5:8], tt.wantIndex)
			}
			code, out, errOut := runCLIEnv(t, env, framed, append([]string{"decode"}, tt.decode...)...)
			if code != 0 {
				t.Fatalf("decode exit %d: %s", code, errOut)
			}
			got, err := formats.ParseJSON(out)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded %v (%v), want the sample", string(out), err)
			}
		})
	}
}

func TestConfluentErrors(t *testing.T) {
	url, env := shopRegistry(t)
	order, _ := os.ReadFile(shopFile(t, "samples", "order.json"))
	framed14 := func() []byte {
		code, b, errOut := runCLIEnv(t, env, order, append([]string{"encode", "--schema-id", "14"}, avroFlags(t)...)...)
		if code != 0 {
			t.Fatalf("encode: %s", errOut)
		}
		return b
	}()
	unknownID := append([]byte{0, 0, 0, 0, 99}, framed14[5:]...)
	tests := []struct {
		name  string
		env   []string
		stdin []byte
		args  []string
		code  int
		want  string
	}{
		{"encode json framed", env, order, []string{"encode", "--format", "json", "--schema-id", "1"}, 2, "carries Avro or Protobuf"},
		{"encode no id", env, order, append([]string{"encode", "--confluent"}, avroFlags(t)...), 2, "needs --schema-id"},
		{"subject without registry", env, order, append([]string{"encode", "--subject", "x", "--schema-id", "1"}, avroFlags(t)...), 2, "--subject needs --schema-registry"},
		{"registry without subject", env, order, []string{"encode", "--schema-registry", url}, 2, "needs --subject"},
		{"registry and local schema", env, order, append([]string{"encode", "--schema-registry", url, "--subject", "orders-avro-value"}, avroFlags(t)...), 2, "drop the local schema flags"},
		{"unknown subject", env, order, []string{"encode", "--schema-registry", url, "--subject", "nope-value"}, 2, "nope-value"},
		{"wrong credentials", []string{confluent.EnvUsername + "=user", confluent.EnvPassword + "=wrong"}, framed14, []string{"decode", "--schema-registry", url}, 2, "stdin"},
		{"unknown id", env, unknownID, []string{"decode", "--schema-registry", url}, 2, "99"},
		{"no header", env, []byte("{}"), []string{"decode", "--schema-registry", url}, 2, "stdin"},
		{"id differs", env, framed14, append([]string{"decode", "--schema-id", "15"}, avroFlags(t)...), 2, "schema id 14 in the header, want 15"},
		{"registry unreachable", env, framed14, []string{"decode", "--schema-registry", "http://127.0.0.1:1"}, 3, "127.0.0.1:1"},
		{"compare framed", env, order, []string{"encode", "--compare", "--schema-id", "1"}, 2, "drop the Confluent flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLIEnv(t, tt.env, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
			if strings.Contains(errOut, "s3cret") {
				t.Fatalf("stderr shows the password: %s", errOut)
			}
		})
	}
}

// TestConfluentFramedFileRoundTrip writes the framed payload to a file with --out and reads it
// back with --in, as users keep Kafka record values.
func TestConfluentFramedFileRoundTrip(t *testing.T) {
	url, env := shopRegistry(t)
	bin := filepath.Join(t.TempDir(), "order.kafka")
	code, _, errOut := runCLIEnv(t, env, nil, "encode", "--schema-registry", url, "--subject", "orders-avro-value",
		"--in", shopFile(t, "samples", "order-large-amount.json"), "--out", bin)
	if code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := runCLIEnv(t, env, nil, "decode", "--schema-registry", url, "--in", bin, "--pretty")
	if code != 0 {
		t.Fatal(errOut)
	}
	wantText, _ := os.ReadFile(shopFile(t, "samples", "order-large-amount.json"))
	want, _ := formats.ParseJSON(wantText)
	if got, err := formats.ParseJSON(out); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %s (%v)", out, err)
	}
}
