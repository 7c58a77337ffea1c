// Package matching holds Pact matching rules (V2 to V4) and the engine that applies them: JSON data
// model values (map[string]any, []any, string, json.Number, bool, nil), XML, plain text,
// form-urlencoded and binary bodies, and header/query/metadata maps. It follows the Pact
// specification (SPEC-v2.md, SPEC-v3.md "Matchers", SPEC-v4.md "Matching Rules") and, where the
// specification is silent, the behaviour of the reference implementation (pact-reference).
//
// Every difference is reported as a results.Mismatch; nothing stops at the first one. A rule this
// engine does not support gives a mismatch saying so, never a silent pass.
package matching

import (
	"encoding/json"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/commbench/commbench/contracts/jsonpath"
)

// Rule is one matching rule, e.g. {"match": "regex", "regex": "\\d+"}.
type Rule struct {
	// Match is the canonical rule name: equality, regex, type, include, number, integer, decimal,
	// null, boolean, date, time, datetime, contentType, values, arrayContains, statusCode, notEmpty,
	// semver, eachKey, eachValue; or the unknown name as written.
	Match  string
	Regex  string
	Value  string // include: substring; contentType: media type
	Min    int    // -1 when absent (type, eachValue)
	Max    int    // -1 when absent
	Format string // date, time, datetime: Java DateTimeFormatter pattern
	// Status (statusCode): a class name ("success", "clientError"...) or explicit codes.
	Status      string
	StatusCodes []int
	Variants    []Variant // arrayContains
	Rules       []Rule    // eachKey, eachValue
	// Raw is the rule object as written in the pact file, kept for lossless write-back.
	Raw map[string]any

	re      *regexp.Regexp
	dateRe  *regexp.Regexp
	invalid string // set when the rule cannot be evaluated (reported as a mismatch)
}

// Variant is one arrayContains variant: the expected element at Index must be present in the
// actual array, matched with Rules (paths relative to the element).
type Variant struct {
	Index int
	Rules *Category
	Raw   map[string]any
}

// RuleList is the rules for one location, combined with AND (default) or OR.
type RuleList struct {
	Combine string // "AND" or "OR"
	Rules   []Rule
}

// Entry is the rule list for one key of a category: a JSONPath for bodies, a name for headers,
// query parameters and metadata.
type Entry struct {
	Key  string
	Path jsonpath.Path
	List RuleList

	inherited    RuleList // the rules children inherit (structural rules removed)
	hasInherited bool     // whether inherited holds a rule
}

// structural rules apply to the collection they name and are not inherited by its children.
func structural(match string) bool {
	switch match {
	case "values", "eachKey", "eachValue", "arrayContains":
		return true
	}
	return false
}

func (e *Entry) prepare() {
	n := 0
	for i := range e.List.Rules {
		if !structural(e.List.Rules[i].Match) {
			n++
		}
	}
	e.inherited, e.hasInherited = RuleList{Combine: e.List.Combine}, n > 0
	switch {
	case n == len(e.List.Rules):
		e.inherited.Rules = e.List.Rules // nothing to remove: share the rules
	case n > 0:
		e.inherited.Rules = make([]Rule, 0, n)
		for _, r := range e.List.Rules {
			if !structural(r.Match) {
				e.inherited.Rules = append(e.inherited.Rules, r)
			}
		}
	}
}

// Category holds the rules of one category: body, header, query, path, status, metadata.
type Category struct {
	// Name is the category name as written (body, content, contents, header, headers...).
	Name string
	// Single is set for categories with one value (path, status, method).
	Single  *RuleList
	Entries []Entry

	trie atomic.Pointer[pathTrie] // built by the first walk (see Category.paths)
}

// Rules maps a canonical category name (body, header, query, path, status, metadata) to its rules.
type Rules map[string]*Category

