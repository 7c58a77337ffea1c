package verifier_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/results"
)

const headerPact = `{"consumer":{"name":"web"},"provider":{"name":"api"},
  "interactions":[
    {"description":"with a recorded token","request":{"method":"GET","path":"/a","headers":{"authorization":"Bearer recorded"}},
     "response":{"status":200,"body":{"ok":true}}},
    {"description":"without a token","request":{"method":"GET","path":"/b"},
     "response":{"status":200,"body":{"ok":true}}}],
  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

// TestCustomHeaderReplacesThePacts (issue 14, difference 7): Config.Headers (--header) replace
// a header of the same name recorded in the pact, and are sent on every request, as Pact's
// custom headers are (provider_client.rs, do_not_overwrite_custom_headers_with_headers_from_pact_file).
func TestCustomHeaderReplacesThePacts(t *testing.T) {
	got := verifyHeaders(t, verifier.Config{Headers: map[string]string{"Authorization": "Bearer fresh"}})
	want := map[string][]string{"/a": {"Bearer fresh"}, "/b": {"Bearer fresh"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Authorization sent %v, want %v", got, want)
	}
}

// TestSetHeaderIfPresent (issue 14, difference 7): the request filter built by
// SetHeaderIfPresent refreshes a header only on the requests that carry it.
func TestSetHeaderIfPresent(t *testing.T) {
	got := verifyHeaders(t, verifier.Config{RequestFilter: verifier.SetHeaderIfPresent("Authorization", "Bearer fresh")})
	want := map[string][]string{"/a": {"Bearer fresh"}, "/b": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Authorization sent %v, want %v", got, want)
	}
}

// verifyHeaders verifies headerPact with cfg and returns the Authorization values the provider
// received, by path.
func verifyHeaders(t *testing.T, cfg verifier.Config) map[string][]string {
	t.Helper()
	prov := &recorder{}
	srv := httptest.NewServer(prov)
	defer srv.Close()
	cfg.HTTP = openREST(t, srv.URL)
	v, err := verifier.Verify(context.Background(), cfg, []*contracts.Pact{parsePact(t, headerPact)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Summary.Passed != 2 {
		t.Fatalf("summary %+v: %+v", v.Summary, v.Interactions)
	}
	got := map[string][]string{}
	for _, r := range prov.reqs {
		got[r.URL.Path] = r.Header.Values("Authorization")
	}
	return got
}

// TestRequestAsRecorded: the request goes out as the pact records it, as Pact's
// create_native_request sends it: no Content-Type added to a request whose pact has none (the
// body is sent as it is), each recorded header value on its own line (not joined or split on
// commas), a JSON null body as "null".
func TestRequestAsRecorded(t *testing.T) {
	type seen struct {
		ct     []string
		accept []string
		body   string
	}
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Header.Values("Content-Type"), r.Header.Values("Accept"), string(b)})
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	p := parsePact(t, `{"consumer":{"name":"web"},"provider":{"name":"api"},
	  "interactions":[
	    {"type":"Synchronous/HTTP","description":"no content type","request":{"method":"POST","path":"/a",
	      "headers":{"Accept":["application/json","text/plain, */*"]},
	      "body":{"content":{"id":1},"contentType":"application/json"}},"response":{"status":204}},
	    {"type":"Synchronous/HTTP","description":"null body","request":{"method":"POST","path":"/b",
	      "headers":{"Content-Type":["application/json"]},"body":{"content":null,"contentType":"application/json"}},
	     "response":{"status":204}}],
	  "metadata":{"pactSpecification":{"version":"4.0"}}}`)
	v, err := verifier.Verify(context.Background(), verifier.Config{HTTP: openREST(t, srv.URL)}, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.Interactions {
		if r.Status != results.StatusPassed {
			t.Errorf("%s: %s %v", r.Description, r.Status, r.Mismatches)
		}
	}
	want := []seen{
		{nil, []string{"application/json", "text/plain, */*"}, `{"id":1}`},
		{[]string{"application/json"}, nil, "null"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests received %+v, want %+v", got, want)
	}
}
