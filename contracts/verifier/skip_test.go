package verifier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/results"
)

// TestUnroutedMessageSetsUpNoState: a message interaction with no route is skipped before its
// provider states are set up, so the provider is not asked to publish a message nobody reads.
func TestUnroutedMessageSetsUpNoState(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	p, err := contracts.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},
		"messages":[{"description":"an unrouted event","providerStates":[{"name":"an order was placed"}],"contents":{"id":1}}],
		"metadata":{"pactSpecification":{"version":"3.0.0"}}}`), "unrouted.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{StateChangeURL: srv.URL, StateTeardown: true, Messages: NewMessages(MessageConfig{})}
	v, err := Verify(context.Background(), cfg, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Interactions[0]
	if r.Status != results.StatusSkipped || !strings.Contains(r.Reason, "route") {
		t.Fatalf("status %s (%s), want skipped for want of a route", r.Status, r.Reason)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("state change URL called %d times for a skipped interaction", n)
	}
}
