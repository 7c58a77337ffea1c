package matching

import (
	"encoding/json"
	"strings"
	"testing"
)

func mustJSON(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func bodyRules(t testing.TB, s string) *Category {
	t.Helper()
	raw, _ := mustJSON(t, `{"body":`+s+`}`).(map[string]any)
	r, err := ParseRules(raw, "test")
	if err != nil {
		t.Fatal(err)
	}
	return r.Get("body")
}

func TestRules(t *testing.T) {
	tests := []struct {
		name, rules, expected, actual string
		match                         bool
		wantMsg                       string
	}{
		{"equality", `{"$.a":{"matchers":[{"match":"equality"}]}}`, `{"a":1}`, `{"a":1}`, true, ""},
		{"equality differs", `{"$.a":{"matchers":[{"match":"equality"}]}}`, `{"a":1}`, `{"a":2}`, false, "Expected 2 (Integer) to be equal to 1 (Integer)"},
		{"regex full match", `{"$.a":{"matchers":[{"match":"regex","regex":"\\d+"}]}}`, `{"a":"1"}`, `{"a":"12a"}`, false, "to match"},
		{"regex on number", `{"$.a":{"matchers":[{"match":"regex","regex":"\\d+"}]}}`, `{"a":1}`, `{"a":42}`, true, ""},
		{"type", `{"$.a":{"matchers":[{"match":"type"}]}}`, `{"a":"x"}`, `{"a":5}`, false, "same type"},
		{"type integer vs decimal", `{"$.a":{"matchers":[{"match":"type"}]}}`, `{"a":100}`, `{"a":100.01}`, true, ""},
		{"min", `{"$.a":{"matchers":[{"match":"type","min":2}]}}`, `{"a":[1]}`, `{"a":[1]}`, false, "Expected [1] (size 1) to have minimum size of 2"},
		{"max", `{"$.a":{"matchers":[{"match":"type","max":2}]}}`, `{"a":[1]}`, `{"a":[1,2,3]}`, false, "Expected [1, 2, 3] (size 3) to have maximum size of 2"},
		{"min max ok", `{"$.a":{"matchers":[{"match":"type","min":1,"max":3}]}}`, `{"a":[1]}`, `{"a":[7,8,9]}`, true, ""},
		{"include", `{"$.a":{"matchers":[{"match":"include","value":"ell"}]}}`, `{"a":"hello"}`, `{"a":"bell"}`, true, ""},
		{"number", `{"$.a":{"matchers":[{"match":"number"}]}}`, `{"a":1}`, `{"a":"1"}`, false, "to be a number"},
		{"integer", `{"$.a":{"matchers":[{"match":"integer"}]}}`, `{"a":1}`, `{"a":1.5}`, false, "integer"},
		{"integer above 2^53", `{"$.a":{"matchers":[{"match":"integer"}]}}`, `{"a":1}`, `{"a":123456789012345678901234}`, true, ""},
		{"decimal", `{"$.a":{"matchers":[{"match":"decimal"}]}}`, `{"a":1.5}`, `{"a":2}`, false, "decimal"},
		{"null", `{"$.a":{"matchers":[{"match":"null"}]}}`, `{"a":null}`, `{"a":0}`, false, "Expected 0 (Integer) to be a null value"},
		{"boolean string", `{"$.a":{"matchers":[{"match":"boolean"}]}}`, `{"a":true}`, `{"a":"false"}`, true, ""},
		{"date", `{"$.a":{"matchers":[{"match":"date","format":"yyyy-MM-dd"}]}}`, `{"a":"2020-01-01"}`, `{"a":"2021-13-01"}`, false, "Expected '2021-13-01' to match a date pattern of 'yyyy-MM-dd'"},
		{"time", `{"$.a":{"matchers":[{"match":"time","format":"HH:mm:ss"}]}}`, `{"a":"10:00:00"}`, `{"a":"23:59:59"}`, true, ""},
		{"datetime literal", `{"$.a":{"matchers":[{"match":"datetime","format":"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}]}}`, `{"a":"x"}`, `{"a":"2024-02-29T12:00:00.123+02:00"}`, true, ""},
		{"datetime ISO default", `{"$.a":{"matchers":[{"match":"timestamp"}]}}`, `{"a":"x"}`, `{"a":"2024-02-29T12:00:00Z"}`, true, ""},
		{"values", `{"$.m":{"matchers":[{"match":"values"}]}}`, `{"m":{"k":{"n":1}}}`, `{"m":{"x":{"n":2},"y":{"n":3}}}`, false, "Expected 2 (Integer) to be equal to 1 (Integer)"},
		{"values with type", `{"$.m":{"matchers":[{"match":"values"}]},"$.m.*":{"matchers":[{"match":"type"}]}}`, `{"m":{"k":{"n":1}}}`, `{"m":{"x":{"n":2},"y":{"n":3}}}`, true, ""},
		{"notEmpty", `{"$.a":{"matchers":[{"match":"notEmpty"}]}}`, `{"a":"x"}`, `{"a":""}`, false, "Expected '' (String) to not be empty"},
		{"semver", `{"$.a":{"matchers":[{"match":"semver"}]}}`, `{"a":"1.0.0"}`, `{"a":"1.0"}`, false, "semantic version"},
		{"semver ok", `{"$.a":{"matchers":[{"match":"semver"}]}}`, `{"a":"1.0.0"}`, `{"a":"10.2.3-rc.1+build.5"}`, true, ""},
		{"eachKey", `{"$.m":{"matchers":[{"match":"eachKey","rules":[{"match":"regex","regex":"[a-z]+"}]}]}}`, `{"m":{"a":1}}`, `{"m":{"b":1,"C1":2}}`, false, `Expected 'C1' to match '[a-z]+'`},
		{"eachValue", `{"$.m":{"matchers":[{"match":"eachValue","rules":[{"match":"integer"}]}]}}`, `{"m":[1]}`, `{"m":[1,2,"3"]}`, false, "integer"},
		{"arrayContains", `{"$.l":{"matchers":[{"match":"arrayContains","variants":[{"index":0,"rules":{"$.id":{"matchers":[{"match":"type"}]}}},{"index":1}]}]}}`, `{"l":[{"id":1},{"id":"x"}]}`, `{"l":[{"id":"x"},{"id":77}]}`, true, ""},
		{"arrayContains missing", `{"$.l":{"matchers":[{"match":"arrayContains","variants":[{"index":1}]}]}}`, `{"l":[{"id":1},{"id":"x"}]}`, `{"l":[{"id":1}]}`, false, "Variant at index 1"},
		{"combine OR", `{"$.a":{"combine":"OR","matchers":[{"match":"integer"},{"match":"null"}]}}`, `{"a":1}`, `{"a":null}`, true, ""},
		{"combine AND", `{"$.a":{"combine":"AND","matchers":[{"match":"integer"},{"match":"regex","regex":"1\\d"}]}}`, `{"a":1}`, `{"a":21}`, false, "to match"},
		{"unsupported rule", `{"$.a":{"matchers":[{"match":"telepathy"}]}}`, `{"a":1}`, `{"a":1}`, false, `"telepathy" is not supported`},
		{"most specific wins", `{"$.a.*":{"matchers":[{"match":"type"}]},"$.a.b":{"matchers":[{"match":"equality"}]}}`, `{"a":{"b":1,"c":1}}`, `{"a":{"b":2,"c":3}}`, false, "Expected 2 (Integer) to be equal to 1 (Integer)"},
		{"equality resets cascade", `{"$.l":{"matchers":[{"match":"type","min":1}]},"$.l[*].name":{"matchers":[{"match":"equality"}]}}`, `{"l":[{"name":"x","n":1}]}`, `{"l":[{"name":"x","n":5},{"name":"x","n":6}]}`, true, ""},
		{"contentType", `{"$":{"matchers":[{"match":"contentType","value":"application/json"}]}}`, `"x"`, `"{\"a\":1}"`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mis := MatchValue(mustJSON(t, tt.expected), mustJSON(t, tt.actual), bodyRules(t, tt.rules), Options{AllowUnexpectedKeys: true})
			if got := len(mis) == 0; got != tt.match {
				t.Fatalf("match = %v, want %v; mismatches %+v", got, tt.match, mis)
			}
			if tt.wantMsg != "" {
				found := false
				for _, m := range mis {
					if strings.Contains(m.Message, tt.wantMsg) {
						found = true
					}
					if m.Category != "body" || !strings.HasPrefix(m.Path, "$") {
						t.Errorf("mismatch without category/path: %+v", m)
					}
				}
				if !found {
					t.Errorf("no mismatch says %q: %+v", tt.wantMsg, mis)
				}
			}
		})
	}
}