// CanonicalCategory maps spellings seen in real files to the canonical name: content/contents ->
// body, headers -> header, metaData -> metadata.
func CanonicalCategory(name string) string {
	switch name {
	case "content", "contents", "body":
		return "body"
	case "headers", "header":
		return "header"
	case "metaData", "metadata":
		return "metadata"
	}
	return name
}

// Get returns the category, or nil.
func (r Rules) Get(name string) *Category {
	if r == nil {
		return nil
	}
	return r[name]
}

// SingleList returns the rules of a single-valued category (path, status, method): the list written
// directly ({"matchers": [...]}) or, as pact-js writes V4 pacts, under the key "$"
// ({"$": {"matchers": [...]}}), which pact-reference reads as the same rule list (the path "$" of
// the category). nil when there is none.
func (c *Category) SingleList() *RuleList {
	if c == nil {
		return nil
	}
	if c.Single != nil {
		return c.Single
	}
	for i := range c.Entries {
		if c.Entries[i].Key == "$" {
			return &c.Entries[i].List
		}
	}
	return nil
}

// Empty reports whether the category holds no rule.
func (c *Category) Empty() bool { return c == nil || (c.Single == nil && len(c.Entries) == 0) }

// Lookup returns the rule list for an exact key (headers compare case-insensitively when fold).
func (c *Category) Lookup(key string, fold bool) *RuleList {
	if c == nil {
		return nil
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		k := e.Key
		if strings.HasPrefix(k, "$") && len(e.Path.Tokens) >= 2 {
			k = e.Path.Tokens[len(e.Path.Tokens)-1].Name
		}
		if k == key || fold && strings.EqualFold(k, key) {
			return &e.List
		}
	}
	return nil
}

// Best returns the rule list whose path weighs most for the location (ties: the longer path),
// whether it was inherited from a parent (cascaded), and whether any rule applies.
func (c *Category) Best(segments []string) (list *RuleList, cascaded bool, ok bool) {
	if c == nil {
		return nil, false, false
	}
	bestW, bestLen := 0, 0
	for i := range c.Entries {
		e := &c.Entries[i]
		w := e.Path.Weight(segments)
		if w == 0 {
			continue
		}
		l := &e.List
		if e.Path.Len() != len(segments) {
			if !e.hasInherited {
				continue
			}
			l = &e.inherited
		}
		if w > bestW || w == bestW && e.Path.Len() > bestLen {
			bestW, bestLen, list = w, e.Path.Len(), l
		}
	}
	if list == nil {
		return nil, false, false
	}
	return list, bestLen != len(segments), true
}

