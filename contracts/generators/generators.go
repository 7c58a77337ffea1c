// Package generators holds Pact generators (V3 and V4, SPEC-v4.md "Generators") and applies them:
// RandomInt, RandomDecimal, RandomHexadecimal, RandomString, Regex, Uuid (simple,
// lower-case-hyphenated, upper-case-hyphenated, URN), Date, Time, DateTime, RandomBoolean,
// ProviderState (values from the provider state change response) and MockServerURL.
package generators

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Generator is one generator, e.g. {"type": "RandomInt", "min": 0, "max": 10}.
type Generator struct {
	Type  string
	Attrs map[string]any // the object as written, including "type"
}

// Category maps a key (JSONPath for bodies, a name for headers, query and metadata, "" for the
// single-valued path, status and method categories) to its generator.
type Category struct {
	Name    string // as written (body, content...)
	Single  *Generator
	Entries map[string]Generator
}

// Set maps a canonical category name (body, header, query, path, status, metadata) to generators.
type Set map[string]*Category

// Parse reads a generators object {category: {key: generator}} or {category: generator} for
// single-valued categories. where names the location for errors; categories and keys are read in
// sorted order, so an object with several faults always gets the error of the same one.
func Parse(raw map[string]any, where string) (Set, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := Set{}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		obj, ok := raw[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: generators.%s: expected an object", where, k)
		}
		c := &Category{Name: k}
		out[canonical(k)] = c
		if t, ok := obj["type"].(string); ok {
			c.Single = &Generator{Type: t, Attrs: obj}
			continue
		}
		c.Entries = map[string]Generator{}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			g, ok := obj[key].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: generators.%s[%q]: expected an object", where, k, key)
			}
			t, ok := g["type"].(string)
			if !ok {
				return nil, fmt.Errorf("%s: generators.%s[%q]: generator has no \"type\"", where, k, key)
			}
			c.Entries[key] = Generator{Type: t, Attrs: g}
		}
	}
	return out, nil
}

func canonical(name string) string {
	switch name {
	case "content", "contents":
		return "body"
	case "headers":
		return "header"
	case "metaData":
		return "metadata"
	}
	return name
}

// Raw renders the set back to its JSON form.
func (s Set) Raw() map[string]any {
	if len(s) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, c := range s {
		if c.Single != nil {
			out[c.Name] = c.Single.Attrs
			continue
		}
		m := map[string]any{}
		for k, g := range c.Entries {
			m[k] = g.Attrs
		}
		out[c.Name] = m
	}
	return out
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
