package matching

import (
	"strings"
	"testing"
)

// selectByTrie walks to the location through the path trie, as MatchValue does.
func selectByTrie(c *Category, segments []string) (*RuleList, bool, bool) {
	w := walker{rules: c}
	var f frame
	w.root(&f)
	for _, s := range segments[1:] {
		var next frame
		w.enter(&f, s, &next)
		f = next
	}
	return w.best(&f)
}

// checkTrieAgainstBest requires the trie walk to select the same rule list as Category.Best (the
// specification's weighting computed path by path) at every location.
func checkTrieAgainstBest(t *testing.T, c *Category, locations [][]string) {
	t.Helper()
	for _, loc := range locations {
		wl, wc, wok := c.Best(loc)
		gl, gc, gok := selectByTrie(c, loc)
		if wl != gl || wc != gc || wok != gok {
			t.Errorf("%s: trie selects (%s, cascaded %v, %v), Best selects (%s, cascaded %v, %v)",
				strings.Join(loc, "/"), describe(c, gl), gc, gok, describe(c, wl), wc, wok)
		}
	}
}

func describe(c *Category, l *RuleList) string {
	if l == nil {
		return "none"
	}
	for i := range c.Entries {
		if &c.Entries[i].List == l {
			return c.Entries[i].Key
		}
		if &c.Entries[i].inherited == l {
			return c.Entries[i].Key + " (inherited)"
		}
	}
	return "?"
}

func TestPathTrieSelectsAsBest(t *testing.T) {
	locations := [][]string{
		{"$"}, {"$", "a"}, {"$", "a", "b"}, {"$", "a", "b", "c"}, {"$", "a", "0"}, {"$", "a", "1"},
		{"$", "a", "0", "b"}, {"$", "a", "1", "b"}, {"$", "a", "0", "b", "c"}, {"$", "x", "0"},
		{"$", "0"}, {"$", "0", "a"}, {"$", "items", "3", "qty"}, {"$", "items", "3", "tags", "1"},
		{"$", "$"}, {"$", "a", "*"}, {"$", "a", "07"}, {"$", "a", "b", "c", "d", "e"},
		{"$", "k3"}, {"$", "k9", "x"}, {"$", "k10"},
	}
	tests := []struct {
		name  string
		paths []string
	}{
		{"names", []string{"$.a", "$.a.b", "$.x"}},
		{"star beats nothing, name beats star", []string{"$.a.*", "$.a.b", "$.*"}},
		{"index and star index", []string{"$.a[0]", "$.a[*]", "$.a[*].b", "$.a[1].b"}},
		{"digit field name versus index", []string{"$.a['0']", "$.a[0]", "$.a.*"}},
		{"equal weight: longer path wins", []string{"$.a", "$.*.b", "$.a.*.c"}},
		{"equal weight and length: first entry wins", []string{"$.a[*]", "$.a.*", "$['a'].*"}},
		{"inherited ancestor outweighs a starred exact path", []string{"$.a.b", "$.*.*.*", "$.a.b.c.*"}},
		{"root rule", []string{"$", "$.items[*].qty", "$.items[*].tags"}},
		{"structural rules are not inherited", []string{"$.a:values", "$.a.b:eachKey", "$.*"}},
		{"root as a field name", []string{"$['$']", "$.*"}},
		{"more named children than a list holds", []string{"$.k0", "$.k1", "$.k2", "$.k3", "$.k4", "$.k5", "$.k6", "$.k7", "$.k8", "$.k9.*", "$.a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{}
			for i, p := range tt.paths {
				match := "type"
				if k, m, ok := strings.Cut(p, ":"); ok {
					p, match = k, m
				}
				raw[p] = map[string]any{"matchers": []any{map[string]any{"match": match, "min": i}}}
			}
			r, err := ParseRules(map[string]any{"body": raw}, "test")
			if err != nil {
				t.Fatal(err)
			}
			checkTrieAgainstBest(t, r.Get("body"), locations)
		})
	}
}

// TestPathTrieHandBuiltCategory: a category that gets an entry after a walk built its trie
// selects with the new entry.
func TestPathTrieHandBuiltCategory(t *testing.T) {
	r, err := ParseRules(map[string]any{"body": map[string]any{"$.a": map[string]any{"matchers": []any{map[string]any{"match": "type"}}}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c := r.Get("body")
	if gl, _, _ := selectByTrie(c, []string{"$", "a", "b"}); gl == nil || gl.Rules[0].Match != "type" {
		t.Fatalf("$.a.b inherits %s, want $.a", describe(c, gl))
	}
	l := RuleList{Combine: "AND", Rules: []Rule{{Match: "integer", Min: -1, Max: -1}}}
	if err := c.add("body", "$.a.b", l, func() string { return "test" }); err != nil {
		t.Fatal(err)
	}
	checkTrieAgainstBest(t, c, [][]string{{"$", "a"}, {"$", "a", "b"}, {"$", "a", "c"}})
	if gl, _, _ := selectByTrie(c, []string{"$", "a", "b"}); gl == nil || gl.Rules[0].Match != "integer" {
		t.Fatalf("the entry added after ParseRules is not selected: %s", describe(c, gl))
	}
}

// FuzzPathTrie: for arbitrary rule paths and locations the trie selects what Category.Best does.
func FuzzPathTrie(f *testing.F) {
	f.Add("$.a.*|$.a.b|$[*]|$.a[0]", "a/b")
	f.Add("$.a[*].b|$.*.*|$['a'].*", "a/0/b")
	f.Add("$|$.*|$['0']", "0")
	f.Fuzz(func(t *testing.T, paths, location string) {
		raw := map[string]any{}
		for i, p := range strings.Split(paths, "|") {
			if i >= 12 {
				break
			}
			raw[p] = map[string]any{"matchers": []any{map[string]any{"match": "type", "min": i}}}
		}
		r, err := ParseRules(map[string]any{"body": raw}, "fuzz")
		if err != nil || r.Get("body") == nil {
			return
		}
		loc := []string{"$"}
		if location != "" {
			loc = append(loc, strings.Split(location, "/")...)
		}
		if len(loc) > 20 {
			return
		}
		for i := 1; i <= len(loc); i++ {
			c := r.Get("body")
			wl, wc, wok := c.Best(loc[:i])
			gl, gc, gok := selectByTrie(c, loc[:i])
			if wl != gl || wc != gc || wok != gok {
				t.Fatalf("%q at %q: trie %s %v %v, Best %s %v %v", paths, loc[:i], describe(c, gl), gc, gok, describe(c, wl), wc, wok)
			}
		}
	})
}
