package template

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/internal/cputime"
)

// orderTemplate is a 10-field order payload, the size the speed target is stated for.
const orderTemplate = `{"id": "ord-{{.Seq}}", "event_id": "{{uuid}}", "customer_id": "cus-{{randInt 1 1000}}",
 "qty": {{randInt 1 5}}, "amount": {{randDecimal 1 500 2}}, "currency": "{{pick "EUR" "USD" "GBP"}}",
 "coupon": "{{randString 8}}", "created_at": "{{now}}", "created_ms": {{nowMillis}}, "note": {{pick "a\"b" "c" | json}}}`

var fixedNow = func() time.Time { return time.Date(2024, 5, 1, 12, 30, 45, 123456789, time.UTC) }

func obj(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v, err := formats.ParseJSON(b)
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v.(map[string]any)
}

func TestGenerateFunctions(t *testing.T) {
	tmpl, err := Compile("order", orderTemplate, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for seq := uint64(0); seq < 200; seq++ {
		b, err := tmpl.Generate(seq)
		if err != nil {
			t.Fatal(err)
		}
		m := obj(t, b)
		if m["id"] != "ord-"+strconv.FormatUint(seq, 10) {
			t.Fatalf("id %v for seq %d", m["id"], seq)
		}
		u, err := uuid.Parse(m["event_id"].(string))
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("event_id %v: %v", m["event_id"], err)
		}
		ids[u.String()] = true
		qty, _ := strconv.Atoi(string(m["qty"].(json.Number)))
		if qty < 1 || qty > 5 {
			t.Fatalf("qty %d out of [1, 5]", qty)
		}
		amount := string(m["amount"].(json.Number))
		if !regexp.MustCompile(`^\d{1,3}\.\d\d$`).MatchString(amount) {
			t.Fatalf("amount %q is not a 2-place decimal", amount)
		}
		if f, _ := strconv.ParseFloat(amount, 64); f < 1 || f > 500 {
			t.Fatalf("amount %s out of range", amount)
		}
		if c := m["currency"]; c != "EUR" && c != "USD" && c != "GBP" {
			t.Fatalf("currency %v", c)
		}
		if !regexp.MustCompile(`^[a-zA-Z0-9]{8}$`).MatchString(m["coupon"].(string)) {
			t.Fatalf("coupon %q", m["coupon"])
		}
		if m["created_at"] != "2024-05-01T12:30:45.123Z" || m["created_ms"] != json.Number("1714566645123") {
			t.Fatalf("times %v %v", m["created_at"], m["created_ms"])
		}
		if n := m["note"]; n != `a"b` && n != "c" {
			t.Fatalf("note %v", n)
		}
	}
	if len(ids) != 200 {
		t.Fatalf("%d distinct UUIDs in 200 payloads", len(ids))
	}
}