func TestEveryMismatchReported(t *testing.T) {
	mis := MatchValue(mustJSON(t, `{"a":1,"b":"x","c":[1,2]}`), mustJSON(t, `{"a":2,"b":"y","c":[1]}`), nil, Options{AllowUnexpectedKeys: true})
	paths := map[string]bool{}
	for _, m := range mis {
		paths[m.Path] = true
	}
	for _, p := range []string{"$.a", "$.b", "$.c", "$.c[1]"} {
		if !paths[p] {
			t.Errorf("no mismatch at %s: %+v", p, mis)
		}
	}
}

func TestStatusCodeRule(t *testing.T) {
	tests := []struct {
		rule   string
		status int
		match  bool
	}{
		{`{"match":"statusCode","status":"success"}`, 204, true},
		{`{"match":"statusCode","status":"success"}`, 302, false},
		{`{"match":"statusCode","status":"clientError"}`, 404, true},
		{`{"match":"statusCode","status":"error"}`, 503, true},
		{`{"match":"statusCode","status":"nonError"}`, 500, false},
		{`{"match":"statusCode","status":[200,201]}`, 201, true},
		{`{"match":"statusCode","status":[200,201]}`, 202, false},
	}
	for _, tt := range tests {
		r, err := ParseRule(mustJSON(t, tt.rule).(map[string]any), "t")
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Check(200, tt.status, false) == nil; got != tt.match {
			t.Errorf("%s with %d: match %v, want %v", tt.rule, tt.status, got, tt.match)
		}
	}
	// status codes as they arrive from JSON, unsigned and beyond int64
	r, err := ParseRule(mustJSON(t, `{"match":"statusCode","status":"success"}`).(map[string]any), "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		actual any
		match  bool
	}{{json.Number("204"), true}, {uint16(201), true}, {json.Number("404"), false}, {json.Number("200.5"), false},
		{json.Number("18446744073709551816"), false}, {"200", false}} {
		if got := r.Check(200, tt.actual, false) == nil; got != tt.match {
			t.Errorf("success with %#v: match %v, want %v", tt.actual, got, tt.match)
		}
	}
}

