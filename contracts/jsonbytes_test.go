package contracts

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/commbench/commbench/contracts/matching"
)

// differ compares the JSON body comparison with the byte walk (matchJSONBody with fast) and the
// tree walk alone: the mismatches must be the same, and the plan may accept a body only when
// the tree walk finds no mismatch. It returns whether the plan accepted the body.
func differ(t *testing.T, expected, actual *Body, rules *matching.Category, allow bool) bool {
	t.Helper()
	opts := matching.Options{AllowUnexpectedKeys: allow}
	tree := matchJSONBody(expected, actual, rules, opts, false)
	fast := matchJSONBody(expected, actual, rules, opts, true)
	if !(len(tree) == 0 && len(fast) == 0) && !reflect.DeepEqual(tree, fast) {
		t.Fatalf("expected %s\nactual %q (allow unexpected keys %v):\nbyte walk %+v\ntree walk %+v", expected.Content, actual.Content, allow, fast, tree)
	}
	p := expected.jsonPlan(rules, opts)
	accepted := p != nil && p.Matches(actual.Content)
	if accepted && len(tree) != 0 {
		t.Fatalf("expected %s\nactual %q (allow unexpected keys %v): the plan accepts a body with mismatches %+v", expected.Content, actual.Content, allow, tree)
	}
	return accepted
}

func expectedJSONBody(content []byte) *Body {
	b := &Body{State: BodyPresent, ContentType: "application/json", Content: content}
	b.cacheJSON(nil, false)
	return b
}

// TestJSONBytesSpecCases: on every JSON body of the specification cases, the byte walk gives
// the tree walk's mismatches.
func TestJSONBytesSpecCases(t *testing.T) {
	cases, accepted := 0, 0
	eachSpecCase(t, func(version, rel string, major int, c specCase) {
		kind := strings.Split(rel, "/")[0]
		e, a := decodeObject(t, c.Expected), decodeObject(t, c.Actual)
		var eb, ab *Body
		var rules matching.Rules
		allow := true
		switch kind {
		case "request":
			er, err1 := ParseRequest(e, major, "expected")
			ar, err2 := ParseRequest(a, major, "actual")
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", rel, err1, err2)
			}
			eb, ab, rules, allow = &er.Body, &ar.Body, er.Rules, false
		case "response":
			er, err1 := ParseResponse(e, major, "expected")
			ar, err2 := ParseResponse(a, major, "actual")
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", rel, err1, err2)
			}
			eb, ab, rules = &er.Body, &ar.Body, er.Rules
		case "message":
			em, err1 := ParseMessage(e, "expected")
			am, err2 := ParseMessage(a, "actual")
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", rel, err1, err2)
			}
			eb, ab, rules = &em.Contents, &am.Contents, em.Rules
		}
		if eb.State != BodyPresent || ab.State != BodyPresent || !isJSONType(contentTypeOf(eb)) || !isJSONType(contentTypeOf(ab)) || eb.json == nil {
			return
		}
		cases++
		t.Run(version+"/"+rel, func(t *testing.T) {
			for _, al := range []bool{allow, !allow} {
				if differ(t, eb, ab, rules.Get("body"), al) && al == allow {
					accepted++
				}
			}
		})
	})
	t.Logf("%d JSON body cases, %d accepted by the byte walk", cases, accepted)
	if cases < 100 || accepted < cases/4 {
		t.Errorf("%d JSON body cases, %d accepted by the byte walk: the test does not exercise it", cases, accepted)
	}
}

// scalarRe finds the scalar values of the benchmark body (after a colon or in an array).
var scalarRe = regexp.MustCompile(`[:\[,](?:"[^"]*"|-?[0-9][0-9.eE+-]*|true|false|null)`)

// mutations returns variants of a JSON document: every scalar replaced by each of a set of
// values, every key renamed, duplicated or escaped, arrays cut and extended, white space,
// truncation and trailing data.
func mutations(doc string) []string {
	values := []string{`"x"`, `""`, `"\u0041"`, `"\ud800"`, `1`, `-0`, `1.5`, `1e400`, `1E2`, `123456789012345678901234567890`, `true`, `false`, `null`, `[]`, `{}`, `["a"]`, `{"k":1}`,
		`"SKU-9999"`, `"SKU-12345"`, `"2024-02-30"`, `"2024-02-29T12:00:00"`, `"1.2"`, `"EUR"`, `"PAID"`, `"a@b"`, `"0af7651916cd43dd8448eb211c80319c"`, `"true"`}
	var out []string
	for _, loc := range scalarRe.FindAllStringIndex(doc, -1) {
		if loc[0] > 450 && loc[0] < len(doc)-250 {
			continue // the middle items repeat the first ones
		}
		for _, v := range values {
			out = append(out, doc[:loc[0]+1]+v+doc[loc[1]:])
		}
	}
	keyRe := regexp.MustCompile(`"([a-z]+)":`)
	for _, loc := range keyRe.FindAllStringSubmatchIndex(doc, -1) {
		key := doc[loc[2]:loc[3]]
		val := doc[loc[1]:]
		out = append(out,
			doc[:loc[0]]+`"zz":`+doc[loc[1]:],                  // renamed
			doc[:loc[0]]+`"\u00":`+val,                         // invalid escape
			doc[:loc[0]]+`"\u00`+hex2(key[0])+key[1:]+`":`+val, // escaped key
			doc[:loc[0]]+`"`+key+`":1,"`+key+`":`+val,          // duplicate
			doc[:loc[0]]+`"zz":null,"`+key+`":`+val,            // extra key
			doc[:loc[0]]+" \n\t\r"+doc[loc[0]:],                // white space
		)
	}
	for _, cut := range []int{1, len(doc) / 2, len(doc) - 1} {
		out = append(out, doc[:cut])
	}
	out = append(out, doc+" x", " "+doc+"\n", doc+"\x00", "\ufeff"+doc, strings.Replace(doc, "Ada", "A\xffa", 1), strings.Replace(doc, "Ada", "A\x01a", 1))
	// arrays: first item removed, last item duplicated, emptied
	i := strings.Index(doc, `"items":[`) + len(`"items":[`)
	if j := strings.Index(doc[i:], `},{`); j > 0 {
		out = append(out, doc[:i]+doc[i+j+2:], doc[:i]+doc[i:i+j+1]+","+doc[i:])
	}
	out = append(out, strings.Replace(doc, `["a","b"]`, `[]`, 1), strings.Replace(doc, `["a","b"]`, `["a","b","c","d","e","f"]`, 1))
	return out
}

