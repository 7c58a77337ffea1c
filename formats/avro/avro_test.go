package avro

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/formatstest"
	"github.com/commbench/commbench/internal/testenv"
)

func schemaPath(t testing.TB, name string) string {
	return filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas", name)
}

func shopDeps(t testing.TB) []string {
	return []string{schemaPath(t, "order_item.avsc"), schemaPath(t, "money.avsc"), schemaPath(t, "address.avsc"), schemaPath(t, "order.avsc")}
}

func shopCodec(t testing.TB, main string) *Codec {
	t.Helper()
	var deps []string
	for _, d := range shopDeps(t) {
		if d != schemaPath(t, main) {
			deps = append(deps, d)
		}
	}
	c, err := New(formats.Options{Schema: schemaPath(t, main), SchemaFiles: deps})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sample(t testing.TB, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := formats.ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRoundTripShopSamples(t *testing.T) {
	tests := []struct{ sample, schema string }{
		{"order.json", "order.avsc"},
		{"order-large-amount.json", "order.avsc"},
		{"order-placed.json", "order_placed.avsc"},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			c := shopCodec(t, tt.schema)
			in := sample(t, tt.sample)
			b := formatstest.RoundTrip(t, c, in)
			// hamba decodes our bytes with its own codec: the encoding is standard Avro.
			var native map[string]any
			if err := avro.Unmarshal(c.Schema(), b, &native); err != nil {
				t.Fatalf("hamba cannot read our encoding: %v", err)
			}
			if native["id"] == nil && native["event_id"] == nil {
				t.Fatalf("hamba decoded %v", native)
			}
		})
	}
}

func TestEncodingMatchesHamba(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	native := map[string]any{
		"id": "o-1", "customer_id": "c-1",
		"items":            []any{map[string]any{"sku": "s", "qty": 2, "unit_price": map[string]any{"currency": "EUR", "amount_minor": int64(150)}}},
		"total":            map[string]any{"currency": "EUR", "amount_minor": int64(300)},
		"shipping_address": map[string]any{"name": "n", "street": "s", "city": "c", "postal_code": "p", "country": "DE"},
		"status":           "ORDER_STATUS_PAID",
		"created_at":       mustTime(t, "2024-05-01T12:30:45.123Z"),
		"labels":           map[string]any{"a": "1"},
		"card_token":       nil,
		"invoice_ref":      "inv-1",
	}
	want, err := avro.Marshal(c.Schema(), native)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{
		"id": "o-1", "customer_id": "c-1",
		"items":            []any{map[string]any{"sku": "s", "qty": json.Number("2"), "unit_price": map[string]any{"currency": "EUR", "amount_minor": json.Number("150")}}},
		"total":            map[string]any{"currency": "EUR", "amount_minor": json.Number("300")},
		"shipping_address": map[string]any{"name": "n", "street": "s", "city": "c", "postal_code": "p", "country": "DE"},
		"status":           "ORDER_STATUS_PAID",
		"created_at":       "2024-05-01T12:30:45.123Z",
		"labels":           map[string]any{"a": "1"},
		"card_token":       nil,
		"invoice_ref":      "inv-1",
	}
	// hamba writes array and map blocks with their byte size (negative count), we write plain
	// counts: both are valid Avro, so compare by reading each other's bytes.
	fromHamba, err := c.Decode(want)
	if err != nil {
		t.Fatalf("decode hamba's bytes: %v", err)
	}
	if !reflect.DeepEqual(fromHamba, in) {
		t.Fatalf("hamba's bytes decode to %v", fromHamba)
	}
	got, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := avro.Unmarshal(c.Schema(), got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back["created_at"].(time.Time).UnixMilli(), native["created_at"].(time.Time).UnixMilli()) ||
		back["invoice_ref"] == nil || back["status"] != "ORDER_STATUS_PAID" || back["items"].([]any)[0].(map[string]any)["qty"] != 2 {
		t.Fatalf("hamba reads our bytes as %v", back)
	}
}

