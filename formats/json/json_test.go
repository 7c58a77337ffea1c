package json

import (
	"bytes"
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/formatstest"
	"github.com/commbench/commbench/formats/internal/cputime"
	"github.com/commbench/commbench/internal/testenv"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTripShopSamples(t *testing.T) {
	for _, name := range []string{"order.json", "order-large-amount.json", "order-placed.json"} {
		t.Run(name, func(t *testing.T) {
			c := New()
			in, err := c.Decode(readSample(t, name))
			if err != nil {
				t.Fatal(err)
			}
			formatstest.RoundTrip(t, c, in)
		})
	}
}

func TestNumbersStayExact(t *testing.T) {
	c := New()
	v, err := c.Decode([]byte(`{"big": 9007199254740993, "dec": 0.1000000000000000055511151231257827}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Encode(v)
	if want := `{"big":9007199254740993,"dec":0.1000000000000000055511151231257827}`; string(b) != want {
		t.Fatalf("%s, want %s", b, want)
	}
	if b, _ := c.Encode(map[string]any{"html": "<a&b>"}); string(b) != `{"html":"<a&b>"}` {
		t.Fatalf("HTML escaped: %s", b)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty JSON document"},
		{"syntax with position", "{\n  \"a\": 1,\n  \"b\" 2\n}", "line 3, column"},
		{"truncated", `{"a": [1, 2`, "truncated JSON document"},
		{"trailing data", `{"a": 1} {"b": 2}`, "data after the JSON document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New().Decode([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	c, err := formats.New("json", formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "json" || c.ContentType() != "application/json" {
		t.Fatalf("%s %s", c.Name(), c.ContentType())
	}
	if _, err := formats.New("yaml", formats.Options{}); err == nil || !strings.Contains(err.Error(), "known: ") {
		t.Fatalf("unknown format: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"order.json", "order-large-amount.json", "order-placed.json"} {
		f.Add(readSample(f, s))
	}
	f.Add([]byte(`{"a": [1, 2`))
	f.Add([]byte(`1e999`))
	c := New()
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		out, err := c.Encode(v)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v", err)
		}
		v2, err := c.Decode(out)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("re-encoded %s does not decode to the same value: %v", out, err)
		}
	})
}

// The benchmarks pair the codec with encoding/json used directly (same options), per sample.

func benchValue(b *testing.B) (any, []byte) {
	raw := readSample(b, "order.json")
	v, err := New().Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	enc, _ := New().Encode(v)
	return v, enc
}

func BenchmarkEncode(b *testing.B) {
	v, _ := benchValue(b)
	c := New()
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := c.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLibrary(b *testing.B) {
	v, _ := benchValue(b)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		var buf bytes.Buffer
		enc := stdjson.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	_, enc := benchValue(b)
	c := New()
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLibrary(b *testing.B) {
	_, enc := benchValue(b)
	b.ReportAllocs()
	defer cputime.Start(b)()
	for b.Loop() {
		d := stdjson.NewDecoder(bytes.NewReader(enc))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}
