package confluent

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/internal/testenv"
)

func readFile(t testing.TB, elem ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{testenv.ModuleRoot(t), "testdata"}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sample(t testing.TB, name string) any {
	t.Helper()
	v, err := formats.ParseJSON([]byte(readFile(t, "samples", name)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fakeRegistry seeds an in-process registry (franz-go srfake) with the shop schemas: Avro Order
// with its named types in referenced subjects, and shop.proto.
func fakeRegistry(t *testing.T) (*srfake.Registry, *Registry) {
	t.Helper()
	reg := srfake.New(srfake.WithAuth("Basic " + "dXNlcjpzM2NyZXQ=")) // user:s3cret
	t.Cleanup(reg.Close)
	avsc := func(n string) string { return readFile(t, "schemas", n) }
	reg.SeedSchema("shop.v1.Money", 1, 11, sr.Schema{Schema: avsc("money.avsc"), Type: sr.TypeAvro})
	reg.SeedSchema("shop.v1.Address", 1, 12, sr.Schema{Schema: avsc("address.avsc"), Type: sr.TypeAvro})
	reg.SeedSchema("shop.v1.OrderItem", 1, 13, sr.Schema{Schema: avsc("order_item.avsc"), Type: sr.TypeAvro,
		References: []sr.SchemaReference{{Name: "shop.v1.Money", Subject: "shop.v1.Money", Version: 1}}})
	reg.SeedSchema("orders-avro-value", 1, 14, sr.Schema{Schema: avsc("order.avsc"), Type: sr.TypeAvro,
		References: []sr.SchemaReference{
			{Name: "shop.v1.OrderItem", Subject: "shop.v1.OrderItem", Version: 1},
			{Name: "shop.v1.Address", Subject: "shop.v1.Address", Version: 1},
			{Name: "shop.v1.Money", Subject: "shop.v1.Money", Version: 1},
		}})
	reg.SeedSchema("orders-proto-value", 1, 21, sr.Schema{Schema: readFile(t, "schemas", "shop.proto"), Type: sr.TypeProtobuf})
	env := map[string]string{EnvUsername: "user", EnvPassword: "s3cret"}
	r, err := NewRegistry(reg.URL(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return reg, r
}

func TestRoundTripThroughFakeRegistry(t *testing.T) {
	_, r := fakeRegistry(t)
	ctx := context.Background()
	tests := []struct {
		name, subject, message, sample string
		wantID                         int
		wantIndex                      []int
	}{
		{"avro order", "orders-avro-value", "", "order.json", 14, nil},
		{"avro large amounts", "orders-avro-value", "", "order-large-amount.json", 14, nil},
		{"protobuf order", "orders-proto-value", "shop.v1.Order", "order.json", 21, []int{3}},
		{"protobuf event", "orders-proto-value", "OrderPlaced", "order-placed.json", 21, []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := r.CodecBySubject(ctx, tt.subject, tt.message)
			if err != nil {
				t.Fatal(err)
			}
			in := sample(t, tt.sample)
			b, err := c.Encode(in)
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != 0 || int(binary.BigEndian.Uint32(b[1:5])) != tt.wantID {
				t.Fatalf("header % x, want magic 0 and id %d", b[:5], tt.wantID)
			}
			id, index, _, err := Split(b, tt.wantIndex != nil)
			if err != nil || id != tt.wantID || !slices.Equal(index, tt.wantIndex) {
				t.Fatalf("Split = %d %v %v, want %d %v", id, index, err, tt.wantID, tt.wantIndex)
			}
			for name, decode := range map[string]func([]byte) (any, error){
				"codec":    c.Decode,
				"registry": func(b []byte) (any, error) { return NewRegistryClient(mustClient(t, r)).Decode(ctx, b) },
			} {
				out, err := decode(b)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !reflect.DeepEqual(in, out) {
					t.Fatalf("%s: round trip differs:\n in %v\nout %v", name, in, out)
				}
			}
		})
	}
}

func mustClient(t *testing.T, r *Registry) *sr.Client { t.Helper(); return r.client }

func TestBasicAuthRequired(t *testing.T) {
	reg, _ := fakeRegistry(t)
	r, err := NewRegistry(reg.URL(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.CodecBySubject(context.Background(), "orders-avro-value", "")
	if err == nil {
		t.Fatal("registry answered without credentials")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	_, r := fakeRegistry(t)
	ctx := context.Background()
	c, err := r.CodecBySubject(ctx, "orders-proto-value", "shop.v1.Money")
	if err != nil {
		t.Fatal(err)
	}
	good, err := c.Encode(map[string]any{"currency": "EUR", "amount_minor": 5})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "magic byte 0"},
		{"no magic byte", append([]byte{1}, good[1:]...), "magic byte 0"},
		{"short header", []byte{0, 0, 0}, "magic byte 0"},
		{"unknown id", append([]byte{0, 0, 0, 0, 99}, good[5:]...), "schema id 99"},
		{"index past the messages", append([]byte{0, 0, 0, 0, 21, 2, 80}, good[6:]...), "no message at 40"},
		{"negative index count", []byte{0, 0, 0, 0, 21, 1}, "message index"},
		{"truncated payload", good[:len(good)-1], "decode shop.v1.Money"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Decode(ctx, tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := c.Decode(append([]byte{0, 0, 0, 0, 14}, good[5:]...)); err == nil || !strings.Contains(err.Error(), "codec is for id 21") {
		t.Fatalf("codec accepted another schema id: %v", err)
	}
	if _, err := c.Decode([]byte{0xff}); !errors.Is(err, ErrBadHeader) {
		t.Fatalf("err = %v, want ErrBadHeader", err)
	}
}
