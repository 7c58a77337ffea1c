package matching

import (
	"strings"
	"testing"
)

// parityCase is one comparison whose verdict (and, for a mismatch, path and message fragment)
// follows pact-reference.
type parityCase struct {
	name, rules, expected, actual string
	request                       bool // strict: unexpected keys are mismatches
	wantPaths                     []string
	wantMsg                       string
}

func runParity(t *testing.T, cases []parityCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var rules *Category
			if tt.rules != "" {
				rules = bodyRules(t, tt.rules)
			}
			mis := MatchValue(mustJSON(t, tt.expected), mustJSON(t, tt.actual), rules, Options{AllowUnexpectedKeys: !tt.request})
			var paths []string
			for _, m := range mis {
				paths = append(paths, m.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tt.wantPaths, " ") {
				t.Fatalf("mismatch paths %q, want %q: %+v", paths, tt.wantPaths, mis)
			}
			if tt.wantMsg != "" && !strings.Contains(mis[0].Message, tt.wantMsg) {
				t.Errorf("message %q, want it to contain %q", mis[0].Message, tt.wantMsg)
			}
		})
	}
}

// Issue 14, difference 1: eachKey and eachValue on maps (pact-reference
// compare_maps_with_matchingrule) and eachValue on arrays (compare_lists_with_matchingrule).
func TestEachKeyEachValue(t *testing.T) {
	eachKey := `{"$.tags":{"matchers":[{"match":"eachKey","rules":[{"match":"regex","regex":"[a-z]+"}]}]}}`
	eachValue := `{"$.tags":{"matchers":[{"match":"eachValue","rules":[{"match":"regex","regex":"yes|no"}]}]}}`
	runParity(t, []parityCase{
		// the trial: Pact passes, commbench failed "$.tags.gift: Expected "no" but received "yes""
		{name: "eachKey values are not compared by equality", rules: eachKey,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":"yes","fragile":"no"}}`},
		{name: "eachKey does not require the example's keys", rules: eachKey,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"other":"x"}}`},
		{name: "eachKey checks every key, path in brackets", rules: eachKey,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":"no","100":"d"}}`,
			wantPaths: []string{"$.tags[100]"}, wantMsg: "Expected '100' to match '[a-z]+'"},
		// stricter than pact-reference (which compares no value under eachKey): the example's type
		{name: "eachKey values keep the example's type", rules: eachKey,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":1}}`,
			wantPaths: []string{"$.tags.gift"}, wantMsg: "to be the same type as 'no' (String)"},
		{name: "eachKey values follow the pact's own rules below", rules: `{"$.tags":{"matchers":[{"match":"eachKey","rules":[{"match":"regex","regex":"[a-z]+"}]}]},"$.tags.*":{"matchers":[{"match":"regex","regex":"yes|no"}]}}`,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":"maybe"}}`,
			wantPaths: []string{"$.tags.gift"}, wantMsg: "Expected 'maybe' to match 'yes|no'"},
		{name: "eachValue checks values with its sub-rules only", rules: eachValue,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":"yes","fragile":"no"}}`},
		{name: "eachValue failing value", rules: eachValue,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"gift":"yes","fragile":"perhaps"}}`,
			wantPaths: []string{"$.tags.fragile"}, wantMsg: "Expected 'perhaps' to match 'yes|no'"},
		{name: "eachValue in a request accepts keys the example lacks", rules: eachValue, request: true,
			expected: `{"tags":{"gift":"no"}}`, actual: `{"tags":{"fragile":"no"}}`},
		{name: "eachValue sub-rules cascade into nested values", rules: `{"$.items":{"matchers":[{"match":"eachValue","rules":[{"match":"type"}]}]}}`,
			expected: `{"items":{"a":{"id":1,"name":"x"}}}`, actual: `{"items":{"b":{"id":2,"name":"y"},"c":{"id":"3","name":"z"}}}`,
			wantPaths: []string{"$.items.c.id"}, wantMsg: "Expected '3' (String) to be the same type as 1 (Integer)"},
		{name: "eachValue on an array recurses into the elements", rules: `{"$.l":{"matchers":[{"match":"eachValue","rules":[{"match":"type"}]}]}}`,
			expected: `{"l":[{"id":1}]}`, actual: `{"l":[{"id":2},{"id":"x"}]}`,
			wantPaths: []string{"$.l[1].id"}, wantMsg: "to be the same type as 1 (Integer)"},
	})
}

// Issue 14, broader corpus: an XML type rule's min and max count the element's child nodes, text
// included, as pact-reference does; <item>a</item> has one.
func TestXMLMinCountsTextNodes(t *testing.T) {
	rules := bodyRules(t, `{"$.items.item":{"matchers":[{"match":"type","min":1}]}}`)
	e := []byte(`<?xml version="1.0" encoding="UTF-8"?><items><item>a</item><item>b</item></items>`)
	if mis := MatchXML(e, []byte(`<items><item>x</item><item>y</item><item>z</item></items>`), rules, Options{AllowUnexpectedKeys: true}); len(mis) != 0 {
		t.Errorf("items with text against min 1: %+v", mis)
	}
	mis := MatchXML(e, []byte(`<items><item/></items>`), rules, Options{AllowUnexpectedKeys: true})
	if len(mis) == 0 || !strings.Contains(mis[0].Message, "to have minimum size of 1") {
		t.Errorf("an empty item against min 1: %+v", mis)
	}
	max := bodyRules(t, `{"$.list":{"matchers":[{"match":"type","max":2}]}}`)
	mis = MatchXML([]byte(`<list><i/></list>`), []byte(`<list>text<i/><!-- c --><i/></list>`), max, Options{AllowUnexpectedKeys: true})
	if len(mis) == 0 || !strings.Contains(mis[0].Message, "(4 child node(s)) to have maximum size of 2") {
		t.Errorf("text, comment and elements against max 2: %+v", mis)
	}
}

// Numbers where Pact's reference verifier (pact verifier 18.1.2) departs from JSON (RFC 8259),
// which the Pact specification's bodies are, and commbench follows JSON: recorded reference
// verdicts beside commbench's.
func TestNumberRulesFollowJSONNotReferenceQuirks(t *testing.T) {
	for _, c := range []struct {
		rule, value string
		reference   bool
		want        bool
		why         string
	}{
		{"integer", "18446744073709551616", false, true, "an integer beyond 64 bits is an integer; the reference reads it as a float (Expected 1.8446744073709552e+19 (Decimal) to be an integer)"},
		{"integer", "-0", false, true, "-0 has no fraction: an integer; the reference reads it as the float -0.0"},
		{"decimal", "-0", true, false, "-0 has no fraction, so it is not a decimal; the reference reads it as the float -0.0"},
		{"integer", "9223372036854775807", true, true, ""},
		{"decimal", "-0.0", true, true, ""},
		{"number", "18446744073709551616", true, true, ""},
	} {
		r := &Rule{Match: c.rule}
		got := r.Check(nil, mustJSON(t, c.value), false) == nil
		if got != c.want {
			t.Errorf("%s %s: commbench %v, want %v (reference %v)", c.rule, c.value, got, c.want, c.reference)
		}
		if c.reference != c.want {
			t.Logf("%s %s: reference %v, commbench %v: %s", c.rule, c.value, c.reference, got, c.why)
		}
	}
}
