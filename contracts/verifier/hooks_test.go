package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// orderStore is an in-process provider of testdata/pacts/verify/web-orders-api.json whose data
// only the state handlers set: GET /orders/{id} answers an order that a handler created, 404
// otherwise; with a token set, requests without "Authorization: Bearer TOKEN" get 401.
type orderStore struct {
	mu     sync.Mutex
	orders map[string]bool
	token  string
	calls  []string // "setup:STATE" and "teardown:STATE", in order
}

func (s *orderStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	id, found := strings.CutPrefix(r.URL.Path, "/orders/")
	switch {
	case r.Method == http.MethodGet && found && s.orders[id]:
		fmt.Fprintf(w, `{"id":%q,"status":"PLACED","total":25.5,"items":[{"sku":"SKU-1","qty":2}]}`, id)
	case r.Method == http.MethodGet && found:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":"order %s not found"}`, id)
	case r.Method == http.MethodPost && r.URL.Path == "/orders":
		w.Header().Set("Location", "/orders/o-2")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"o-2","status":"PLACED"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// handlers are state handlers for the store: "an order exists" creates order o-42 (not the
// pact's o-1) and returns its id for the ProviderState generator of the request path.
func (s *orderStore) handlers() verifier.StateHandlers {
	record := func(setup bool, st contracts.ProviderState) {
		s.calls = append(s.calls, map[bool]string{true: "setup:", false: "teardown:"}[setup]+st.Name)
	}
	return verifier.StateHandlers{
		"an order exists": func(_ context.Context, setup bool, st contracts.ProviderState) (map[string]any, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			record(setup, st)
			if st.Params["id"] != "o-1" {
				return nil, fmt.Errorf("params %v, want the pact's id o-1", st.Params)
			}
			s.orders["o-42"] = setup
			return map[string]any{"id": "o-42"}, nil
		},
		"no order exists": func(_ context.Context, setup bool, st contracts.ProviderState) (map[string]any, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			record(setup, st)
			clear(s.orders)
			return nil, nil
		},
	}
}

// testdataPact loads testdata/pacts/DIR/NAME.
func testdataPact(t *testing.T, dir, name string) []*contracts.Pact {
	return loadPact(t, filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", dir, name))
}

// verifyWithHooks verifies web-orders-api.json against store with hooks installed.
func verifyWithHooks(t *testing.T, store *orderStore, h verifier.Hooks) *results.Verification {
	t.Helper()
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cfg := verifier.Config{HTTP: conn.(drivers.Requester)}
	if err := h.Install(&cfg, &verifier.MessageConfig{}); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.Verify(context.Background(), cfg, testdataPact(t, "verify", "web-orders-api.json"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func statuses(v *results.Verification) map[string]string {
	m := map[string]string{}
	for _, in := range v.Interactions {
		m[in.Description] = in.Status + " " + in.Reason
	}
	return m
}

func TestStateHandlers(t *testing.T) {
	t.Run("setup and teardown, values reach the ProviderState generator", func(t *testing.T) {
		store := &orderStore{orders: map[string]bool{}}
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: store.handlers()})
		if v.Summary.Passed != 3 {
			t.Fatalf("summary %+v: %v", v.Summary, statuses(v))
		}
		for _, want := range []string{"setup:an order exists", "teardown:an order exists", "setup:no order exists", "teardown:no order exists"} {
			if !strings.Contains(strings.Join(store.calls, ","), want) {
				t.Errorf("calls %v lack %s", store.calls, want)
			}
		}
		if store.orders["o-42"] {
			t.Error("the teardown of \"an order exists\" did not run: order o-42 still exists")
		}
	})
	t.Run("a state without handler fails its interaction", func(t *testing.T) {
		store := &orderStore{orders: map[string]bool{}}
		h := store.handlers()
		delete(h, "no order exists")
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: h})
		got := statuses(v)["get a missing order"]
		if !strings.HasPrefix(got, results.StatusError) || !strings.Contains(got, `no state handler for provider state "no order exists"`) {
			t.Fatalf("get a missing order: %q", got)
		}
		if v.Summary.Passed != 2 {
			t.Fatalf("summary %+v", v.Summary)
		}
	})
	t.Run("a handler's error fails its interaction", func(t *testing.T) {
		store := &orderStore{orders: map[string]bool{}}
		h := store.handlers()
		h["an order exists"] = func(context.Context, bool, contracts.ProviderState) (map[string]any, error) {
			return nil, errors.New("database down")
		}
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: h})
		if got := statuses(v)["get an order"]; !strings.Contains(got, "database down") || !strings.HasPrefix(got, results.StatusError) {
			t.Fatalf("get an order: %q", got)
		}
	})
	t.Run("without the generator value the pact's path is requested and fails", func(t *testing.T) {
		store := &orderStore{orders: map[string]bool{}}
		h := store.handlers()
		inner := h["an order exists"]
		h["an order exists"] = func(ctx context.Context, setup bool, st contracts.ProviderState) (map[string]any, error) {
			_, err := inner(ctx, setup, st)
			return nil, err
		}
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: h})
		if got := statuses(v)["get an order"]; !strings.HasPrefix(got, results.StatusFailed) {
			t.Fatalf("get an order: %q, want failed (GET /orders/o-1 answers 404)", got)
		}
	})
}