func TestHeadersAndMetadata(t *testing.T) {
	raw := mustJSON(t, `{"header":{"X-Id":{"matchers":[{"match":"regex","regex":"[0-9a-f]{4}"}]}},"metadata":{"grpc-status":{"matchers":[{"match":"equality"}]}}}`).(map[string]any)
	rules, err := ParseRules(raw, "t")
	if err != nil {
		t.Fatal(err)
	}
	e := map[string][]string{"x-id": {"abcd"}, "Content-Type": {"application/json"}, "Accept": {"a, b"}}
	a := map[string][]string{"X-ID": {"00ff"}, "content-type": {"application/json; charset=utf-8"}, "ACCEPT": {"a,b"}, "Extra": {"1"}}
	if mis := MatchHeaders(e, a, rules.Get("header")); len(mis) != 0 {
		t.Errorf("headers: %+v", mis)
	}
	a["X-ID"] = []string{"zzzz"}
	delete(a, "ACCEPT")
	if mis := MatchHeaders(e, a, rules.Get("header")); len(mis) != 2 {
		t.Errorf("want 2 header mismatches, got %+v", mis)
	}
	em := map[string]any{"grpc-status": "NOT_FOUND", "partition": json.Number("3")}
	am := HeadersToMetadata(map[string][]string{"grpc-status": {"NOT_FOUND"}, "partition": {"3"}})
	if mis := MatchMetadata(em, am, rules.Get("metadata")); len(mis) != 0 {
		t.Errorf("metadata: %+v", mis)
	}
	am["grpc-status"] = "OK"
	if mis := MatchMetadata(em, am, rules.Get("metadata")); len(mis) != 1 || mis[0].Category != "metadata" {
		t.Errorf("want 1 metadata mismatch, got %+v", mis)
	}
}