func TestLogicalTypesAndUnions(t *testing.T) {
	s, err := LoadSchema("testdata/types.avsc")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCodec(s)
	in, err := formats.ParseJSON([]byte(`{
	  "ts_millis": "2024-05-01T12:30:45.123Z",
	  "ts_micros": "2024-05-01T12:30:45.123456Z",
	  "local_millis": "2024-05-01T12:30:45.5",
	  "day": "2024-02-29",
	  "price": "-1234.50",
	  "price_fixed": "0.07",
	  "id": "5f0c6c1e-8d1b-4c39-9a57-1b7a4d0f2e11",
	  "tod": 3600000,
	  "raw": "AAEC/w==",
	  "hash": "AAECAwQFBgcICQoLDA0ODw==",
	  "ratio": 0.25,
	  "f": 1.5,
	  "flag": true,
	  "choice": {"shop.test.Point": {"x": 1, "y": -2}},
	  "choice2": {"string": "s"},
	  "maybe_null": null,
	  "nothing": null,
	  "tags": ["a", "b"],
	  "counts": {"a": 1, "b": 9007199254740993}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := in.(map[string]any)
	want["local_millis"] = "2024-05-01T12:30:45.500"
	want["price"] = json.Number("-1234.50")
	want["price_fixed"] = json.Number("0.07")
	if !reflect.DeepEqual(out, want) {
		g, _ := json.Marshal(out)
		w, _ := json.Marshal(want)
		t.Fatalf("round trip differs:\n got %s\nwant %s", g, w)
	}
	// The decimal reads back with hamba as the same exact rational.
	var native map[string]any
	if err := avro.Unmarshal(s, b, &native); err != nil {
		t.Fatal(err)
	}
	if got := native["price"]; got == nil || got.(interface{ FloatString(int) string }).FloatString(2) != "-1234.50" {
		t.Fatalf("hamba reads price as %v", got)
	}
}

func TestEncodeErrors(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	base := func() map[string]any { return sample(t, "order.json").(map[string]any) }
	with := func(k string, v any) map[string]any { m := base(); m[k] = v; return m }
	item := func(qty any) any {
		return map[string]any{"sku": "s", "qty": qty, "unit_price": map[string]any{"currency": "EUR", "amount_minor": json.Number("1")}}
	}
	without := func(k string) map[string]any { m := base(); delete(m, k); return m }
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"string for int in list", with("items", []any{item(json.Number("1")), item(json.Number("2")), item("x")}), `items[2].qty: want int, got string "x"`},
		{"int overflow", with("items", []any{item(json.Number("2147483648"))}), `items[0].qty: want int, got number 2147483648`},
		{"unknown enum symbol", with("status", "SHIPPED"), `status: want enum shop.v1.OrderStatus (ORDER_STATUS_UNSPECIFIED,`},
		{"bad timestamp", with("created_at", "yesterday"), `created_at: want timestamp-millis (RFC 3339 text), got string "yesterday"`},
		{"record expected", with("total", "12 EUR"), `total: want record shop.v1.Money, got string "12 EUR"`},
		{"unknown field", with("colour", "red"), `unknown field "colour" in record shop.v1.Order`},
		{"missing field without default", without("id"), `id: missing field "id" of record shop.v1.Order`},
		{"map value type", with("labels", map[string]any{"k": json.Number("1")}), `labels["k"]: want string, got number 1`},
		{"nullable union wrong type", with("card_token", json.Number("1")), `card_token: want string, got number 1`},
		{"root", []any{}, `$: want record shop.v1.Order, got array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Encode(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	// Fields with defaults may be left out.
	if _, err := c.Encode(without("labels")); err != nil {
		t.Fatalf("default for labels not used: %v", err)
	}
}

func TestDecodeGarbage(t *testing.T) {
	c := shopCodec(t, "order.avsc")
	good, err := c.Encode(sample(t, "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":           {},
		"truncated":       good[:len(good)/2],
		"trailing bytes":  append(append([]byte{}, good...), 0x02),
		"huge string":     {0xfe, 0xff, 0xff, 0xff, 0x0f},
		"negative length": {0x03},
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if v, err := c.Decode(b); err == nil {
				t.Fatalf("% x decoded to %v without error", b, v)
			}
		})
	}
}

func TestLoadSchemaErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		main string
		deps []string
		want []string
	}{
		{"json syntax error has line and column", write("bad.avsc", "{\n  \"type\": \"record\",\n  \"name\": \"X\"\n  \"fields\": []\n}"), nil, []string{"bad.avsc", "line 4, column"}},
		{"unknown named type", write("ref.avsc", `{"type":"record","name":"R","fields":[{"name":"m","type":"shop.v1.Nope"}]}`), nil, []string{"ref.avsc", "shop.v1.Nope"}},
		{"missing file", filepath.Join(dir, "absent.avsc"), nil, []string{"absent.avsc"}},
		{"bad type", write("type.avsc", `{"type":"recrod","name":"R","fields":[]}`), nil, []string{"type.avsc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSchema(tt.main, tt.deps...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	c, err := formats.New("avro", formats.Options{Schema: schemaPath(t, "money.avsc")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "avro" || c.ContentType() != "application/avro" {
		t.Fatalf("%s %s", c.Name(), c.ContentType())
	}
	b, err := c.Encode(map[string]any{"currency": "EUR", "amount_minor": json.Number("-1")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{6, 'E', 'U', 'R', 1}; string(b) != string(want) {
		t.Fatalf("% x, want % x", b, want)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
