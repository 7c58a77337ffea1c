package reports

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/junitxsd"
	"github.com/commbench/commbench/results"
)

// xmlNode is a generic parse of an XML element: enough to check required attributes without
// trusting our own types.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xmlNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n xmlNode) children(name string) []xmlNode {
	var out []xmlNode
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// checkJUnitSchema checks the required structure of the common JUnit schema (Jenkins
// junit-10.xsd as read by GitLab, GitHub and Azure): testsuites > testsuite(name, tests, failures,
// errors, skipped, time) > testcase(name, classname, time) > failure|error(message, type) or
// skipped; counts consistent with the children; times are numbers.
//
// The document is also validated against junit-10.xsd itself (internal/junitxsd, xmllint).
func checkJUnitSchema(t *testing.T, data []byte) xmlNode {
	t.Helper()
	junitxsd.Validate(t, "JUnit report", data)
	var root xmlNode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if root.XMLName.Local != "testsuites" {
		t.Fatalf("root is <%s>, want <testsuites>", root.XMLName.Local)
	}
	need := func(n xmlNode, names ...string) {
		t.Helper()
		for _, a := range names {
			if _, ok := n.attr(a); !ok {
				t.Errorf("<%s> lacks required attribute %q", n.XMLName.Local, a)
			}
		}
	}
	num := func(n xmlNode, a string) float64 {
		t.Helper()
		v, _ := n.attr(a)
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Errorf("<%s %s=%q>: not a number", n.XMLName.Local, a, v)
		}
		return f
	}
	var total [4]int
	for _, s := range root.Nodes {
		if s.XMLName.Local != "testsuite" {
			t.Errorf("unexpected <%s> under <testsuites>", s.XMLName.Local)
			continue
		}
		need(s, "name", "tests", "failures", "errors", "skipped", "time")
		num(s, "time")
		var counts [4]int // tests, failures, errors, skipped
		for _, c := range s.Nodes {
			switch c.XMLName.Local {
			case "properties":
				for _, p := range c.Nodes {
					need(p, "name", "value")
				}
				continue
			case "testcase":
			default:
				t.Errorf("unexpected <%s> under <testsuite>", c.XMLName.Local)
				continue
			}
			counts[0]++
			need(c, "name", "classname", "time")
			num(c, "time")
			outcomes := 0
			for _, o := range c.Nodes {
				switch o.XMLName.Local {
				case "failure":
					counts[1]++
					outcomes++
					need(o, "message", "type")
				case "error":
					counts[2]++
					outcomes++
					need(o, "message", "type")
				case "skipped":
					counts[3]++
					outcomes++
				case "system-out", "system-err":
				default:
					t.Errorf("unexpected <%s> under <testcase>", o.XMLName.Local)
				}
			}
			if outcomes > 1 {
				name, _ := c.attr("name")
				t.Errorf("testcase %q has %d outcomes, want at most 1", name, outcomes)
			}
		}
		for i, a := range []string{"tests", "failures", "errors", "skipped"} {
			if got := int(num(s, a)); got != counts[i] {
				name, _ := s.attr("name")
				t.Errorf("testsuite %q: %s=%d but %d found", name, a, got, counts[i])
			}
			total[i] += counts[i]
		}
	}
	if _, ok := root.attr("skipped"); ok {
		t.Error("<testsuites> has a skipped attribute: junit-10.xsd allows none")
	}
	for i, a := range []string{"tests", "failures", "errors"} {
		if got := int(num(root, a)); got != total[i] {
			t.Errorf("testsuites %s=%d but %d found", a, got, total[i])
		}
	}
	return root
}

func TestJUnitParsesBackWithRequiredStructure(t *testing.T) {
	f := sampleFile(t, 5)
	var buf bytes.Buffer
	if err := JUnit(&buf, f); err != nil {
		t.Fatal(err)
	}
	root := checkJUnitSchema(t, buf.Bytes())

	// One testcase per interaction and per threshold.
	wantCases := len(f.Verification.Interactions)
	for _, w := range f.Workloads {
		wantCases += len(w.Thresholds)
	}
	if n, _ := root.attr("tests"); n != strconv.Itoa(wantCases) {
		t.Errorf("tests=%s, want %d", n, wantCases)
	}
	// The failed interaction's failure carries every mismatch's expected and actual values.
	var found bool
	for _, s := range root.children("testsuite") {
		for _, c := range s.children("testcase") {
			if name, _ := c.attr("name"); name != "create an order" {
				continue
			}
			fs := c.children("failure")
			if len(fs) != 1 {
				t.Fatalf("create an order: %d failures, want 1", len(fs))
			}
			found = true
			for _, m := range f.Verification.Interactions[1].Mismatches {
				for _, want := range []string{m.Message, "expected: " + m.Expected, "actual:   " + m.Actual} {
					if !strings.Contains(fs[0].Text, want) {
						t.Errorf("failure text lacks %q:\n%s", want, fs[0].Text)
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("no testcase for the failed interaction")
	}
}

func TestJUnitHostileText(t *testing.T) {
	f := hostileFile(t)
	var buf bytes.Buffer
	if err := JUnit(&buf, f); err != nil {
		t.Fatal(err)
	}
	root := checkJUnitSchema(t, buf.Bytes())
	var texts strings.Builder
	var walk func(n xmlNode)
	walk = func(n xmlNode) {
		texts.WriteString(n.Text)
		for _, a := range n.Attrs {
			texts.WriteString(a.Value)
		}
		for _, c := range n.Nodes {
			walk(c)
		}
	}
	walk(root)
	for _, p := range []string{"]]>", payloadScript, payloadImg, payloadEndScript} {
		if !strings.Contains(texts.String(), p) {
			t.Errorf("payload %q did not survive the XML round trip", p)
		}
	}
}

func TestXMLTextDropsInvalidCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "a\tb\nc", "a\tb\nc"},
		{"nul and bell", "a\x00b\x07", "a\uFFFDb\uFFFD"},
		{"noncharacter", "x\uFFFEy", "x\uFFFDy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xmlText(tt.in); got != tt.want {
				t.Fatalf("xmlText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	f := &results.File{Run: results.Run{Command: "verify"}, Verification: &results.Verification{Interactions: []results.Interaction{
		{Consumer: "c", Provider: "p", Description: "d", Status: results.StatusFailed, Mismatches: []results.Mismatch{{Category: "body", Message: "m", Actual: "bad\x00byte"}}}}}}
	var buf bytes.Buffer
	if err := JUnit(&buf, f); err != nil {
		t.Fatal(err)
	}
	checkJUnitSchema(t, buf.Bytes())
}