func TestDataFilesInTurn(t *testing.T) {
	tests := []struct {
		name, file, text string
		want             []string
	}{
		{"csv", "testdata/skus.csv", `{"sku": {{.Row.sku | json}}, "currency": "{{.Row.currency}}"}`,
			[]string{`{"sku": "SKU-RED-MUG", "currency": "EUR"}`, `{"sku": "SKU-\"TEA\"", "currency": "USD"}`, `{"sku": "SKU-RED-MUG", "currency": "EUR"}`}},
		{"jsonl keeps types", "testdata/customers.jsonl", `{"c": "{{.Row.customer_id}}", "vip": {{.Row.vip}}}`,
			[]string{`{"c": "cus-1", "vip": true}`, `{"c": "cus-2", "vip": false}`, `{"c": "cus-3", "vip": true}`, `{"c": "cus-1", "vip": true}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Compile(tt.name, tt.text, Options{DataFile: tt.file})
			if err != nil {
				t.Fatal(err)
			}
			for seq, want := range tt.want {
				got, _ := tmpl.Generate(uint64(seq))
				if string(got) != want {
					t.Fatalf("seq %d: %s, want %s", seq, got, want)
				}
			}
		})
	}
}

// TestEveryPayloadIsJSON generates many payloads of templates whose actions write strings,
// numbers and booleans, quotes and backslashes, in strings and as whole values: every payload is
// JSON, and every choice shows up.
func TestEveryPayloadIsJSON(t *testing.T) {
	tests := []struct {
		name, text, data string
		want             []any // the values of "a" expected, each seen at least once
	}{
		{"pick mixes kinds", `{"a": {{pick "EUR" 1 true 0x1F 1_000 2.5e3}}}`, "",
			[]any{"EUR", json.Number("1"), true, json.Number("31"), json.Number("1000"), json.Number("2.5e3")}},
		{"pick with quotes in a string", `{"a": "x-{{pick "q\"x" "back\\slash" "<&>" 7}}"}`, "",
			[]any{`x-q"x`, `x-back\slash`, "x-<&>", "x-7"}},
		{"pick in an array", `{"a": [{{pick "x" 2}}, {{pick "x" 2}}]}`, "", nil},
		{"csv text with quotes in a string", `{"a": "{{.Row.sku}}"}`, "testdata/skus.csv", []any{"SKU-RED-MUG", `SKU-"TEA"`}},
		{"csv numbers as values", `{"a": {{.Row.price}}}`, "testdata/prices.csv", []any{json.Number("12.50"), json.Number("3")}},
		{"csv text as json", `{"a": {{.Row.label | json}}}`, "testdata/prices.csv", []any{`say "hi"`, "plain"}},
		{"jsonl strings as values", `{"a": {{.Row.customer_id}}}`, "testdata/customers.jsonl", []any{"cus-1", "cus-2", "cus-3"}},
		{"jsonl bool in a string", `{"a": "vip={{.Row.vip}}"}`, "testdata/customers.jsonl", []any{"vip=true", "vip=false"}},
		{"uuid and now as values", `{"a": {{now}}, "b": {{uuid}}, "c": {{randString 3}}}`, "", []any{"2024-05-01T12:30:45.123Z"}},
		{"whole document", `{{pick "x" 1}}`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Compile(tt.name, tt.text, Options{DataFile: tt.data, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{} // "%T %v" of each value of "a"
			for seq := range uint64(300) {
				b, err := tmpl.Generate(seq)
				if err != nil {
					t.Fatal(err)
				}
				v, err := formats.ParseJSON(b)
				if err != nil {
					t.Fatalf("payload %d is not JSON: %v\n%s", seq, err, b)
				}
				if m, ok := v.(map[string]any); ok {
					seen[fmt.Sprintf("%T %v", m["a"], m["a"])] = true
				}
			}
			for _, w := range tt.want {
				if !seen[fmt.Sprintf("%T %v", w, w)] {
					t.Errorf("value %#v never generated; saw %v", w, seen)
				}
			}
		})
	}
}

func TestValueFeedsCodecs(t *testing.T) {
	tmpl, err := Compile("money", `{"currency": "EUR", "amount_minor": {{randInt 9007199254740993 9007199254740993}}}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := tmpl.Value(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["amount_minor"]; got != json.Number("9007199254740993") {
		t.Fatalf("amount_minor %#v", got)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, text, opts, want string }{
		{"syntax", `{"a": {{randInt 1}`, "", "template: bad:1:"},
		{"unknown function", `{"a": {{frob}}}`, "", `function "frob" not defined`},
		{"wrong arity", `{"a": {{randInt 1}}}`, "", "randInt takes 2 integer arguments, got 1"},
		{"non-integer", `{"a": {{randInt 1 "x"}}}`, "", "argument 2 must be an integer"},
		{"inverted range", `{"a": {{randInt 5 1}}}`, "", "max 1 is below min 5"},
		{"unknown field", `{"a": {{.Foo}}}`, "", "unknown field .Foo"},
		{"row without data", `{"a": "{{.Row.x}}"}`, "", "needs a data file"},
		{"missing column", `{"a": "{{.Row.nope}}"}`, "testdata/skus.csv", `no column "nope"`},
		{"control flow", `{"a": {{if .Seq}}1{{end}}}`, "", "unsupported template construct"},
		{"not json", `{"a": 1,}`, "", "is not JSON"},
		{"value then text", `{"a": {{pick "x"}} "b"}`, "", "must be followed by ',', '}' or ']'"},
		{"inside a number", `{"a": 1{{randInt 1 2}}}`, "", "must be a whole JSON value"},
		{"object key", `{ {{uuid}}: 1}`, "", "cannot be an object key"},
		{"second key", `{"a": 1, {{uuid}}: 1}`, "", "cannot be an object key"},
		{"after backslash", `{"a": "x\{{uuid}}"}`, "", "right after a backslash"},
		{"json in a string", `{"a": "{{uuid | json}}"}`, "", "| json inside a JSON string"},
		{"two values", `{{uuid}} {{uuid}}`, "", "must be followed by"},
		{"csv text as value", `{"sku": {{.Row.sku}}}`, "testdata/skus.csv", `testdata/skus.csv row 2 column "sku": "SKU-RED-MUG" is not a JSON value`},
		{"csv text in later row", `{"p": {{.Row.label}}}`, "testdata/prices.csv", `row 2 column "label"`},
		{"complex number", `{"a": {{pick 1i}}}`, "", "pick: argument 1: 1i is not a JSON number"},
		{"missing data file", `{}`, "testdata/absent.csv", "absent.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile("bad", tt.text, Options{DataFile: tt.opts})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// BenchmarkGenerate10Fields measures one 10-field payload (target: under 2 µs).
func BenchmarkGenerate10Fields(b *testing.B) {
	tmpl, err := Compile("order", orderTemplate, Options{})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for i := 0; b.Loop(); i++ {
		buf, _ = tmpl.AppendGenerate(buf[:0], uint64(i))
	}
}
