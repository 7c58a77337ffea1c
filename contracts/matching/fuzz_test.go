package matching

import (
	"encoding/json"
	"testing"
)

// FuzzMatchValue: rules and values from arbitrary JSON never panic the matcher, and a value
// always matches itself when no rule is given.
func FuzzMatchValue(f *testing.F) {
	f.Add(`{"$.a":{"matchers":[{"match":"type","min":1}]}}`, `{"a":[1,2]}`, `{"a":[3]}`)
	f.Add(`{"$[*].x":{"combine":"OR","matchers":[{"match":"regex","regex":"\\d+"},{"match":"null"}]}}`, `[{"x":"1"}]`, `[{"x":null},{"x":"2"}]`)
	f.Add(`{"$.m":{"matchers":[{"match":"values"},{"match":"eachKey","rules":[{"match":"semver"}]}]}}`, `{"m":{"1.0.0":1}}`, `{"m":{"x":2}}`)
	f.Add(`{"$.l":{"matchers":[{"match":"arrayContains","variants":[{"index":0},{"index":5}]}]}}`, `{"l":[1]}`, `{"l":[1,2]}`)
	f.Add(`{"$.d":{"matchers":[{"match":"datetime","format":"yyyy-MM-dd'T'HH:mm[:ss]XXX"}]}}`, `{"d":"x"}`, `{"d":"2020-01-01T10:00Z"}`)
	f.Fuzz(func(t *testing.T, rules, expected, actual string) {
		var rm map[string]any
		if json.Unmarshal([]byte(rules), &rm) != nil {
			rm = nil
		}
		var cat *Category
		if r, err := ParseRules(map[string]any{"body": rm}, "fuzz"); err == nil {
			cat = r.Get("body")
		}
		e, err1 := decode(expected)
		a, err2 := decode(actual)
		if err1 != nil || err2 != nil {
			return
		}
		MatchValue(e, a, cat, Options{})
		MatchValue(e, a, cat, Options{AllowUnexpectedKeys: true})
		if mis := MatchValue(e, e, nil, Options{}); len(mis) != 0 {
			t.Fatalf("value does not match itself: %s %+v", expected, mis)
		}
		MatchXML([]byte(expected), []byte(actual), cat, Options{})
		MatchForm(expected, actual, cat, false)
		MatchText(expected, actual, cat)
	})
}

func decode(s string) (any, error) {
	var v any
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}
