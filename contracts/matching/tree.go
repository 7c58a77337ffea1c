package matching

import (
	"fmt"
	"sort"
	"strconv"
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
	var pathStore [16]string
	var nodeStore [32]*pathNode
	w := walker{rules: rules, opts: opts, path: pathStore[:0], buf: nodeStore[:0]}
	if w.opts.Category == "" {
		w.opts.Category = "body"
	}
	var f frame
	w.root(&f)
	w.node(&f, expected, actual)
	sortByPath(w.out)
	return w.out
}

// sortByPath orders mismatches by path (stable: one location's mismatches keep their order).
func sortByPath(ms []results.Mismatch) {
	if len(ms) > 1 {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Path < ms[j].Path })
	}
}

type walker struct {
	rules   *Category
	opts    Options
	textual bool // values are text on the wire (XML, form): see RuleList.CheckText
	out     []results.Mismatch

	trie *pathNode   // rules' path trie, set by root
	path []string    // the current location while walking a value
	buf  []*pathNode // stack storage for the trie nodes of the locations on path
}

// frame is the rule selection state of one location: the trie nodes whose paths match it so
// far, the best rule list inherited from ancestors, and the list selected for the location.
type frame struct {
	act  []*pathNode
	inh  *candidate
	best *candidate
}

const maxWeight = int64(1) << 60

// add reports a mismatch; the path string is only built here, for locations that fail.
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

// root starts a walk at "$".
func (w *walker) root(f *frame) {
	w.path = append(w.path[:0], "$")
	w.buf = w.buf[:0]
	if w.trie == nil {
		if w.rules == nil {
			*f = frame{}
			return
		}
		w.trie = w.rules.paths()
	}
	w.buf = append(w.buf, w.trie)
	*f = frame{act: w.buf[0:1:1], best: w.trie.exact}
}

// enter moves to the child seg of the current location and returns its frame.
func (w *walker) enter(parent *frame, seg string, f *frame) {
	start := len(w.buf)
	f.inh = parent.inh
	for _, n := range parent.act {
		if n.inherit.beats(f.inh) {
			f.inh = n.inherit
		}
		if len(n.named) > 0 {
			if c := n.namedChild(seg); c != nil {
				w.buf = append(w.buf, c)
			}
		}
		if n.star != nil {
			w.buf = append(w.buf, n.star)
		}
		if n.starIndex != nil && jsonpath.IsIndex(seg) {
			w.buf = append(w.buf, n.starIndex)
		}
	}
	f.act = w.buf[start:len(w.buf):len(w.buf)]
	f.best = f.inh
	for _, n := range f.act {
		if n.exact.beats(f.best) {
			f.best = n.exact
		}
	}
	w.path = append(w.path, seg)
}

func (w *walker) leave(f *frame) {
	w.path = w.path[:len(w.path)-1]
	w.buf = w.buf[:len(w.buf)-len(f.act)]
}

// best returns the rule list selected for the current location: the heaviest path (ties: the
// longer), with inherited lists (structural rules removed) for paths that end above the location.
func (w *walker) best(f *frame) (list *RuleList, cascaded bool, ok bool) {
	if f.best == nil {
		return nil, false, false
	}
	return f.best.list, f.best.n != len(w.path), true
}

// definedAt reports whether a rule applies to the child seg of the current location.
func (w *walker) definedAt(f *frame, seg string) bool {
	var cf frame
	w.enter(f, seg, &cf)
	_, _, ok := w.best(&cf)
	w.leave(&cf)
	return ok
}

// compare compares at an explicit location (used by the XML walk for attributes).
func (w *walker) compare(path []string, expected, actual any) {
	saved, savedBuf := w.path, w.buf
	w.path, w.buf = nil, nil
	var f frame
	w.root(&f)
	for _, seg := range path[1:] {
		var next frame
		w.enter(&f, seg, &next)
		f = next
	}
	w.node(&f, expected, actual)
	w.path, w.buf = saved, savedBuf
}

func (w *walker) here(expected, actual any, format string, args ...any) {
	w.add(w.path, expected, actual, format, args...)
}

func (w *walker) node(st *frame, expected, actual any) {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			w.here(expected, actual, "Type mismatch: Expected %s to be the same type as %s", PactDesc(actual), PactDesc(expected))
			return
		}
		w.compareMap(st, e, a)
	case []any:
		if _, ok := actual.([]any); !ok {
			w.here(expected, actual, "Type mismatch: Expected %s to be the same type as %s", PactDesc(actual), PactDesc(expected))
			return
		}
		w.compareList(st, expected, actual)
	default:
		if l, cascaded, ok := w.best(st); ok {
			for _, m := range l.check(expected, actual, cascaded, w.textual) {
				w.here(expected, actual, "%s", m)
			}
			return
		}
		if !Equal(expected, actual) {
			w.here(expected, actual, "Expected %s to be equal to %s", PactDesc(actual), PactDesc(expected))
		}
	}
}