// ParseRules reads a matchingRules object. V3/V4 form: {category: {key: {matchers, combine}}}
// ({matchers, combine} directly for path and status). V2 flat form: {"$.body.x": {...},
// "$.headers.X": {...}, "$.query.q": {...}, "$.path": {...}}. where names the location for errors.
func ParseRules(raw map[string]any, where string) (Rules, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := Rules{}
	for _, k := range sortedKeys(raw) {
		if strings.HasPrefix(k, "$") {
			if err := out.addV2(k, raw[k], where); err != nil {
				return nil, err
			}
			continue
		}
		obj, ok := raw[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: matchingRules.%s: expected an object", where, k)
		}
		canon := CanonicalCategory(k)
		cat := out[canon]
		if cat == nil {
			cat = &Category{Name: k}
			out[canon] = cat
		}
		if _, single := obj["matchers"]; single {
			l, err := parseList(obj, func() string { return fmt.Sprintf("%s: matchingRules.%s", where, k) })
			if err != nil {
				return nil, err
			}
			cat.Single = &l
			continue
		}
		for _, key := range sortedKeys(obj) {
			lo, ok := obj[key].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: matchingRules.%s[%q]: expected an object", where, k, key)
			}
			loc := func() string { return fmt.Sprintf("%s: matchingRules.%s[%q]", where, k, key) }
			l, err := parseList(lo, loc)
			if err != nil {
				return nil, err
			}
			if err := cat.add(canon, key, l, loc); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (c *Category) add(canon, key string, l RuleList, loc locator) error {
	e := Entry{Key: key, List: l}
	if canon == "body" || strings.HasPrefix(key, "$") {
		p, err := jsonpath.Parse(key)
		if err != nil {
			return fmt.Errorf("%s: %w", loc(), err)
		}
		e.Path = p
	} else {
		e.Path = jsonpath.Path{Expr: key, Tokens: []jsonpath.Token{{Kind: jsonpath.Root}, {Kind: jsonpath.Field, Name: key}}}
	}
	e.prepare()
	c.Entries = append(c.Entries, e)
	return nil
}

// addV2 files a V2 flat rule under its category.
func (r Rules) addV2(key string, v any, where string) error {
	loc := fmt.Sprintf("%s: matchingRules[%q]", where, key)
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: expected an object", loc)
	}
	rule, err := ParseRule(obj, loc)
	if err != nil {
		return err
	}
	l := RuleList{Combine: "AND", Rules: []Rule{rule}}
	p, err := jsonpath.Parse(key)
	if err != nil {
		return fmt.Errorf("%s: %w", loc, err)
	}
	if len(p.Tokens) < 2 || p.Tokens[1].Kind != jsonpath.Field {
		return fmt.Errorf("%s: a V2 rule path must start with $.body, $.headers, $.query or $.path", loc)
	}
	cat := CanonicalCategory(p.Tokens[1].Name)
	if cat == "headers" {
		cat = "header"
	}
	c := r[cat]
	if c == nil {
		c = &Category{Name: cat}
		r[cat] = c
	}
	switch cat {
	case "path", "status", "method":
		c.Single = &l
		return nil
	case "body":
		rest := jsonpath.Path{Expr: key, Tokens: append([]jsonpath.Token{{Kind: jsonpath.Root}}, p.Tokens[2:]...)}
		rest.Expr = v2BodyExpr(key)
		e := Entry{Key: rest.Expr, Path: rest, List: l}
		e.prepare()
		c.Entries = append(c.Entries, e)
		return nil
	}
	if len(p.Tokens) < 3 {
		return fmt.Errorf("%s: expected a name after $.%s", loc, p.Tokens[1].Name)
	}
	name := p.Tokens[2].Name
	e := Entry{Key: name, Path: jsonpath.Path{Expr: name, Tokens: []jsonpath.Token{{Kind: jsonpath.Root}, {Kind: jsonpath.Field, Name: name}}}, List: l}
	e.prepare()
	c.Entries = append(c.Entries, e)
	return nil
}

// v2BodyExpr rewrites "$.body.a" / "$.body[0]" / "$.body" to "$.a" / "$[0]" / "$".
func v2BodyExpr(key string) string {
	rest := strings.TrimPrefix(key, "$.body")
	if rest == key {
		rest = strings.TrimPrefix(key, "$['body']")
	}
	return "$" + rest
}

func parseList(obj map[string]any, loc locator) (RuleList, error) {
	l := RuleList{Combine: "AND"}
	if c, ok := obj["combine"].(string); ok {
		switch strings.ToUpper(c) {
		case "AND", "OR":
			l.Combine = strings.ToUpper(c)
		default:
			return l, fmt.Errorf("%s: combine %q: expected AND or OR", loc(), c)
		}
	}
	ms, ok := obj["matchers"].([]any)
	if !ok {
		// a V2-style single rule object in V3 position
		r, err := parseRule(obj, loc)
		if err != nil {
			return l, err
		}
		l.Rules = []Rule{r}
		return l, nil
	}
	l.Rules = make([]Rule, 0, len(ms))
	for i, m := range ms {
		mo, ok := m.(map[string]any)
		if !ok {
			return l, fmt.Errorf("%s.matchers[%d]: expected an object", loc(), i)
		}
		r, err := parseRule(mo, func() string { return fmt.Sprintf("%s.matchers[%d]", loc(), i) })
		if err != nil {
			return l, err
		}
		l.Rules = append(l.Rules, r)
	}
	return l, nil
}

// ParseRule reads one rule object. A rule without "match" is guessed from its attributes as V2
// does (regex, min, max, timestamp, date, time). An invalid regular expression is an error naming
// loc; an unknown rule name is kept and reported as a mismatch when used.
func ParseRule(obj map[string]any, loc string) (Rule, error) {
	return parseRule(obj, func() string { return loc })
}

// locator builds the location named in errors, only when there is an error to report.
type locator func() string

func parseRule(obj map[string]any, loc locator) (Rule, error) {
	r := Rule{Min: -1, Max: -1, Raw: obj}
	name, _ := obj["match"].(string)
	if name == "" {
		name, _ = obj["pact:matcher:type"].(string)
	}
	if name == "" {
		switch {
		case obj["regex"] != nil:
			name = "regex"
		case obj["min"] != nil || obj["max"] != nil:
			name = "type"
		case obj["timestamp"] != nil:
			name = "datetime"
		case obj["date"] != nil:
			name = "date"
		case obj["time"] != nil:
			name = "time"
		default:
			return r, fmt.Errorf("%s: matching rule has no \"match\" and its kind cannot be guessed", loc())
		}
	}
	switch name {
	case "timestamp":
		name = "datetime"
	case "min", "max":
		name = "type"
	case "content-type":
		name = "contentType"
	case "real":
		name = "decimal"
	case "each-key":
		name = "eachKey"
	case "each-value":
		name = "eachValue"
	case "not-empty":
		name = "notEmpty"
	case "status-code":
		name = "statusCode"
	case "array-contains":
		name = "arrayContains"
	}
	r.Match = name
	var err error
	if r.Min, err = intAttr(obj, "min", loc); err != nil {
		return r, err
	}
	if r.Max, err = intAttr(obj, "max", loc); err != nil {
		return r, err
	}
	switch name {
	case "regex":
		s, ok := obj["regex"].(string)
		if !ok {
			return r, fmt.Errorf("%s: regex rule without a \"regex\" string", loc())
		}
		r.Regex = s
		re, err := compileFull(s)
		if err != nil {
			return r, fmt.Errorf("%s: invalid regular expression %q: %w", loc(), s, err)
		}
		r.re = re
	case "include", "contentType":
		r.Value = stringOf(obj["value"])
	case "date", "time", "datetime":
		f, _ := obj["format"].(string)
		if f == "" {
			f, _ = obj[map[string]string{"date": "date", "time": "time", "datetime": "timestamp"}[name]].(string)
		}
		r.Format = f
		re, err := dateTimeRegexp(name, f)
		if err != nil {
			return r, fmt.Errorf("%s: %w", loc(), err)
		}
		r.dateRe = re
	case "statusCode":
		switch s := obj["status"].(type) {
		case string:
			r.Status = s
		case []any:
			for _, v := range s {
				n, ok := toInt(v)
				if !ok {
					return r, fmt.Errorf("%s: statusCode status list must hold integers", loc())
				}
				r.StatusCodes = append(r.StatusCodes, n)
			}
		default:
			return r, fmt.Errorf("%s: statusCode rule needs \"status\" (a name or a list of codes)", loc())
		}
	case "arrayContains":
		vs, ok := obj["variants"].([]any)
		if !ok {
			return r, fmt.Errorf("%s: arrayContains rule needs \"variants\"", loc())
		}
		for i, v := range vs {
			vo, ok := v.(map[string]any)
			if !ok {
				return r, fmt.Errorf("%s.variants[%d]: expected an object", loc(), i)
			}
			idx, _ := toInt(vo["index"])
			variant := Variant{Index: idx, Raw: vo, Rules: &Category{Name: "body"}}
			if rm, ok := vo["rules"].(map[string]any); ok {
				for _, key := range sortedKeys(rm) {
					lo, ok := rm[key].(map[string]any)
					if !ok {
						return r, fmt.Errorf("%s.variants[%d].rules[%q]: expected an object", loc(), i, key)
					}
					vloc := func() string { return fmt.Sprintf("%s.variants[%d].rules[%q]", loc(), i, key) }
					l, err := parseList(lo, vloc)
					if err != nil {
						return r, err
					}
					if err := variant.Rules.add("body", key, l, vloc); err != nil {
						return r, err
					}
				}
			}
			r.Variants = append(r.Variants, variant)
		}
	case "eachKey", "eachValue":
		rs, _ := obj["rules"].([]any)
		for i, v := range rs {
			vo, ok := v.(map[string]any)
			if !ok {
				return r, fmt.Errorf("%s.rules[%d]: expected an object", loc(), i)
			}
			sub, err := parseRule(vo, func() string { return fmt.Sprintf("%s.rules[%d]", loc(), i) })
			if err != nil {
				return r, err
			}
			r.Rules = append(r.Rules, sub)
		}
	case "equality", "type", "number", "integer", "decimal", "null", "boolean", "values", "notEmpty", "semver", "ignore-order":
	default:
		r.invalid = fmt.Sprintf("matching rule %q is not supported", name)
	}
	return r, nil
}

// regexCache holds compiled rule expressions by source: pacts repeat the same expressions across
// interactions, and a compiled *regexp.Regexp is safe for concurrent use.
var regexCache sync.Map // string -> *regexp.Regexp

// compileFull compiles s anchored at both ends (a regex rule matches the whole value, as in
// pact-jvm and pact-reference).
func compileFull(s string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(s); ok {
		return re.(*regexp.Regexp), nil
	}
	if _, err := syntax.Parse(s, syntax.Perl); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?:` + s + `)$`)
	if err != nil {
		return nil, err
	}
	regexCache.Store(s, re)
	return re, nil
}

func intAttr(obj map[string]any, key string, loc locator) (int, error) {
	v, ok := obj[key]
	if !ok || v == nil {
		return -1, nil
	}
	n, ok := toInt(v)
	if !ok || n < 0 {
		return -1, fmt.Errorf("%s: %q must be a non-negative integer, got %v", loc(), key, v)
	}
	return n, nil
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			f, ferr := x.Float64()
			if ferr != nil || f != float64(int64(f)) {
				return 0, false
			}
			n = int64(f)
		}
		return int(n), true
	case float64:
		if x != float64(int64(x)) {
			return 0, false
		}
		return int(x), true
	case int:
		return x, true
	case int64:
		return int(x), true
	case string:
		var n int
		if _, err := fmt.Sscanf(x, "%d", &n); err != nil {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func stringOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Raw renders the rules back to the V3/V4 JSON form, using each category's spelling.
func (r Rules) Raw() map[string]any {
	if len(r) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, c := range r {
		if c.Single != nil {
			out[c.Name] = c.Single.raw()
			continue
		}
		if strings.HasPrefix(c.Name, "$") {
			// a category read from a V2 flat key such as "$.$.x": written as the V3 category "$"
			// it would read back as a V2 key (FuzzParse found it), so it is written back flat
			for _, e := range c.Entries {
				for _, rule := range e.List.Rules {
					raw := rule.Raw
					if raw == nil {
						raw = map[string]any{"match": rule.Match}
					}
					out[jsonpath.Format([]string{"$", c.Name, e.Key})] = raw
				}
			}
			continue
		}
		m := map[string]any{}
		for _, e := range c.Entries {
			m[e.Key] = e.List.raw()
		}
		out[c.Name] = m
	}
	return out
}

func (l RuleList) raw() map[string]any {
	ms := make([]any, len(l.Rules))
	for i, r := range l.Rules {
		if r.Raw != nil {
			ms[i] = r.Raw
		} else {
			ms[i] = map[string]any{"match": r.Match}
		}
	}
	c := l.Combine
	if c == "" {
		c = "AND"
	}
	return map[string]any{"matchers": ms, "combine": c}
}
