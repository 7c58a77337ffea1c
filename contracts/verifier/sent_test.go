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
// with query, headers with secret values redacted, body), for the reports.
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
	v, err := Verify(context.Background(), Config{HTTP: conn.(drivers.Requester)}, []*contracts.Pact{p})
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
	if got := r.Headers["X-Trace"]; len(got) != 1 || got[0] != "t-1" {
		t.Errorf("X-Trace %q", got)
	}
}
