package reports

import (
	"bytes"
	"testing"

	"github.com/commbench/commbench/results"
)

func TestBrokerPact(t *testing.T) {
	var buf bytes.Buffer
	BrokerPact(&buf, results.BrokerPact{Consumer: "web", Provider: "orders", URL: "https://broker/pacts/1", WIP: true, Pending: true,
		Notices: []results.Notice{{When: "before_verification", Text: "The pact is pending\nsecond line"}, {When: "after_verification_success", Text: "later"}}})
	want := "\nPact web → orders from https://broker/pacts/1 (WIP, pending: failures do not fail the run)\n  The pact is pending\n  second line\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	BrokerPact(&buf, results.BrokerPact{Consumer: "web", Provider: "orders", URL: "u"})
	if buf.String() != "\nPact web → orders from u\n" {
		t.Errorf("plain: %q", buf.String())
	}
}
