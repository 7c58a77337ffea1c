package compat

import (
	"context"

	"github.com/commbench/commbench/contracts"
)

// mockBroker is a Pact broker double (pact-broker_cN.json fixtures).
type mockBroker struct{}

func (w *providerWorld) pactFromBroker(n int) error {
	return errPendingOther("pacts for verification from a Pact broker and publication of the results: commbench has no broker client")
}

func (w *providerWorld) brokerPacts(ctx context.Context) []*contracts.Pact { return nil }
func (w *providerWorld) publishResults(ctx context.Context)                {}
func (w *providerWorld) notPublished() error                               { return nil }
func (w *providerWorld) published(n int, success bool) error {
	return errPendingOther("publication of verification results")
}
