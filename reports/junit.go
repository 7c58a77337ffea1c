package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/commbench/commbench/results"
)

// JUnit XML as CI systems read it (the common "JUnit schema": Jenkins' junit-10.xsd, which GitLab,
// GitHub actions and Azure follow): <testsuites> with <testsuite name tests failures errors
// skipped time>, <testcase name classname time> holding <failure message type>, <error message
// type> or <skipped message>.

// JUnitSuites is the <testsuites> root.
type JUnitSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	// Skipped is the total of the suites' skipped counts; not written: junit-10.xsd allows no
	// skipped attribute on <testsuites> (each <testsuite> carries its own).
	Skipped int          `xml:"-"`
	Time    string       `xml:"time,attr"`
	Suites  []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one <testsuite>: the interactions of one consumer-provider pair, the thresholds of
// one workload, or the run itself when it stopped on an error.
type JUnitSuite struct {
	Name      string          `xml:"name,attr"`
	Tests     int             `xml:"tests,attr"`
	Failures  int             `xml:"failures,attr"`
	Errors    int             `xml:"errors,attr"`
	Skipped   int             `xml:"skipped,attr"`
	Time      string          `xml:"time,attr"`
	Timestamp string          `xml:"timestamp,attr,omitempty"`
	Hostname  string          `xml:"hostname,attr,omitempty"`
	Props     *JUnitProps     `xml:"properties,omitempty"`
	Cases     []JUnitTestCase `xml:"testcase"`
}

// JUnitProps holds <property name value> elements.
type JUnitProps struct {
	Props []JUnitProp `xml:"property"`
}

// JUnitProp is one <property>.
type JUnitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitTestCase is one <testcase>.
type JUnitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitProblem `xml:"failure,omitempty"`
	Error     *JUnitProblem `xml:"error,omitempty"`
	Skipped   *JUnitSkipped `xml:"skipped,omitempty"`
	SystemOut *JUnitText    `xml:"system-out,omitempty"`
}

// JUnitProblem is a <failure> or <error>: message and type attributes, details as text.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// JUnitText is an element holding text as CDATA.
type JUnitText struct {
	Text string `xml:",cdata"`
}

