package matching

import (
	"fmt"
	"sort"
	"strings"

	"github.com/commbench/commbench/contracts/jsonpath"
	"github.com/commbench/commbench/results"
)

// Options configure a body comparison.
type Options struct {
	// AllowUnexpectedKeys: extra object keys (and XML attributes/children) in the actual value are
	// accepted. True for responses and messages, false for requests (Pact V2 "Request body").
	AllowUnexpectedKeys bool
	// Category is written into each mismatch ("body" by default).
	Category string
}

// MatchValue compares an actual value with the expected one, both in the JSON data model
// (map[string]any, []any, string, json.Number or another Go number, bool, nil; []byte for
// binary), applying the body rules (JSONPath keys; nil for none). It is the engine for JSON
// bodies and for bodies decoded by format codecs (Protobuf, Avro). Returns every mismatch.
func MatchValue(expected, actual any, rules *Category, opts Options) []results.Mismatch {
	w := walker{rules: rules, opts: opts}
	if w.opts.Category == "" {
		w.opts.Category = "body"
	}
	w.compare([]string{"$"}, expected, actual)
	return w.out
}

type walker struct {
	rules   *Category
	opts    Options
	textual bool // values are text on the wire (XML, form): see RuleList.CheckText
	out     []results.Mismatch
}

func (w *walker) add(path []string, expected, actual any, format string, args ...any) {
	w.out = append(w.out, results.Mismatch{
		Category: w.opts.Category,
		Path:     jsonpath.Format(path),
		Expected: Show(expected),
		Actual:   Show(actual),
		Message:  fmt.Sprintf(format, args...),
	})
}

func (w *walker) addMsgs(path []string, expected, actual any, msgs []string) {
	for _, m := range msgs {
		w.add(path, expected, actual, "%s", m)
	}
}

func child(path []string, seg string) []string {
	p := make([]string, len(path)+1)
	copy(p, path)
	p[len(path)] = seg
	return p
}

func (w *walker) compare(path []string, expected, actual any) {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			w.add(path, expected, actual, "Type mismatch: expected an object but received %s %s", kindOf(actual), Show(actual))
			return
		}
		w.compareMap(path, e, a)
	case []any:
		a, ok := actual.([]any)
		if !ok {
			w.add(path, expected, actual, "Type mismatch: expected an array but received %s %s", kindOf(actual), Show(actual))
			return
		}
		w.compareList(path, e, a)
	default:
		if l, cascaded, ok := w.rules.Best(path); ok {
			w.addMsgs(path, expected, actual, l.check(expected, actual, cascaded, w.textual))
			return
		}
		if !Equal(expected, actual) {
			w.add(path, expected, actual, "Expected %s (%s) but received %s (%s)", Show(expected), kindOf(expected), Show(actual), kindOf(actual))
		}
	}
}

func sortedMapKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (w *walker) compareMap(path []string, e, a map[string]any) {
	if len(e) == 0 && len(a) > 0 && !w.opts.AllowUnexpectedKeys {
		w.add(path, e, a, "Expected an empty object but received %s", Show(a))
		return
	}
	l, cascaded, ok := w.rules.Best(path)
	valuesMode := false
	if ok {
		for i := range l.Rules {
			r := &l.Rules[i]
			switch r.Match {
			case "values":
				valuesMode = valuesMode || !cascaded
			case "eachValue":
				if !cascaded {
					valuesMode = true
					w.eachValueMap(path, r, e, a)
				}
			case "eachKey":
				if !cascaded {
					for _, k := range sortedMapKeys(a) {
						for j := range r.Rules {
							if err := r.Rules[j].Check(k, k, false); err != nil {
								w.add(child(path, k), k, k, "Key %q: %v", k, err)
							}
						}
					}
					valuesMode = true
				}
			case "type", "equality", "ignore-order":
				// a map has the type of a map; its keys and values are compared below
			default:
				if !cascaded {
					if err := r.Check(e, a, cascaded); err != nil {
						w.add(path, e, a, "%v", err)
					}
				}
			}
		}
	}
	if valuesMode {
		var first any
		if len(e) > 0 {
			first = e[sortedMapKeys(e)[0]]
		}
		for _, k := range sortedMapKeys(a) {
			if ev, ok := e[k]; ok {
				w.compare(child(path, k), ev, a[k])
			} else if len(e) > 0 {
				w.compare(child(path, k), first, a[k])
			}
		}
		return
	}
	var missing []string
	for _, k := range sortedMapKeys(e) {
		if _, ok := a[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		w.add(path, e, a, "Actual object is missing the key(s) %s", strings.Join(missing, ", "))
	}
	if !w.opts.AllowUnexpectedKeys {
		var extra []string
		for _, k := range sortedMapKeys(a) {
			if _, ok := e[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			w.add(path, e, a, "Unexpected key(s) %s (a request may not send keys the contract does not have)", strings.Join(extra, ", "))
		}
	}
	for _, k := range sortedMapKeys(e) {
		if av, ok := a[k]; ok {
			w.compare(child(path, k), e[k], av)
		}
	}
}

// eachValueMap applies the eachValue rules to every actual value of a map.
func (w *walker) eachValueMap(path []string, r *Rule, e, a map[string]any) {
	var example any
	if len(e) > 0 {
		example = e[sortedMapKeys(e)[0]]
	}
	for _, k := range sortedMapKeys(a) {
		ev, ok := e[k]
		if !ok {
			ev = example
		}
		for j := range r.Rules {
			if err := r.Rules[j].Check(ev, a[k], false); err != nil {
				w.add(child(path, k), ev, a[k], "%v", err)
			}
		}
	}
}

func (w *walker) compareList(path []string, e, a []any) {
	l, cascaded, ok := w.rules.Best(path)
	if !ok {
		if len(e) == 0 && len(a) > 0 {
			w.add(path, e, a, "Expected an empty array but received %s", Show(a))
			return
		}
		for i := range e {
			p := child(path, itoa(i))
			if i < len(a) {
				w.compare(p, e[i], a[i])
			} else if _, _, defined := w.rules.Best(p); !defined {
				w.add(p, e[i], nil, "Expected %s but it was missing", Show(e[i]))
			}
		}
		if len(e) != len(a) {
			w.add(path, e, a, "Expected an array with %d element(s) but received %d element(s)", len(e), len(a))
		}
		return
	}
	structural := false
	var msgs []string
	passed := false
	for i := range l.Rules {
		r := &l.Rules[i]
		switch r.Match {
		case "arrayContains":
			structural = true
			w.arrayContains(path, r, e, a)
		case "eachValue":
			structural = true
			for j, av := range a {
				for k := range r.Rules {
					if err := r.Rules[k].Check(first(e), av, false); err != nil {
						w.add(child(path, itoa(j)), first(e), av, "%v", err)
					}
				}
			}
		default:
			if err := r.Check(e, a, cascaded); err != nil {
				msgs = append(msgs, err.Error())
			} else {
				passed = true
			}
		}
	}
	if l.Combine == "OR" && passed {
		msgs = nil
	}
	w.addMsgs(path, e, a, msgs)
	if structural || len(e) == 0 {
		return
	}
	for i := range a {
		ev := e[0]
		if i < len(e) {
			ev = e[i]
		}
		w.compare(child(path, itoa(i)), ev, a[i])
	}
	for i := len(a); i < len(e); i++ {
		p := child(path, itoa(i))
		if _, _, defined := w.rules.Best(p); !defined {
			w.add(p, e[i], nil, "Expected %s but it was missing", Show(e[i]))
		}
	}
}

func first(e []any) any {
	if len(e) == 0 {
		return nil
	}
	return e[0]
}

// arrayContains: each variant (expected element at its index, matched with its own rules) must
// match at least one actual element (Pact V4 ArrayContains).
func (w *walker) arrayContains(path []string, r *Rule, e, a []any) {
	for vi, v := range r.Variants {
		if v.Index < 0 || v.Index >= len(e) {
			w.add(path, e, a, "arrayContains variant %d refers to index %d, which the example array does not have", vi, v.Index)
			continue
		}
		found := false
		for _, av := range a {
			sub := walker{rules: v.Rules, opts: w.opts}
			sub.compare([]string{"$"}, e[v.Index], av)
			if len(sub.out) == 0 {
				found = true
				break
			}
		}
		if !found {
			w.add(path, e[v.Index], a, "Variant at index %d (%s) was not found in the actual array", v.Index, Show(e[v.Index]))
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return fmt.Sprint(i)
}
