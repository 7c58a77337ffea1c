package verifier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
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
	for _, skip := range [][]string{nil, {"message"}} {
		cfg := Config{StateChangeURL: srv.URL, StateTeardown: true, Messages: NewMessages(MessageConfig{}), SkipTransports: skip}
		v, err := Verify(context.Background(), cfg, []*contracts.Pact{p})
		if err != nil {
			t.Fatal(err)
		}
		r := v.Interactions[0]
		want := results.StatusError // issue 14, difference 10: not verified is not passed
		if skip != nil {
			want = results.StatusSkipped
		}
		if r.Status != want || !strings.Contains(r.Reason, "route") {
			t.Fatalf("skip %v: status %s (%s), want %s for want of a route", skip, r.Status, r.Reason, want)
		}
		if n := calls.Load(); n != 0 {
			t.Fatalf("state change URL called %d times for an interaction not verified", n)
		}
	}
}

// TestNoTargetFailsUnlessSkipped (issue 14, difference 10): an HTTP interaction without an HTTP
// connection and a gRPC one without a gRPC connection are errors, so the run fails, unless their
// transport is skipped explicitly; filters still leave interactions out silently.
func TestNoTargetFailsUnlessSkipped(t *testing.T) {
	p, err := contracts.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},
		"interactions":[{"description":"get","request":{"method":"GET","path":"/"},"response":{"status":200}},
		  {"description":"other","request":{"method":"GET","path":"/other"},"response":{"status":200}}],
		"metadata":{"pactSpecification":{"version":"3.0.0"}}}`), "http.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		status string
		total  int
	}{
		{"no target", Config{}, results.StatusError, 2},
		{"http skipped", Config{SkipTransports: []string{"http"}}, results.StatusSkipped, 2},
		{"grpc skipped only", Config{SkipTransports: []string{"grpc"}}, results.StatusError, 2},
		{"filtered out", Config{Description: regexp.MustCompile("^nothing$")}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(context.Background(), tc.cfg, []*contracts.Pact{p})
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Interactions) != tc.total {
				t.Fatalf("%d interactions reported, want %d", len(v.Interactions), tc.total)
			}
			for _, r := range v.Interactions {
				if r.Status != tc.status || !strings.Contains(r.Reason, "--provider-base-url") {
					t.Errorf("%s: status %s (%s), want %s naming --provider-base-url", r.Description, r.Status, r.Reason, tc.status)
				}
			}
			if tc.status == results.StatusError && v.Summary.Errors != 2 {
				t.Errorf("summary %+v: the errors must fail the run", v.Summary)
			}
		})
	}
}