// hex2 is c in two hexadecimal digits.
func hex2(c byte) string {
	const h = "0123456789abcdef"
	return string([]byte{h[c>>4], h[c&15]})
}

// TestJSONBytesBenchFixture: the benchmark body is accepted by the byte walk, and on each of its
// mutations the byte walk gives the tree walk's mismatches.
func TestJSONBytesBenchFixture(t *testing.T) {
	body, rules := benchBody()
	var rm map[string]any
	if err := json.Unmarshal([]byte(rules), &rm); err != nil {
		t.Fatal(err)
	}
	rs, err := matching.ParseRules(map[string]any{"body": rm}, "bench")
	if err != nil {
		t.Fatal(err)
	}
	cat := rs.Get("body")
	expected := expectedJSONBody([]byte(body))
	actual := bytes.ReplaceAll([]byte(body), []byte("item number"), []byte("article no."))
	for _, allow := range []bool{true, false} {
		if !differ(t, expected, &Body{State: BodyPresent, ContentType: "application/json", Content: actual}, cat, allow) {
			t.Fatalf("the byte walk does not accept the benchmark body (allow unexpected keys %v)", allow)
		}
	}
	muts := mutations(string(actual))
	accepted, rejected := 0, 0
	for _, cat := range []*matching.Category{cat, nil} {
		for _, m := range muts {
			for _, allow := range []bool{true, false} {
				if differ(t, expected, &Body{State: BodyPresent, ContentType: "application/json", Content: []byte(m)}, cat, allow) {
					accepted++
				} else {
					rejected++
				}
			}
		}
	}
	t.Logf("%d mutations: %d accepted by the byte walk, %d left to the tree walk", len(muts), accepted, rejected)
	if accepted < 100 || rejected < 100 {
		t.Errorf("%d accepted, %d rejected: the mutations do not exercise both sides", accepted, rejected)
	}
}

// FuzzJSONBytes: for any rules, expected and actual document, the byte walk gives the tree
// walk's mismatches.
func FuzzJSONBytes(f *testing.F) {
	body, rules := benchBody()
	f.Add(rules, body, []byte(strings.ReplaceAll(body, "item number", "article no.")), true)
	f.Add(rules, body, []byte(strings.Replace(body, `"qty":1,`, `"qty":1.5,`, 1)), false)
	f.Add(`{"$.a":{"matchers":[{"match":"type","min":1}]}}`, `{"a":[1,2]}`, []byte(`{"a":[3]}`), true)
	f.Add(`{"$[*].x":{"combine":"OR","matchers":[{"match":"regex","regex":"\\d+"},{"match":"null"}]}}`, `[{"x":"1"}]`, []byte(`[{"x":null},{"x":"2"}]`), true)
	f.Add(`{"$.m":{"matchers":[{"match":"values"}]}}`, `{"m":{"a":1}}`, []byte(`{"m":{"x":2}}`), true)
	f.Add(`{"$.l[1]":{"matchers":[{"match":"integer"}]},"$.l":{"matchers":[{"match":"type"}]}}`, `{"l":[1,2]}`, []byte(`{"l":[1,2,"3"]}`), true)
	f.Add(`{"$.s":{"matchers":[{"match":"include","value":"é"}]}}`, `{"s":"é"}`, []byte(`{"s":"\u00e9","s2":"\ud800"}`), false)
	f.Add(`{"$.n":{"matchers":[{"match":"decimal"}]},"$.b":{"matchers":[{"match":"boolean"}]}}`, `{"n":1.5,"b":true}`, []byte(`{"n":1e400,"b":"true"}`), true)
	f.Add(`{}`, `{"a":{"b":[1,"x",null,true]}}`, []byte(`{"a":{"b":[1,"x",null,true]},"a":{}}`), true)
	f.Fuzz(func(t *testing.T, rules, expected string, actual []byte, allow bool) {
		var rm map[string]any
		if json.Unmarshal([]byte(rules), &rm) != nil {
			rm = nil
		}
		var cat *matching.Category
		if r, err := matching.ParseRules(map[string]any{"body": rm}, "fuzz"); err == nil {
			cat = r.Get("body")
		}
		eb := expectedJSONBody([]byte(expected))
		if eb.json == nil || eb.json.err != nil {
			return
		}
		differ(t, eb, &Body{State: BodyPresent, ContentType: "application/json", Content: actual}, cat, allow)
	})
}
