package matching

import "testing"

// TestParseRulesErrorLocations: errors name the place of the bad rule (built only on error).
func TestParseRulesErrorLocations(t *testing.T) {
	tests := []struct {
		name, rules, want string
	}{
		{"bad combine", `{"body":{"$.a":{"combine":"XOR","matchers":[]}}}`,
			`i[0]: matchingRules.body["$.a"]: combine "XOR": expected AND or OR`},
		{"matcher not an object", `{"body":{"$.a":{"matchers":[{"match":"type"},1]}}}`,
			`i[0]: matchingRules.body["$.a"].matchers[1]: expected an object`},
		{"invalid regex", `{"body":{"$.a":{"matchers":[{"match":"type"},{"match":"regex","regex":"("}]}}}`,
			"i[0]: matchingRules.body[\"$.a\"].matchers[1]: invalid regular expression \"(\": error parsing regexp: missing closing ): `(`"},
		{"negative min", `{"body":{"$.a":{"matchers":[{"match":"type","min":-1}]}}}`,
			`i[0]: matchingRules.body["$.a"].matchers[0]: "min" must be a non-negative integer, got -1`},
		{"bad path", `{"body":{"$.a[":{"matchers":[{"match":"type"}]}}}`,
			`i[0]: matchingRules.body["$.a["]: jsonpath "$.a[": unterminated '[' at offset 3`},
		{"single list", `{"path":{"matchers":[{"match":"date","format":"yyyy-MM-dd'"}]}}`,
			`i[0]: matchingRules.path.matchers[0]: date/time format "yyyy-MM-dd'": unterminated quoted literal`},
		{"eachValue sub-rule", `{"body":{"$.m":{"matchers":[{"match":"eachValue","rules":[{"match":"regex"}]}]}}}`,
			`i[0]: matchingRules.body["$.m"].matchers[0].rules[0]: regex rule without a "regex" string`},
		{"arrayContains variant rule", `{"body":{"$.l":{"matchers":[{"match":"arrayContains","variants":[{"index":0,"rules":{"$.x":{"matchers":[{"match":"regex","regex":"["}]}}}]}]}}}`,
			"i[0]: matchingRules.body[\"$.l\"].matchers[0].variants[0].rules[\"$.x\"].matchers[0]: invalid regular expression \"[\": error parsing regexp: missing closing ]: `[`"},
		{"V2 flat rule", `{"$.body.a":{"max":"x"}}`,
			`i[0]: matchingRules["$.body.a"]: "max" must be a non-negative integer, got x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules(mustJSON(t, tt.rules).(map[string]any), "i[0]")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v\nwant       %s", err, tt.want)
			}
		})
	}
}