func TestRequestFilter(t *testing.T) {
	store := &orderStore{orders: map[string]bool{}, token: "fresh"}
	t.Run("without the filter every request is refused", func(t *testing.T) {
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: store.handlers()})
		if v.Summary.Failed != 3 {
			t.Fatalf("summary %+v, want 3 failed (401)", v.Summary)
		}
	})
	t.Run("the filter sets a fresh token", func(t *testing.T) {
		var seen []string
		filter := func(_ context.Context, req *drivers.Message) error {
			seen = append(seen, req.Method+" "+req.Route)
			if req.Headers == nil {
				req.Headers = map[string][]string{}
			}
			req.Headers["Authorization"] = []string{"Bearer fresh"}
			return nil
		}
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: store.handlers(), RequestFilter: filter})
		if v.Summary.Passed != 3 || len(seen) != 3 {
			t.Fatalf("summary %+v, filtered %v: %v", v.Summary, seen, statuses(v))
		}
		if seen[0] != "GET /orders/o-42" {
			t.Errorf("first request %q: the filter runs after the generators", seen[0])
		}
	})
	t.Run("a filter's error fails the interaction", func(t *testing.T) {
		filter := func(context.Context, *drivers.Message) error { return errors.New("no token") }
		v := verifyWithHooks(t, store, verifier.Hooks{StateHandlers: store.handlers(), RequestFilter: filter})
		if got := statuses(v)["place an order"]; !strings.Contains(got, "request filter: no token") {
			t.Fatalf("place an order: %q", got)
		}
	})
}

func TestMessageProducers(t *testing.T) {
	pacts := testdataPact(t, "messages", "order-events-v4.json")
	verify := func(t *testing.T, producers verifier.MessageProducers, states verifier.StateHandlers) *results.Verification {
		t.Helper()
		var cfg verifier.Config
		var mc verifier.MessageConfig
		if err := (verifier.Hooks{StateHandlers: states, MessageProducers: producers}).Install(&cfg, &mc); err != nil {
			t.Fatal(err)
		}
		cfg.Messages = verifier.NewMessages(mc)
		v, err := verifier.Verify(context.Background(), cfg, pacts)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var created string
	states := verifier.StateHandlers{"an order is created": func(_ context.Context, setup bool, st contracts.ProviderState) (map[string]any, error) {
		if setup {
			created, _ = st.Params["orderId"].(string)
		}
		return nil, nil
	}}
	produce := func(eventType string, total any) verifier.MessageProducer {
		return func(_ context.Context, ss []contracts.ProviderState) (verifier.ProducedMessage, error) {
			if len(ss) != 1 || ss[0].Name != "an order is created" {
				return verifier.ProducedMessage{}, fmt.Errorf("states %v", ss)
			}
			return verifier.ProducedMessage{
				Body:     map[string]any{"orderId": created, "total": total, "items": []any{map[string]any{"sku": "B-7", "qty": 1}}},
				Metadata: map[string]any{"eventType": eventType},
			}, nil
		}
	}
	t.Run("a matching message passes", func(t *testing.T) {
		v := verify(t, verifier.MessageProducers{"an order created event": produce("OrderCreated", 99)}, states)
		if v.Summary.Passed != 1 || created != "o-1" {
			t.Fatalf("summary %+v (state set up with %q): %v", v.Summary, created, statuses(v))
		}
	})
	t.Run("a drifted message fails with the mismatches", func(t *testing.T) {
		v := verify(t, verifier.MessageProducers{"an order created event": produce("order-created", "99")}, states)
		if v.Summary.Failed != 1 {
			t.Fatalf("summary %+v", v.Summary)
		}
		raw, _ := json.Marshal(v.Interactions[0].Mismatches)
		for _, want := range []string{"$.total", "eventType"} {
			if !strings.Contains(string(raw), want) {
				t.Errorf("mismatches lack %s: %s", want, raw)
			}
		}
	})
	t.Run("no producer for the description fails, naming it", func(t *testing.T) {
		v := verify(t, verifier.MessageProducers{"another event": produce("OrderCreated", 1)}, states)
		if got := statuses(v)["an order created event"]; !strings.Contains(got, `no message producer for message interaction "an order created event"`) {
			t.Fatalf("got %q", got)
		}
	})
}

func TestHooksConflictWithURLs(t *testing.T) {
	noop := func(context.Context, bool, contracts.ProviderState) (map[string]any, error) { return nil, nil }
	cfg := verifier.Config{StateChangeURL: "http://127.0.0.1:1/state"}
	err := verifier.Hooks{StateHandlers: verifier.StateHandlers{"x": noop}}.Install(&cfg, &verifier.MessageConfig{})
	if !errors.Is(err, verifier.ErrHooksConflict) {
		t.Fatalf("err %v, want ErrHooksConflict", err)
	}
	produce := func(context.Context, []contracts.ProviderState) (verifier.ProducedMessage, error) {
		return verifier.ProducedMessage{}, nil
	}
	err = verifier.Hooks{MessageProducers: verifier.MessageProducers{"x": produce}}.Install(&verifier.Config{}, &verifier.MessageConfig{ProviderURL: "http://x"})
	if !errors.Is(err, verifier.ErrHooksConflict) {
		t.Fatalf("err %v, want ErrHooksConflict", err)
	}
}
