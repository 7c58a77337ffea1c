package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/commbench/commbench/results"
)

// BrokerPact writes, before a pact from a Pact Broker is verified, where it comes from (its URL,
// credentials already removed by contracts/broker), its status (WIP, pending) and the broker's
// before_verification notices, indented, as the reference verifier (pact_verifier_cli) prints
// them.
func BrokerPact(w io.Writer, p results.BrokerPact) {
	var status []string
	if p.WIP {
		status = append(status, "WIP")
	}
	if p.Pending {
		status = append(status, "pending: failures do not fail the run")
	}
	line := fmt.Sprintf("\nPact %s → %s from %s", p.Consumer, p.Provider, p.URL) // URL: credentials already removed
	if len(status) > 0 {
		line += " (" + strings.Join(status, ", ") + ")"
	}
	fmt.Fprintln(w, line)
	for _, n := range p.Notices {
		if n.When == "before_verification" {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(n.Text, "\n", "\n  "))
		}
	}
}