// JUnitSkipped is <skipped message>.
type JUnitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// JUnit writes f as JUnit XML to w: one testcase per interaction (a failed interaction is a
// <failure type="contract"> listing every mismatch; an interaction that could not be verified is
// an <error>; a skipped one, or a pending one that failed, is <skipped> with the mismatches in
// <system-out>) and one per threshold (<failure type="threshold"> when breached). It returns the
// first write error.
func JUnit(w io.Writer, f *results.File) error {
	doc := BuildJUnit(f)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit xml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// BuildJUnit returns the JUnit document for f (see JUnit).
func BuildJUnit(f *results.File) *JUnitSuites {
	doc := &JUnitSuites{Name: "commbench " + f.Run.Command}
	ts := ""
	if !f.Run.Started.IsZero() {
		ts = f.Run.Started.UTC().Format("2006-01-02T15:04:05")
	}
	host := f.Run.Environment.Hostname
	for _, g := range groupInteractions(f.Verification) {
		s := JUnitSuite{Name: fmt.Sprintf("contract %s -> %s", g.Consumer, g.Provider), Timestamp: ts, Hostname: host}
		s.Props = brokerPactProps(f.Verification, g.Consumer, g.Provider)
		var secs float64
		for in := range g.Interactions() {
			secs += in.DurationMS / 1000
			s.Cases = append(s.Cases, interactionCase(in))
		}
		s.Time = secondsAttr(secs)
		doc.add(s)
	}
	for _, wl := range f.Workloads {
		if len(wl.Thresholds) == 0 {
			continue
		}
		s := JUnitSuite{Name: "thresholds " + runName(wl), Timestamp: ts, Hostname: host, Time: secondsAttr(wl.DurationS),
			Props: &JUnitProps{Props: []JUnitProp{{"driver", wl.Driver}, {"operation", wl.Operation}, {"target", redactString(wl.Target)}}}}
		for _, t := range wl.Thresholds {
			c := JUnitTestCase{Name: t.Expr, Classname: "thresholds." + runName(wl), Time: "0"}
			if !t.Passed {
				msg := fmt.Sprintf("threshold %s breached: %s is %s", t.Expr, t.Metric, fmtMetric(t.Metric, t.Actual))
				c.Failure = &JUnitProblem{Message: msg, Type: "threshold", Text: xmlText(msg) + "\n"}
			}
			s.Cases = append(s.Cases, c)
		}
		doc.add(s)
	}
	if len(f.SkippedWorkloads) > 0 {
		s := JUnitSuite{Name: "skipped workloads", Timestamp: ts, Hostname: host, Time: "0"}
		for _, sw := range f.SkippedWorkloads {
			s.Cases = append(s.Cases, JUnitTestCase{Name: sw.Name, Classname: "workloads." + sw.Driver, Time: "0",
				Skipped: &JUnitSkipped{Message: sw.Reason}})
		}
		doc.add(s)
	}
	if f.Run.Error != "" {
		doc.add(JUnitSuite{Name: "run", Timestamp: ts, Hostname: host, Time: secondsAttr(runDuration(f.Run)),
			Cases: []JUnitTestCase{{Name: "run " + f.Run.Command, Classname: "run", Time: secondsAttr(runDuration(f.Run)),
				Error: &JUnitProblem{Message: f.Run.Error, Type: "run", Text: xmlText(f.Run.Error) + "\n"}}}})
	}
	var total float64
	for _, s := range doc.Suites {
		t, _ := strconv.ParseFloat(s.Time, 64)
		total += t
	}
	doc.Time = secondsAttr(total)
	return doc
}

// add appends s with its counts and adds them to the totals.
func (d *JUnitSuites) add(s JUnitSuite) {
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	d.Tests += s.Tests
	d.Failures += s.Failures
	d.Errors += s.Errors
	d.Skipped += s.Skipped
	d.Suites = append(d.Suites, s)
}

// brokerPactProps returns the <properties> of a consumer-provider suite whose pact came from a Pact
// Broker: pact_url (redacted), pending, wip, published and one "notice" per broker notice.
func brokerPactProps(v *results.Verification, consumer, provider string) *JUnitProps {
	var props []JUnitProp
	for _, p := range v.Pacts {
		if p.Consumer != consumer || p.Provider != provider {
			continue
		}
		props = append(props, JUnitProp{Name: "pact_url", Value: redactString(p.URL)},
			JUnitProp{Name: "pending", Value: strconv.FormatBool(p.Pending)},
			JUnitProp{Name: "wip", Value: strconv.FormatBool(p.WIP)},
			JUnitProp{Name: "published", Value: strconv.FormatBool(p.Published)})
		for _, n := range p.Notices {
			props = append(props, JUnitProp{Name: "notice", Value: xmlText(n.Text)})
		}
	}
	if len(props) == 0 {
		return nil
	}
	return &JUnitProps{Props: props}
}

func interactionCase(in results.Interaction) JUnitTestCase {
	c := JUnitTestCase{Name: in.Description, Classname: in.Consumer + "." + in.Provider + "." + in.Transport, Time: secondsAttr(in.DurationMS / 1000)}
	details := mismatchDetails(in)
	switch {
	case in.Status == results.StatusSkipped:
		c.Skipped = &JUnitSkipped{Message: in.Reason}
	case in.Pending && interactionFailed(in):
		kind := "pending"
		if in.WIP {
			kind = "pending (WIP)"
		}
		c.Skipped = &JUnitSkipped{Message: kind + " interaction " + in.Status + " (does not fail the run)"}
		c.SystemOut = &JUnitText{Text: details}
	case in.Status == results.StatusFailed:
		c.Failure = &JUnitProblem{Message: problemMessage(in), Type: "contract", Text: details}
	case in.Status == results.StatusError:
		c.Error = &JUnitProblem{Message: problemMessage(in), Type: "verification", Text: details}
	}
	return c
}

func problemMessage(in results.Interaction) string {
	if n := len(in.Mismatches); n > 0 {
		first := in.Mismatches[0].Message
		if n == 1 {
			return first
		}
		return fmt.Sprintf("%d mismatches; first: %s", n, first)
	}
	if in.Reason != "" {
		return in.Reason
	}
	return in.Status
}

func mismatchDetails(in results.Interaction) string {
	in = shownInteraction(in)
	var b strings.Builder
	if in.Source != "" {
		fmt.Fprintf(&b, "pact: %s\n", redactString(in.Source))
	}
	if len(in.ProviderStates) > 0 {
		fmt.Fprintf(&b, "provider states: %s\n", strings.Join(in.ProviderStates, "; "))
	}
	if in.Reason != "" {
		fmt.Fprintf(&b, "reason: %s\n", in.Reason)
	}
	for i, m := range mismatchViews(in.Mismatches) { // each at its own path, values cut
		fmt.Fprintf(&b, "%d) %s", i+1, m.Category)
		if m.Path != "" {
			fmt.Fprintf(&b, " %s", m.Path)
		}
		fmt.Fprintf(&b, ": %s\n", m.Message)
		if m.Expected != "" || m.Actual != "" || m.Missing {
			actual := m.Actual
			if m.Missing {
				actual = "(missing)"
			}
			fmt.Fprintf(&b, "   expected: %s\n   actual:   %s\n", indentMore(m.Expected), indentMore(actual))
		}
	}
	return xmlText(b.String())
}

// xmlText replaces characters XML 1.0 does not allow (most C0 controls, U+FFFE, U+FFFF, lone
// surrogates) with U+FFFD; encoding/xml writes CDATA as is.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

func secondsAttr(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// indentMore indents the continuation lines of a pretty-printed value under its label.
func indentMore(s string) string { return strings.ReplaceAll(s, "\n", "\n             ") }
