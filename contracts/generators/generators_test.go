package generators

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestGenerators(t *testing.T) {
	now := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.UTC)
	ctx := &Context{Rand: rand.New(rand.NewPCG(1, 2)), Now: func() time.Time { return now },
		ProviderState: map[string]any{"id": json.Number("42"), "name": "tea"}, MockServerURL: "http://127.0.0.1:9999"}
	tests := []struct {
		name  string
		gen   string
		match string // the generated text must match this regular expression
	}{
		{"RandomInt", `{"type":"RandomInt","min":5,"max":7}`, `^[5-7]$`},
		{"RandomDecimal", `{"type":"RandomDecimal","digits":6}`, `^[1-9]\d*\.\d+$`},
		{"RandomHexadecimal", `{"type":"RandomHexadecimal","digits":8}`, `^[0-9a-f]{8}$`},
		{"RandomString", `{"type":"RandomString","size":12}`, `^[A-Za-z0-9]{12}$`},
		{"Regex", `{"type":"Regex","regex":"\\d{3}-[A-F]{2}(x|y)"}`, `^\d{3}-[A-F]{2}(x|y)$`},
		{"Uuid default", `{"type":"Uuid"}`, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"Uuid simple", `{"type":"Uuid","format":"simple"}`, `^[0-9a-f]{32}$`},
		{"Uuid upper", `{"type":"Uuid","format":"upper-case-hyphenated"}`, `^[0-9A-F]{8}-[0-9A-F]{4}-`},
		{"Uuid URN", `{"type":"Uuid","format":"URN"}`, `^urn:uuid:[0-9a-f-]{36}$`},
		{"Date default", `{"type":"Date"}`, `^2024-02-29$`},
		{"Date format expression", `{"type":"Date","format":"MM/dd/yyyy","expression":"today + 1 day"}`, `^03/01/2024$`},
		{"Time", `{"type":"Time","format":"HH:mm"}`, `^13:04$`},
		{"DateTime", `{"type":"DateTime","format":"yyyy/MM/dd - HH:mm:ss.S"}`, `^2024/02/29 - 13:04:05\.1$`},
		{"DateTime ISO", `{"type":"DateTime"}`, `^2024-02-29T13:04:05\.123Z$`},
		{"RandomBoolean", `{"type":"RandomBoolean"}`, `^(true|false)$`},
		{"ProviderState", `{"type":"ProviderState","expression":"/items/${id}/${name}"}`, `^/items/42/tea$`},
		{"ProviderState typed", `{"type":"ProviderState","expression":"${id}","dataType":"INTEGER"}`, `^42$`},
		{"MockServerURL", `{"type":"MockServerURL","regex":".*\\/(orders\\/\\d+)$","example":"http://localhost:1234/orders/5678"}`, `^http://127\.0\.0\.1:9999/orders/5678$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attrs map[string]any
			d := json.NewDecoder(strings.NewReader(tt.gen))
			d.UseNumber()
			if err := d.Decode(&attrs); err != nil {
				t.Fatal(err)
			}
			g := Generator{Type: attrs["type"].(string), Attrs: attrs}
			for i := 0; i < 20; i++ {
				v, err := g.Generate(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if s := Text(v); !regexp.MustCompile(tt.match).MatchString(s) {
					t.Fatalf("generated %q, want /%s/", s, tt.match)
				}
			}
		})
	}
}

func TestGeneratorErrors(t *testing.T) {
	ctx := &Context{}
	for _, g := range []Generator{
		{Type: "ProviderState", Attrs: map[string]any{"expression": "${missing}"}},
		{Type: "MockServerURL", Attrs: map[string]any{"regex": ".*", "example": "x"}},
		{Type: "Regex", Attrs: map[string]any{"regex": "("}},
		{Type: "Teleport", Attrs: map[string]any{}},
		{Type: "Uuid", Attrs: map[string]any{"format": "weird"}},
		{Type: "RandomInt", Attrs: map[string]any{"min": 5.0, "max": 1.0}},
	} {
		if _, err := g.Generate(ctx, nil); err == nil {
			t.Errorf("%s %v: no error", g.Type, g.Attrs)
		}
	}
}

func TestApplyJSON(t *testing.T) {
	c := &Category{Entries: map[string]Generator{
		"$.items[*].id": {Type: "RandomInt", Attrs: map[string]any{"min": 1.0, "max": 1.0}},
		"name":          {Type: "RandomString", Attrs: map[string]any{"size": 3.0}},
	}}
	v := map[string]any{"name": "x", "items": []any{map[string]any{"id": 0.0}, map[string]any{"id": 0.0}}}
	out, err := ApplyJSON(c, v, &Context{})
	if err != nil {
		t.Fatal(err)
	}
	m := out.(map[string]any)
	for _, it := range m["items"].([]any) {
		if it.(map[string]any)["id"] != json.Number("1") {
			t.Errorf("id not generated: %v", it)
		}
	}
	if s := m["name"].(string); len(s) != 3 {
		t.Errorf("name = %q", s)
	}
}

// TestParseErrorDeterministic: with several faulty entries Parse names the first key in sorted
// order every time, not whichever Go's map iteration meets first (FuzzStream compares the error
// of two reads of one pact).
func TestParseErrorDeterministic(t *testing.T) {
	raw := map[string]any{"path": map[string]any{}, "body": map[string]any{}}
	for _, k := range []string{"h", "c", "g", "a", "f", "b", "e", "d"} {
		raw["path"].(map[string]any)[k] = 1.0
		raw["body"].(map[string]any)["$."+k] = map[string]any{"min": 1.0}
	}
	for i := 0; i < 50; i++ {
		_, err := Parse(raw, "req")
		if err == nil || err.Error() != `req: generators.body["$.a"]: generator has no "type"` {
			t.Fatalf("run %d: error %v", i, err)
		}
	}
}
