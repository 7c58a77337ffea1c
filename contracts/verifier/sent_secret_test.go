package verifier_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
)

// TestSentRequestHidesConfiguredHeaders: the request kept for the reports shows the pact's
// headers, but not the values of configured headers (--header, a target's headers) nor of the
// headers a request filter set (a fresh token): those are the user's secrets.
func TestSentRequestHidesConfiguredHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg := verifier.Config{HTTP: conn.(drivers.Requester), Headers: map[string]string{"X-Static": "canary-static"},
		RequestFilter: func(_ context.Context, m *drivers.Message) error {
			m.Headers["X-Fresh"] = []string{"canary-fresh"}
			return nil
		}}
	v, err := verifier.Verify(context.Background(), cfg, testdataPact(t, "verify", "web-orders-api.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Static") != "canary-static" || got.Get("X-Fresh") != "canary-fresh" {
		t.Fatalf("the provider got X-Static %q, X-Fresh %q", got.Get("X-Static"), got.Get("X-Fresh"))
	}
	sent := v.Interactions[0].Request
	if sent == nil {
		t.Fatal("no request kept")
	}
	for name, want := range map[string]string{"X-Static": "***", "X-Fresh": "***", "Accept": "application/json"} {
		if h := sent.Headers[name]; len(h) != 1 || h[0] != want {
			t.Errorf("kept header %s = %v, want %q", name, h, want)
		}
	}
}
