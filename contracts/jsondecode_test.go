package contracts

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeCases are inputs where JSON decoders are known to differ from encoding/json.
var decodeCases = []struct {
	name, doc string
}{
	{"object", `{"a":[1,2.5,-3e2,{"b":null}],"c":true,"d":"x"}`},
	{"big integer keeps its digits", `{"n":123456789012345678901234567890}`},
	{"number forms", `[0,-0,1E5,1e-7,0.000001,1.0,-1.5e+300]`},
	{"number out of float range", `[1e400]`},
	{"leading zero", `[01]`},
	{"trailing dot", `[1.]`},
	{"lone minus", `[-]`},
	{"plus sign", `[+1]`},
	{"hex", `[0x10]`},
	{"NaN", `[NaN]`},
	{"duplicate key: last wins", `{"a":1,"a":2}`},
	{"escapes", `["\u00e9\n\t\"\\\/\b\f\r"]`},
	{"lone surrogate escape", `["\ud800x"]`},
	{"surrogate pair", `["\ud83d\ude00"]`},
	{"bad escape", `["\x"]`},
	{"raw control character", "[\"a\x01b\"]"},
	{"raw tab in string", "[\"a\tb\"]"},
	{"invalid UTF-8", "[\"a\xffb\"]"},
	{"trailing comma in array", `[1,]`},
	{"trailing comma in object", `{"a":1,}`},
	{"single quotes", `{'a':1}`},
	{"unquoted key", `{a:1}`},
	{"trailing data", `{} x`},
	{"two values", `{} {}`},
	{"trailing white space", "{}\n\t "},
	{"leading white space", " \r\n[]"},
	{"empty", ``},
	{"white space only", `   `},
	{"null", `null`},
	{"scalar", `"s"`},
	{"true prefix", `tru`},
	{"unterminated string", `["abc`},
	{"unterminated object", `{"a":1`},
	{"byte-order mark", "\xef\xbb\xbf{}"},
	{"deep nesting", strings.Repeat("[", 9000) + strings.Repeat("]", 9000)},
	{"too deep for encoding/json", strings.Repeat("[", 10001) + strings.Repeat("]", 10001)},
	{"NUL byte", "[1]\x00"},
}

func TestDecodeJSONAsEncodingJSON(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			sameAsStd(t, []byte(tc.doc))
		})
	}
}

// sameAsStd requires decodeJSON to give encoding/json's value, or its error message.
func sameAsStd(t *testing.T, data []byte) {
	t.Helper()
	want, werr := decodeJSONStd(data)
	got, gerr := decodeJSON(data)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%q: error %v, encoding/json says %v", data, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decoded %#v, encoding/json decodes %#v", data, got, want)
	}
}

// FuzzDecodeJSON: the fast decoder accepts and rejects what encoding/json does, with the same
// values (json.Number digits included) and error messages.
func FuzzDecodeJSON(f *testing.F) {
	for _, tc := range decodeCases {
		if len(tc.doc) < 1000 {
			f.Add([]byte(tc.doc))
		}
	}
	body, _ := benchBody()
	f.Add([]byte(body))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsStd(t, data)
	})
}

// BenchmarkDecode2KB compares the decoders on the 2 KB body of BenchmarkMatchJSON2KB20Rules
// (encoding-json is also a calibration point, to compare this machine with published figures):
// decodeJSON (sonic, the fast path) against decodeJSONStd (encoding/json with UseNumber).
func BenchmarkDecode2KB(b *testing.B) {
	body, _ := benchBody()
	data := bytes.ReplaceAll([]byte(body), []byte("item number"), []byte("article no."))
	for _, d := range []struct {
		name string
		fn   func([]byte) (any, error)
	}{{"sonic", decodeJSON}, {"encoding-json", decodeJSONStd}} {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				v, err := d.fn(data)
				if err != nil {
					b.Fatal(err)
				}
				if _, ok := v.(map[string]any)["order"].(map[string]any)["id"].(json.Number); !ok {
					b.Fatal("numbers are not json.Number")
				}
			}
			reportCPU(b, c0)
		})
	}
}
