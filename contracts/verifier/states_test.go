package verifier_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/contracts/verifier/statetest"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/results"
)

// openREST opens a REST connection to url.
func openREST(t *testing.T, url string) drivers.Requester {
	t.Helper()
	c, err := rest.New().Open(context.Background(), drivers.Target{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.(drivers.Requester)
}

func parsePact(t *testing.T, src string) *contracts.Pact {
	t.Helper()
	p, err := contracts.Parse([]byte(src), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recorder is a provider answering 200 {"ok":true} and recording each request.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	log  *[]string // shared with the state double, to see the order of calls
}

func (p *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	if p.log != nil {
		*p.log = append(*p.log, "request "+r.URL.Path)
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

const twoInteractions = `{"consumer":{"name":"web"},"provider":{"name":"api"},
  "interactions":[
    {"description":"with states","providerStates":[{"name":"A","params":{"id":1}},{"name":"B"}],
     "request":{"method":"GET","path":"/a"},"response":{"status":200,"body":{"ok":true}}},
    {"description":"without state",
     "request":{"method":"GET","path":"/b"},"response":{"status":200,"body":{"ok":true}}}],
  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

// TestStateChangeCallsFollowPact (issue 14, difference 4): an interaction without provider
// state gets a setup (and teardown) call with state "", so a provider's BeforeEach runs before
// every interaction; teardown runs in declaration order, as pact-reference's
// execute_provider_states does.
func TestStateChangeCallsFollowPact(t *testing.T) {
	var log []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	handler := func(setup bool, state string, _ map[string]any) (map[string]any, error) {
		note(map[bool]string{true: "setup ", false: "teardown "}[setup] + state)
		return nil, nil
	}
	states := statetest.New(t, map[string]statetest.StateHandler{"A": handler, "B": handler})
	before := 0
	states.BeforeEach = func() error { before++; note("BeforeEach"); return nil }
	prov := &recorder{log: &log}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		prov.ServeHTTP(w, r)
	}))
	defer srv.Close()

	cfg := verifier.Config{HTTP: openREST(t, srv.URL), StateChangeURL: states.URL, StateTeardown: true}
	v, err := verifier.Verify(context.Background(), cfg, []*contracts.Pact{parsePact(t, twoInteractions)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Summary.Passed != 2 {
		t.Fatalf("summary %+v, want 2 passed: %+v", v.Summary, v.Interactions)
	}
	var got []string
	for _, c := range states.Calls() {
		got = append(got, c.Action+" "+c.State)
	}
	want := []string{"setup A", "setup B", "teardown A", "teardown B", "setup ", "teardown "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state change calls %q, want %q", got, want)
	}
	if before != 3 {
		t.Errorf("BeforeEach ran %d times, want 3 (one per setup call, state \"\" included)", before)
	}
	wantLog := []string{"BeforeEach", "setup A", "BeforeEach", "setup B", "request /a", "teardown A", "teardown B", "BeforeEach", "request /b"}
	if !reflect.DeepEqual(log, wantLog) {
		t.Errorf("order of events %q, want %q", log, wantLog)
	}
	if p := states.Calls()[0].Params; p["id"] != float64(1) {
		t.Errorf("params of state A: %v, want id 1", p)
	}
}

// TestStateChangeFailureStillCallsTheOthers: a failing state handler errs the interaction
// (Pact: "One or more of the setup state change handlers has failed"), after every state was
// called, and the request is not sent.
func TestStateChangeFailureStillCallsTheOthers(t *testing.T) {
	states := statetest.New(t, map[string]statetest.StateHandler{
		"A": func(bool, string, map[string]any) (map[string]any, error) { return nil, errBoom },
	})
	prov := &recorder{}
	srv := httptest.NewServer(prov)
	defer srv.Close()
	cfg := verifier.Config{HTTP: openREST(t, srv.URL), StateChangeURL: states.URL}
	p := parsePact(t, twoInteractions)
	p.Interactions = p.Interactions[:1]
	v, err := verifier.Verify(context.Background(), cfg, []*contracts.Pact{p})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Interactions[0]
	if r.Status != results.StatusError || !strings.Contains(r.Reason, `"A"`) {
		t.Fatalf("status %s (%s), want error naming state A", r.Status, r.Reason)
	}
	if n := len(states.Calls()); n != 2 {
		t.Errorf("%d state calls, want 2 (B is set up although A failed)", n)
	}
	if len(prov.reqs) != 0 {
		t.Errorf("the request was sent although the state setup failed")
	}
}

type boom struct{}

func (boom) Error() string { return "boom" }

var errBoom error = boom{}

const stateGenerator = `{"consumer":{"name":"web"},"provider":{"name":"api"},
  "interactions":[{"description":"get the order","providerStates":[{"name":"an order exists"}],
    "request":{"method":"GET","path":"/orders/o-1",
      "generators":{"path":{"type":"ProviderState","expression":"/orders/${id}"}}},
    "response":{"status":200,"body":{"ok":true}}}],
  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

// TestProviderStateGeneratorWithoutValue (issue 14, difference 6): a ProviderState generator
// whose value the state call did not return keeps the pact's example value, and the interaction
// goes on with a warning (Pact: the failed generate_value is ignored); when the state call
// returns the value, it is used.
func TestProviderStateGeneratorWithoutValue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		returned map[string]any
		path     string
		warning  bool
	}{
		{"value returned", map[string]any{"id": "o-9"}, "/orders/o-9", false},
		{"value missing", map[string]any{"other": 1}, "/orders/o-1", true},
		{"nothing returned", nil, "/orders/o-1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			states := statetest.New(t, map[string]statetest.StateHandler{
				"an order exists": func(bool, string, map[string]any) (map[string]any, error) { return tc.returned, nil },
			})
			prov := &recorder{}
			srv := httptest.NewServer(prov)
			defer srv.Close()
			cfg := verifier.Config{HTTP: openREST(t, srv.URL), StateChangeURL: states.URL}
			v, err := verifier.Verify(context.Background(), cfg, []*contracts.Pact{parsePact(t, stateGenerator)})
			if err != nil {
				t.Fatal(err)
			}
			r := v.Interactions[0]
			if r.Status != results.StatusPassed {
				t.Fatalf("status %s (%s), want passed", r.Status, r.Reason)
			}
			if len(prov.reqs) != 1 || prov.reqs[0].URL.Path != tc.path {
				t.Fatalf("requests %v, want one to %s", prov.reqs, tc.path)
			}
			if tc.warning != (len(r.Warnings) == 1 && strings.Contains(r.Warnings[0], `"id"`) && strings.Contains(r.Warnings[0], "example")) {
				t.Errorf("warnings %q (want a warning naming id: %v)", r.Warnings, tc.warning)
			}
		})
	}
}

const v4Comments = `{"consumer":{"name":"web"},"provider":{"name":"api"},
  "interactions":[{"type":"Synchronous/HTTP","description":"commented",
    "comments":{"text":["first note","second note"],"testname":"OrdersSpec.getsAnOrder"},
    "request":{"method":"GET","path":"/a"},
    "response":{"status":200,"body":{"content":{"ok":true},"contentType":"application/json"}}}],
  "metadata":{"pactSpecification":{"version":"4.0"}}}`

// TestCommentsReported (issue 14, difference 5): V4 comments.text and comments.testname reach
// the interaction's result, as Pact's verifier prints them.
func TestCommentsReported(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	v, err := verifier.Verify(context.Background(), verifier.Config{HTTP: openREST(t, srv.URL)}, []*contracts.Pact{parsePact(t, v4Comments)})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Interactions[0]
	if !reflect.DeepEqual(r.Comments, []string{"first note", "second note"}) || r.TestName != "OrdersSpec.getsAnOrder" {
		t.Errorf("comments %q, test name %q", r.Comments, r.TestName)
	}
	if r.Status != results.StatusPassed {
		t.Errorf("status %s (%v)", r.Status, r.Mismatches)
	}
}
