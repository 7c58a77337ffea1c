package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

// brokerFile is a verification of two pacts from a Pact Broker: web's, required, and beta's, WIP
// and failing, with notices holding markup and a URL with credentials.
func brokerFile() *results.File {
	return &results.File{Schema: results.Schema, Run: results.Run{Command: "verify"}, Verification: &results.Verification{
		Interactions: []results.Interaction{
			{Consumer: "web", Provider: "orders", Description: "get order 1", Kind: "http", Transport: "http", Status: results.StatusPassed},
			{Consumer: "beta", Provider: "orders", Description: "get order in euros", Kind: "http", Transport: "http", Status: results.StatusFailed,
				Pending: true, WIP: true, Mismatches: []results.Mismatch{{Category: "body", Path: "$", Message: "missing currency"}}},
		},
		Summary: results.Summary{Total: 2, Passed: 1, PendingFailed: 1},
		Pacts: []results.BrokerPact{
			{Consumer: "web", Provider: "orders", URL: "https://broker.test/pacts/provider/orders/consumer/web/pact-version/1", Published: true,
				Notices: []results.Notice{{When: "before_verification", Text: "required because it is the latest from main"}}},
			{Consumer: "beta", Provider: "orders", URL: "https://ci:hunter2@broker.test/pacts/provider/orders/consumer/beta/pact-version/2", Pending: true, WIP: true,
				Notices: []results.Notice{{When: "before_verification", Text: "<b>work in progress</b> pact"}}},
		},
	}}
}

func TestBrokerPactsInReports(t *testing.T) {
	f := brokerFile()
	var html, md, junit, text bytes.Buffer
	if err := Text(&text, f, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "Pact Broker: 2 pacts (1 pending, 1 WIP), results published for 1") {
		t.Errorf("text summary:\n%s", text.String())
	}
	if err := HTML(&html, f); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, f); err != nil {
		t.Fatal(err)
	}
	if err := JUnit(&junit, f); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"html": html.String(), "markdown": md.String(), "junit": junit.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s shows the broker password", name)
		}
		for _, want := range []string{"broker.test/pacts/provider/orders/consumer/web/pact-version/1", "latest from main"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	if !strings.Contains(html.String(), "&lt;b&gt;work in progress&lt;/b&gt;") || !strings.Contains(html.String(), ">WIP</span>") {
		t.Error("HTML: the WIP pact's notice is not escaped or its WIP badge is missing")
	}
	if !strings.Contains(md.String(), "(WIP, pending)") || !strings.Contains(md.String(), "(results published)") {
		t.Errorf("Markdown: statuses missing:\n%s", md.String())
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range doc.Suites[1].Props.Props {
		props[p.Name] = p.Value
	}
	if props["wip"] != "true" || props["pending"] != "true" || props["notice"] != "<b>work in progress</b> pact" {
		t.Errorf("JUnit properties of beta's suite: %v", props)
	}
	if c := doc.Suites[1].Cases[0]; c.Skipped == nil || !strings.Contains(c.Skipped.Message, "WIP") {
		t.Errorf("JUnit: beta's failing WIP interaction should be skipped as pending (WIP): %+v", c)
	}
}
