package scenario

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// checkShape walks the YAML document against the Scenario type before it is decoded and returns
// one "file:line: dotted.path: problem" line per unknown field (with the closest known field when
// one is near: "did you mean concurrency?"), wrong type (naming the field and what it wants) and
// invalid duration. The dotted path is the one --set takes (list elements by index). With file
// "" the lines are left out (values set by --set have none in the file).
func checkShape(root *yaml.Node, file string) []string {
	c := &shapeChecker{file: file}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	c.node(n, reflect.TypeOf(Scenario{}), "")
	return c.errs
}

type shapeChecker struct {
	file string
	errs []string
}

func (c *shapeChecker) bad(n *yaml.Node, path, format string, a ...any) {
	where := path
	if where == "" {
		where = "the scenario"
	}
	if c.file == "" { // a value from --set: no line of the file to name
		c.errs = append(c.errs, fmt.Sprintf("%s: %s", where, fmt.Sprintf(format, a...)))
		return
	}
	c.errs = append(c.errs, fmt.Sprintf("%s:%d: %s: %s", c.file, n.Line, where, fmt.Sprintf(format, a...)))
}

var durationType = reflect.TypeOf(Duration(0))

func join(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + part
}

// kindName says what a YAML node is, for messages: "a list", "a mapping", `the text "four"`.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return strconv.Quote(n.Value)
}

func (c *shapeChecker) node(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		if n.Kind != yaml.ScalarNode {
			c.bad(n, path, "want a duration like 500ms, 10s or 1m30s, got %s", kindName(n))
		} else if _, err := time.ParseDuration(n.Value); err != nil {
			c.bad(n, path, "invalid duration %q: want a Go duration like 500ms, 10s or 1m30s", n.Value)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "want a mapping of %s, got %s", strings.Join(fieldNames(t), ", "), kindName(n))
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown field %q", k.Value)
				if s := closest(k.Value, fieldNames(t)); s != "" {
					msg += "; did you mean " + s + "?"
				} else {
					msg += "; known fields: " + strings.Join(fieldNames(t), ", ")
				}
				c.bad(k, join(path, k.Value), "%s", msg)
				continue
			}
			c.node(v, f, join(path, k.Value))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "want a mapping of names to values, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.node(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.bad(n, path, "want a list (- item lines, or [a, b]), got %s", kindName(n))
			return
		}
		for i, e := range n.Content {
			c.node(e, t.Elem(), join(path, strconv.Itoa(i)))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			c.bad(n, path, "want text, got %s", kindName(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			c.bad(n, path, "want true or false, got %s", kindName(n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			c.bad(n, path, "want a whole number, got %s", kindName(n))
		} else if _, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err != nil {
			c.bad(n, path, "want a whole number, got %s", kindName(n))
		}
	case reflect.Float32, reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
			c.bad(n, path, "want a number, got %s", kindName(n))
		}
	}
}

// yamlFields maps the yaml names of t's fields to their types (inline structs included).
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// fieldNames returns t's yaml field names in declaration order.
func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			out = append(out, fieldNames(f.Type)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, name)
	}
	return out
}

// closest returns the known name nearest to s by edit distance (Levenshtein, case-insensitive,
// "-" read as "_"), or "" when none is within a third of the longer name (at least 2 edits).
func closest(s string, known []string) string {
	norm := func(x string) string { return strings.ReplaceAll(strings.ToLower(x), "-", "_") }
	best, bestD := "", -1
	for _, k := range known {
		d := editDistance(norm(s), norm(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 || bestD > max(2, max(len(s), len(best))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// flowErr matches yaml.v3's message for an unclosed flow list or mapping.
var flowErr = regexp.MustCompile(`did not find expected ',' or '([\]}])'`)

// syntaxLine returns the 1-based line of the flow collection ("[" or "{") that src leaves
// unclosed, for yaml.v3's "did not find expected ',' or ']'", which names the line before the
// one holding the bracket; 0 when none is found. Quoted text and comments are skipped.
func unclosedFlowLine(src []byte, closer byte) int {
	opener := byte('[')
	if closer == '}' {
		opener = '{'
	}
	var stack []int
	line, quote := 1, byte(0)
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case ch == '\n':
			line++
		case quote != 0:
			if ch == '\\' && quote == '"' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			if i == 0 || strings.ContainsRune(" \t[{,:", rune(src[i-1])) {
				quote = ch
			}
		case ch == '#' && (i == 0 || src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case ch == opener:
			stack = append(stack, line)
		case ch == closer:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return 0
	}
	return stack[len(stack)-1]
}