func (w *walker) nodeAt(st *frame, seg string, expected, actual any) {
	var cs frame
	w.enter(st, seg, &cs)
	w.node(&cs, expected, actual)
	w.leave(&cs)
}

func sortedMapKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (w *walker) compareMap(st *frame, e, a map[string]any) {
	if len(e) == 0 && len(a) > 0 && !w.opts.AllowUnexpectedKeys {
		w.here(e, a, "Expected an empty object but received %s", Show(a))
		return
	}
	l, cascaded, ok := w.best(st)
	valuesMode := false
	var each *Rule // eachKey or eachValue
	if ok {
		for i := range l.Rules {
			r := &l.Rules[i]
			switch r.Match {
			case "values":
				valuesMode = valuesMode || !cascaded
			case "eachValue", "eachKey":
				if !cascaded {
					valuesMode = true
					if r.Match == "eachKey" {
						w.eachKeyKeys(r, a)
					}
					if each == nil || r.Match == "eachValue" {
						each = r
					}
				}
			case "type", "equality", "ignore-order":
				// a map has the type of a map; its keys and values are compared below
			default:
				if !cascaded {
					if err := r.Check(e, a, cascaded); err != nil {
						w.here(e, a, "%v", err)
					}
				}
			}
		}
	}
	if each != nil {
		w.eachMapValues(each, e, a)
		return
	}
	if valuesMode {
		ekeys := sortedMapKeys(e)
		for _, k := range sortedMapKeys(a) {
			if ev, ok := e[k]; ok {
				w.nodeAt(st, k, ev, a[k])
			} else if len(ekeys) > 0 {
				w.nodeAt(st, k, e[ekeys[0]], a[k])
			}
		}
		return
	}
	// one pass over the expected keys, in map order: the children are compared and the missing
	// keys collected; MatchValue sorts the mismatches by path (stable), so the output is
	// deterministic and this object's own mismatches come before its children's
	var missing []string
	for k, ev := range e {
		if av, ok := a[k]; ok {
			w.nodeAt(st, k, ev, av)
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		w.here(e, a, "Actual object is missing the key(s) %s", strings.Join(missing, ", "))
	}
	if !w.opts.AllowUnexpectedKeys && len(a) != len(e)-len(missing) {
		var extra []string
		for k := range a {
			if _, ok := e[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		w.here(e, a, "Unexpected key(s) %s (a request may not send keys the contract does not have)", strings.Join(extra, ", "))
	}
}

// eachKeyKeys checks every actual key of a map with the eachKey rule's sub-rules; a failing key
// is reported at the key's own path ($['a-b'], $[100]), as pact-reference's match_keys does.
func (w *walker) eachKeyKeys(r *Rule, a map[string]any) {
	for _, k := range sortedMapKeys(a) {
		for j := range r.Rules {
			if err := r.Rules[j].Check(k, k, false); err != nil {
				w.add(child(w.path, k), k, k, "%v", err)
			}
		}
	}
}

// eachMapValues compares every actual value of a map (eachKey or eachValue at its path) with the
// example's value under the same key, else the example's first value (by key order), following
// pact-reference's compare_maps_with_matchingrule (rust/pact_matching/src/matchingrules.rs): the
// example's keys are not required and extra keys are accepted.
//
// eachValue: the values are matched with the rule's sub-rules only (pact-reference makes them the
// only rules, at path.*; values below inherit them).
//
// eachKey: pact-reference compares no value at all (the template's values and rules are
// ignored). commbench is stricter, as the consumer's template intends: each value is matched
// with the rules that apply to it in the pact (e.g. a rule at path.* or path.key), and where
// none applies, by type against the example value, never by equality.
func (w *walker) eachMapValues(r *Rule, e, a map[string]any) {
	if len(e) == 0 {
		return
	}
	ekeys := sortedMapKeys(e)
	star := w.starEntry(r)
	var cat *Category
	if r.Match == "eachValue" {
		cat = &Category{Name: "body", Entries: []Entry{star}}
	} else {
		entries := make([]Entry, 0, len(w.rules.Entries)+1)
		entries = append(entries, w.rules.Entries...)
		star.List = RuleList{Combine: "AND", Rules: []Rule{{Match: "type", Min: -1, Max: -1}}}
		star.prepare()
		cat = &Category{Name: "body", Entries: append(entries, star)}
	}
	for _, k := range sortedMapKeys(a) {
		ev, ok := e[k]
		if !ok {
			ev = e[ekeys[0]]
		}
		sub := walker{rules: cat, opts: w.opts, textual: w.textual}
		sub.compare(child(w.path, k), ev, a[k])
		w.out = append(w.out, sub.out...)
	}
}

// starEntry is the rule entry for every child of the current location (path.*) holding r's
// sub-rules.
func (w *walker) starEntry(r *Rule) Entry {
	toks := make([]jsonpath.Token, 0, len(w.path)+1)
	toks = append(toks, jsonpath.Token{Kind: jsonpath.Root})
	for _, seg := range w.path[1:] {
		toks = append(toks, jsonpath.Token{Kind: jsonpath.Field, Name: seg})
	}
	toks = append(toks, jsonpath.Token{Kind: jsonpath.Star})
	e := Entry{Key: jsonpath.Format(w.path) + ".*", Path: jsonpath.Path{Expr: jsonpath.Format(w.path) + ".*", Tokens: toks},
		List: RuleList{Combine: "AND", Rules: r.Rules}}
	e.prepare()
	return e
}

// compareList compares arrays; ev and av are the []any values as interfaces, passed as such so
// rule checks do not box the slices again.
func (w *walker) compareList(st *frame, ev, av any) {
	e, a := ev.([]any), av.([]any)
	l, cascaded, ok := w.best(st)
	if !ok {
		if len(e) == 0 && len(a) > 0 {
			w.here(e, a, "Expected an empty array but received %s", Show(a))
			return
		}
		for i := range e {
			if i < len(a) {
				w.nodeAt(st, itoa(i), e[i], a[i])
			} else if !w.definedAt(st, itoa(i)) {
				w.add(child(w.path, itoa(i)), e[i], nil, "Expected %s but it was missing", Show(e[i]))
			}
		}
		if len(e) != len(a) {
			w.here(e, a, "Expected an array with %d element(s) but received %d element(s)", len(e), len(a))
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
			w.arrayContains(r, e, a)
		case "eachValue":
			// pact-reference compare_lists_with_matchingrule: every element against the example
			// at its index (else the first), with the sub-rules as the only rules at path.*
			structural = true
			if len(e) > 0 && !cascaded {
				cat := &Category{Name: "body", Entries: []Entry{w.starEntry(r)}}
				for j, x := range a {
					ex := e[0]
					if j < len(e) {
						ex = e[j]
					}
					sub := walker{rules: cat, opts: w.opts, textual: w.textual}
					sub.compare(child(w.path, itoa(j)), ex, x)
					w.out = append(w.out, sub.out...)
				}
			}
		default:
			if err := r.Check(ev, av, cascaded); err != nil {
				msgs = append(msgs, err.Error())
			} else {
				passed = true
			}
		}
	}
	if l.Combine == "OR" && passed {
		msgs = nil
	}
	for _, m := range msgs {
		w.here(e, a, "%s", m)
	}
	if structural || len(e) == 0 {
		return
	}
	for i := range a {
		x := e[0]
		if i < len(e) {
			x = e[i]
		}
		w.nodeAt(st, itoa(i), x, a[i])
	}
	for i := len(a); i < len(e); i++ {
		if !w.definedAt(st, itoa(i)) {
			w.add(child(w.path, itoa(i)), e[i], nil, "Expected %s but it was missing", Show(e[i]))
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
func (w *walker) arrayContains(r *Rule, e, a []any) {
	for vi, v := range r.Variants {
		if v.Index < 0 || v.Index >= len(e) {
			w.here(e, a, "arrayContains variant %d refers to index %d, which the example array does not have", vi, v.Index)
			continue
		}
		found := false
		for _, av := range a {
			sub := walker{rules: v.Rules, opts: w.opts, textual: w.textual}
			var f frame
			sub.root(&f)
			sub.node(&f, e[v.Index], av)
			if len(sub.out) == 0 {
				found = true
				break
			}
		}
		if !found {
			w.here(e[v.Index], a, "Variant at index %d (%s) was not found in the actual list", v.Index, Show(e[v.Index]))
		}
	}
}

var smallInts = func() [64]string {
	var s [64]string
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(i int) string {
	if i < len(smallInts) {
		return smallInts[i]
	}
	return strconv.Itoa(i)
}
