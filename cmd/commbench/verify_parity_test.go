package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/results"
)

// parityPact records an Authorization header on one request and none on the other, and has a
// gRPC-less HTTP interaction only.
const parityPact = `{"consumer":{"name":"web"},"provider":{"name":"api"},
  "interactions":[
    {"description":"with a recorded token","request":{"method":"GET","path":"/a","headers":{"Authorization":"Bearer recorded"}},
     "response":{"status":200}},
    {"description":"without a token","request":{"method":"GET","path":"/b"},"response":{"status":200}}],
  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

// TestVerifyHeaderFlags (issue 14, difference 7): --header replaces a header recorded in the
// pact and is sent on every request, as Pact's --header; --set-header-if-present only refreshes
// the requests that carry the header. Values come from the environment and stay out of results.
func TestVerifyHeaderFlags(t *testing.T) {
	dir := t.TempDir()
	pact := filepath.Join(dir, "pact.json")
	if err := os.WriteFile(pact, []byte(parityPact), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path] = r.Header.Values("Authorization")
		mu.Unlock()
	}))
	defer srv.Close()
	env := []string{"TOKEN=fresh-secret"}
	for _, tc := range []struct {
		name string
		args []string
		want map[string][]string
	}{
		{"--header replaces", []string{"--header", "Authorization: Bearer ${TOKEN}"},
			map[string][]string{"/a": {"Bearer fresh-secret"}, "/b": {"Bearer fresh-secret"}}},
		{"--set-header-if-present", []string{"--set-header-if-present", "Authorization=Bearer ${TOKEN}"},
			map[string][]string{"/a": {"Bearer fresh-secret"}, "/b": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = map[string][]string{}
			out := filepath.Join(t.TempDir(), "results.json")
			args := append([]string{"verify", "--pact", pact, "--provider-base-url", srv.URL, "--json", out}, tc.args...)
			code, stdout, stderr := runCLI(t, env, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Authorization received %v, want %v", got, tc.want)
			}
			raw, _ := os.ReadFile(out)
			if strings.Contains(string(raw), "fresh-secret") || strings.Contains(stdout, "fresh-secret") {
				t.Errorf("the header value reached the results or the output")
			}
		})
	}
}

// TestVerifyNoTargetFails (issue 14, difference 10): an HTTP interaction with no
// --provider-base-url fails the run (exit 1) when another target is given, unless
// --skip-transport http says to skip it.
func TestVerifyNoTargetFails(t *testing.T) {
	dir := t.TempDir()
	pact := filepath.Join(dir, "pact.json")
	if err := os.WriteFile(pact, []byte(parityPact), 0o644); err != nil {
		t.Fatal(err)
	}
	msgProvider := httptest.NewServer(http.NotFoundHandler())
	defer msgProvider.Close()
	base := []string{"verify", "--pact", pact, "--message-provider-url", msgProvider.URL}
	code, stdout, stderr := runCLI(t, nil, base...)
	if code != 1 || !strings.Contains(stdout, "--skip-transport http") {
		t.Fatalf("exit %d (want 1) naming --skip-transport http:\n%s\n%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "results.json")
	code, stdout, stderr = runCLI(t, nil, append(base, "--skip-transport", "http", "--json", out)...)
	if code != 2 || !strings.Contains(stderr, "every one was skipped") {
		t.Fatalf("exit %d (want 2: nothing verified) :\n%s\n%s", code, stdout, stderr)
	}
	if f, err := results.ReadFile(out); err != nil || f.Verification.Summary.Skipped != 2 {
		t.Fatalf("results %v: %v", f, err)
	}
	code, _, stderr = runCLI(t, nil, append(base, "--skip-transport", "ftp")...)
	if code != 2 || !strings.Contains(stderr, "--skip-transport") {
		t.Fatalf("exit %d (want 2) for an unknown transport:\n%s", code, stderr)
	}
}
