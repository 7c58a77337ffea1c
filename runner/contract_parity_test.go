package runner_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/runner"
)

// TestVerifyNeedsSomethingToVerifyWith (issue 14, difference 10): a contract with no provider,
// broker, message provider URL or message producer is a usage error; message producers alone
// are enough.
func TestVerifyNeedsSomethingToVerifyWith(t *testing.T) {
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", "messages", "order-events-v4.json")
	_, err := runner.Verify(context.Background(), runner.Contract{Pacts: []string{pact}}, runner.Options{})
	var ec *exitcode.Error
	if !errors.As(err, &ec) || ec.Code != exitcode.Usage {
		t.Fatalf("error %v, want a usage error", err)
	}
	c := runner.Contract{Pacts: []string{pact}, Hooks: verifier.Hooks{MessageProducers: verifier.MessageProducers{
		"an order created event": func(context.Context, []contracts.ProviderState) (verifier.ProducedMessage, error) {
			return verifier.ProducedMessage{Body: map[string]any{"orderId": "o-7", "total": 3.5, "items": []any{map[string]any{"sku": "B", "qty": 1}}},
				Metadata: map[string]any{"contentType": "application/json", "eventType": "OrderShipped"}}, nil
		}}}}
	f, err := runner.Verify(context.Background(), c, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.Verification.Interactions[0]; r.Status != results.StatusPassed {
		t.Fatalf("status %s (%s) %v", r.Status, r.Reason, r.Mismatches)
	}
}
