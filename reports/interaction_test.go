package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

// TestInteractionLine: the live line names consumer, provider, description, transport and status,
// lists each mismatch with expected and actual, and escapes control characters from the pact.
func TestInteractionLine(t *testing.T) {
	r := results.Interaction{Consumer: "web", Provider: "orders", Description: "get\x1b]0;pwned\x07 an order\n::error::x", Transport: "http",
		Status: results.StatusFailed, Mismatches: []results.Mismatch{{Category: "body", Path: "$.total", Message: "Expected a number", Expected: "25.5", Actual: `"25.50"`}}}
	var b bytes.Buffer
	Interaction(&b, r, false)
	got := b.String()
	for _, want := range []string{"✗ web → orders: get\\x1b]0;pwned\\x07 an order\\n::error::x [http] (failed)\n", "    body $.total: Expected a number\n", "      expected: 25.5\n      actual:   \"25.50\"\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	b.Reset()
	r.Pending, r.Mismatches = true, nil
	Interaction(&b, r, true)
	if !strings.HasPrefix(b.String(), "\x1b[33m! web") || !strings.Contains(b.String(), "(failed, pending)") {
		t.Errorf("pending failure: %q", b.String())
	}
}

// TestInteractionCommentsAndWarnings (issue 14, differences 5 and 6): the V4 test name and
// comments and the interaction's warnings are printed under its line, escaped.
func TestInteractionCommentsAndWarnings(t *testing.T) {
	r := results.Interaction{Consumer: "web", Provider: "orders", Description: "get", Transport: "http", Status: results.StatusPassed,
		TestName: "OrdersSpec.get", Comments: []string{"see ticket 42", "two\nlines"},
		Warnings: []string{`ProviderState: "id" is not among the provider state values; the pact's example value is kept`}}
	var b bytes.Buffer
	Interaction(&b, r, false)
	for _, want := range []string{"    test name: OrdersSpec.get\n", "    comment: see ticket 42\n", "    comment: two\\nlines\n",
		"    warning: ProviderState: \"id\" is not among"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
