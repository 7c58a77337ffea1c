package verifier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/results"
)

// TestSentRequestRecorded: each HTTP interaction's result carries the request sent (method, path
// with query, the pact's headers, secret-looking and configured ones redacted, body), for the
// reports.
func TestSentRequestRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	v := verifyV2(t, srv.URL, Config{Headers: map[string]string{"X-Api-Canary": "c4nary-value", "X-Trace": "from-config"}},
		`{"description":"create","request":{"method":"post","path":"/orders","query":"dry=1",
		"headers":{"Authorization":"Bearer s3cret","X-Trace":"t-1","Content-Type":"application/json"},"body":{"sku":"A"}},
		"response":{"status":201}}`)
	r := v.Interactions[0].Request
	if r == nil {
		t.Fatal("no request recorded")
	}
	if r.Method != "POST" || r.Path != "/orders?dry=1" || r.Body != `{"sku":"A"}` {
		t.Errorf("request %+v", r)
	}
	if got := r.Headers["Authorization"]; len(got) != 1 || got[0] != "***" {
		t.Errorf("Authorization %q, want redacted", got)
	}
	// Headers the configuration set or replaced (--header) are credentials: not recorded.
	for _, h := range []string{"X-Api-Canary", "X-Trace"} {
		if got := r.Headers[h]; len(got) != 1 || got[0] != "***" {
			t.Errorf("%s %q, want redacted (set by the configuration)", h, got)
		}
	}
	if got := r.Headers["Content-Type"]; len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type %q: the pact's headers are shown", got)
	}
}

// TestSentRequestNotKeptOnPass: a passing interaction's result keeps no request (the reports
// show requests only for failures), so verifying many interactions does not hold one each.
func TestSentRequestNotKeptOnPass(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	v := verifyV2(t, srv.URL, Config{},
		`{"description":"pass","request":{"method":"GET","path":"/ok"},"response":{"status":200}}`,
		`{"description":"fail","request":{"method":"GET","path":"/fail"},"response":{"status":200}}`)
	if len(v.Interactions) != 2 || v.Interactions[0].Status != "passed" || v.Interactions[1].Status != "failed" {
		t.Fatalf("interactions %+v", v.Interactions)
	}
	if v.Interactions[0].Request != nil {
		t.Errorf("passed interaction keeps its request %+v", v.Interactions[0].Request)
	}
	if r := v.Interactions[1].Request; r == nil || r.Path != "/fail" {
		t.Errorf("failed interaction's request %+v, want GET /fail", r)
	}
}

// verifyV2 verifies a V2 pact holding interactions (JSON objects) against the provider at url
// with cfg (its HTTP connection set here).
func verifyV2(t *testing.T, url string, cfg Config, interactions ...string) *results.Verification {
	t.Helper()
	p, err := contracts.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[`+
		strings.Join(interactions, ",")+`],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`), "sent.json")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cfg.HTTP = conn.(drivers.Requester)
	v, err := Verify(context.Background(), cfg, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