func TestQueryFormTextBinary(t *testing.T) {
	if mis := MatchQuery(ParseQuery("a=1&a=2&b=x"), ParseQuery("b=x&a=1&a=2&"), nil); len(mis) != 0 {
		t.Errorf("query: %+v", mis)
	}
	if mis := MatchQuery(ParseQuery("a=1&a=2"), ParseQuery("a=2&a=1&c=3"), nil); len(mis) != 3 {
		t.Errorf("want 3 query mismatches (2 order, 1 unexpected), got %+v", mis)
	}
	form := bodyRules(t, `{"$.qty":{"matchers":[{"match":"integer"}]}}`)
	if mis := MatchForm("name=tea&qty=1", "qty=7&name=tea", form, false); len(mis) != 0 {
		t.Errorf("form: %+v", mis)
	}
	if mis := MatchForm("name=tea", "name=tea&x=1", nil, false); len(mis) != 1 {
		t.Errorf("form unexpected field: %+v", mis)
	}
	if mis := MatchText("hello", "hello!", nil); len(mis) != 1 {
		t.Errorf("text: %+v", mis)
	}
	png := []byte("\x89PNG\r\n\x1a\n0000")
	ct := bodyRules(t, `{"$":{"matchers":[{"match":"contentType","value":"image/png"}]}}`)
	if mis := MatchBinary([]byte("x"), png, ct); len(mis) != 0 {
		t.Errorf("binary contentType: %+v", mis)
	}
	if mis := MatchBinary([]byte("x"), []byte("GIF89a...."), ct); len(mis) != 1 {
		t.Errorf("binary contentType mismatch: %+v", mis)
	}
}

func TestXMLRulesAndNamespaces(t *testing.T) {
	e := []byte(`<order xmlns="urn:o" id="1"><item sku="A">2</item></order>`)
	act := []byte(`<o:order xmlns:o="urn:o" id="77"><o:item sku="B">5</o:item><o:item sku="C">6</o:item></o:order>`)
	rules := bodyRules(t, `{"$['urn:o:order']['@id']":{"matchers":[{"match":"integer"}]},"$['urn:o:order']['urn:o:item']":{"matchers":[{"match":"type"}]}}`)
	if mis := MatchXML(e, act, rules, Options{AllowUnexpectedKeys: true}); len(mis) != 0 {
		t.Errorf("prefixes differ but namespaces agree, rules hold: %+v", mis)
	}
	bad := []byte(`<order xmlns="urn:o" id="7x"><item sku="B">5</item><item>6</item></order>`)
	if mis := MatchXML(e, bad, rules, Options{AllowUnexpectedKeys: true}); len(mis) != 2 {
		// the integer rule fails on @id; the second item lacks the sku attribute
		t.Errorf("want 2 mismatches, got %+v", mis)
	}
	if mis := MatchXML(e, []byte(`<order xmlns="urn:other"/>`), nil, Options{}); len(mis) == 0 {
		t.Error("different namespace matched")
	}
	if mis := MatchXML(e, []byte(`<order`), nil, Options{}); len(mis) != 1 || !strings.Contains(mis[0].Message, "not valid XML") {
		t.Errorf("malformed XML: %+v", mis)
	}
}
