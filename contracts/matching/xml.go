package matching

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/commbench/commbench/results"
)

// element is a parsed XML element; names are "namespaceURI:local" (or "local" without namespace).
type element struct {
	name     string
	attrs    map[string]string
	children []*element
	text     string // concatenated trimmed character data
	// nodes counts the child nodes as Pact's XML parser (sxd_document) sees them: elements, text
	// runs (white space included), comments and processing instructions
	nodes    int
	lastText bool // the last child node was text (a following text run is the same node)
}

// parseXML reads the root element of an XML document.
func parseXML(data []byte) (*element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*element
	var root *element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, col := d.InputPos()
			return nil, fmt.Errorf("XML at line %d, column %d: %w", line, col, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := &element{name: qname(t.Name), attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				el.attrs[qname(a.Name)] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, el)
				p.nodes++
				p.lastText = false
			} else if root == nil {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text += strings.TrimSpace(string(t))
				if !p.lastText && len(t) > 0 {
					p.nodes++
				}
				p.lastText = true
			}
		case xml.Comment, xml.ProcInst:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.nodes++
				p.lastText = false
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("XML document has no root element")
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// MatchXML compares XML bodies with Pact's XML rules: elements by name (namespace URI + local
// name), attributes at `@name`, text at `#text`, children grouped by name (order within a group
// matters; a type rule on the group matches every actual child against the first expected one).
func MatchXML(expected, actual []byte, rules *Category, opts Options) []results.Mismatch {
	w := walker{rules: rules, opts: opts, textual: true}
	if w.opts.Category == "" {
		w.opts.Category = "body"
	}
	e, err := parseXML(expected)
	if err != nil {
		w.add([]string{"$"}, nil, nil, "The expected body is not valid XML: %v", err)
		return w.out
	}
	a, err := parseXML(actual)
	if err != nil {
		w.add([]string{"$"}, string(expected), string(actual), "The actual body is not valid XML: %v", err)
		return w.out
	}
	w.xmlElement([]string{"$", e.name}, e, a)
	sortByPath(w.out)
	return w.out
}

func (w *walker) xmlElement(path []string, e, a *element) {
	if l, cascaded, ok := w.rules.Best(path); ok {
		var msgs []string
		for i := range l.Rules {
			if err := checkElement(&l.Rules[i], e, a, cascaded); err != nil {
				msgs = append(msgs, err.Error())
			} else if l.Combine == "OR" {
				msgs = nil
				break
			}
		}
		if len(msgs) > 0 {
			w.addMsgs(path, e.name, a.name, msgs)
			return
		}
	} else if e.name != a.name {
		w.add(path, e.name, a.name, "Expected element <%s> but received <%s>", e.name, a.name)
		return
	}
	w.xmlAttributes(path, e, a)
	w.xmlChildren(path, e, a)
	w.xmlText(path, e, a)
}

func checkElement(r *Rule, e, a *element, cascaded bool) error {
	switch r.Match {
	case "type", "equality":
		if e.name != a.name {
			return fmt.Errorf("expected element <%s> to be the same type as <%s>", a.name, e.name)
		}
		// min and max count the element's child nodes, text included, as pact-reference's
		// Matches<&Element> for MinType/MaxType does (children() of sxd_document): an element
		// holding only text has one child
		if r.Match == "type" && !cascaded {
			if r.Min >= 0 && a.nodes < r.Min {
				return fmt.Errorf("Expected <%s> (%d child node(s)) to have minimum size of %d", a.name, a.nodes, r.Min)
			}
			if r.Max >= 0 && a.nodes > r.Max {
				return fmt.Errorf("Expected <%s> (%d child node(s)) to have maximum size of %d", a.name, a.nodes, r.Max)
			}
		}
	case "notEmpty":
		if len(a.children) == 0 && a.text == "" {
			return fmt.Errorf("expected <%s> to have content", a.name)
		}
	default:
		if r.invalid != "" {
			return fmt.Errorf("%s", r.invalid)
		}
		// value rules (regex, include, number...) on an element apply to its text and
		// attributes, which inherit them
	}
	return nil
}

func (w *walker) xmlAttributes(path []string, e, a *element) {
	if len(e.attrs) == 0 && len(a.attrs) > 0 && !w.opts.AllowUnexpectedKeys {
		w.add(path, e.attrs, a.attrs, "Did not expect any attributes but received %s", Show(a.attrs))
		return
	}
	if !w.opts.AllowUnexpectedKeys {
		var extra []string
		for k := range a.attrs {
			if _, ok := e.attrs[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			w.add(path, e.attrs, a.attrs, "Unexpected attribute(s) %s", strings.Join(extra, ", "))
		}
	}
	keys := make([]string, 0, len(e.attrs))
	for k := range e.attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := child(path, "@"+k)
		av, ok := a.attrs[k]
		if !ok {
			w.add(p, e.attrs[k], nil, "Expected attribute %s=%q but it was missing", k, e.attrs[k])
			continue
		}
		w.compare(p, e.attrs[k], av)
	}
}

func group(els []*element) (map[string][]*element, []string) {
	m := map[string][]*element{}
	var order []string
	for _, c := range els {
		if _, ok := m[c.name]; !ok {
			order = append(order, c.name)
		}
		m[c.name] = append(m[c.name], c)
	}
	sort.Strings(order)
	return m, order
}

func names(els []*element) string {
	s := make([]string, len(els))
	for i, c := range els {
		s[i] = c.name
	}
	return strings.Join(s, ", ")
}

func typeRule(l *RuleList) bool {
	for _, r := range l.Rules {
		if r.Match == "type" || r.Match == "values" || r.Match == "eachValue" {
			return true
		}
	}
	return false
}

func (w *walker) xmlChildren(path []string, e, a *element) {
	if len(e.children) == 0 && len(a.children) > 0 && !w.opts.AllowUnexpectedKeys {
		w.add(path, names(e.children), names(a.children), "Expected no child elements but received [%s]", names(a.children))
		return
	}
	eg, _ := group(e.children)
	ag, aorder := group(a.children)
	for _, name := range aorder {
		p := child(path, name)
		acts := ag[name]
		exps, ok := eg[name]
		l, _, defined := w.rules.Best(p)
		typed := defined && typeRule(l)
		if !ok {
			if !w.opts.AllowUnexpectedKeys || typed {
				w.add(path, names(e.children), names(a.children), "Unexpected child element <%s/>", name)
			}
			continue
		}
		if typed {
			for _, ac := range acts {
				w.xmlElement(p, exps[0], ac)
			}
			continue
		}
		for i := 0; i < len(exps) || i < len(acts); i++ {
			switch {
			case i >= len(exps):
				if !w.opts.AllowUnexpectedKeys {
					w.add(p, names(e.children), names(a.children), "Unexpected child element <%s/>", name)
				}
			case i >= len(acts):
				w.add(p, names(e.children), names(a.children), "Expected child element <%s/> but it was missing", name)
			default:
				w.xmlElement(p, exps[i], acts[i])
			}
		}
	}
	var missing []string
	for name := range eg {
		if _, ok := ag[name]; !ok {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		w.add(path, names(e.children), names(a.children), "Expected child element <%s/> but it was missing", name)
	}
}

func (w *walker) xmlText(path []string, e, a *element) {
	p := child(path, "#text")
	if l, cascaded, ok := w.rules.Best(p); ok {
		w.addMsgs(p, e.text, a.text, l.CheckText(e.text, a.text, cascaded))
		return
	}
	if e.text != a.text {
		w.add(p, e.text, a.text, "Expected text %q but received %q", e.text, a.text)
	}
}
