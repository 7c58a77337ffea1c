package verifier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
)

// TestSentRequestRecorded: each HTTP interaction's result carries the request sent (method, path
// with query, the pact's headers, secret-looking and configured ones redacted, body), for the
// reports.
func TestSentRequestRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	p, err := contracts.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},
		"interactions":[{"description":"create","request":{"method":"post","path":"/orders","query":"dry=1",
		"headers":{"Authorization":"Bearer s3cret","X-Trace":"t-1","Content-Type":"application/json"},"body":{"sku":"A"}},
		"response":{"status":201}}],
		"metadata":{"pactSpecification":{"version":"2.0.0"}}}`), "sent.json")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v, err := Verify(context.Background(), Config{HTTP: conn.(drivers.Requester), Headers: map[string]string{"X-Api-Canary": "c4nary-value", "X-Trace": "from-config"}}, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
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
	p, err := contracts.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},
		"interactions":[{"description":"pass","request":{"method":"GET","path":"/ok"},"response":{"status":200}},
		{"description":"fail","request":{"method":"GET","path":"/fail"},"response":{"status":200}}],
		"metadata":{"pactSpecification":{"version":"2.0.0"}}}`), "pass.json")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v, err := Verify(context.Background(), Config{HTTP: conn.(drivers.Requester)}, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
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
