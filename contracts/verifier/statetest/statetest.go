// Package statetest is a provider-state test double: an httptest state change endpoint that
// behaves like pact-go v2's provider verifier proxy (github.com/pact-foundation/pact-go/v2,
// provider/verifier.go: beforeEachMiddleware and stateHandlerMiddleware), so the verifier's
// state change calls are tested as real Go providers answer them.
//
// What it does with each POST {"state", "params", "action"}:
//
//   - action "setup": BeforeEach runs first, for every setup call, state "" included (pact-go
//     fires it on every setup request); its error answers 500;
//   - the StateHandler registered under the state's name runs with setup true or false; a state
//     without a handler (state "" included) is only logged, and answers 200 with no body;
//   - a handler error answers 500; a non-nil map it returns is the JSON body (the values for
//     ProviderState generators), with Content-Type application/json;
//   - action "teardown": AfterEach runs after the handler, only when a handler was found (as in
//     pact-go).
//
// Every call is recorded, in arrival order, for the test to assert on.
package statetest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// StateHandler sets up (setup true) or tears down a provider state, as pact-go's
// models.StateHandler does; the map returned feeds ProviderState generators.
type StateHandler func(setup bool, state string, params map[string]any) (map[string]any, error)

// Call is one state change request received.
type Call struct {
	State  string
	Params map[string]any
	Action string
}

// Server is the state change endpoint. Set Handlers, BeforeEach and AfterEach before the
// verification starts.
type Server struct {
	*httptest.Server
	Handlers   map[string]StateHandler
	BeforeEach func() error
	AfterEach  func() error

	t     testing.TB
	mu    sync.Mutex
	calls []Call
}

// New starts a state change endpoint, closed when the test ends. Its URL is Server.URL.
func New(t testing.TB, handlers map[string]StateHandler) *Server {
	s := &Server{Handlers: handlers, t: t}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Calls returns the calls received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var c struct {
		State  string         `json:"state"`
		Params map[string]any `json:"params"`
		Action string         `json:"action"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		s.t.Logf("statetest: unable to decode the state change payload %q: %v", raw, err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{State: c.State, Params: c.Params, Action: c.Action})
	s.mu.Unlock()
	if c.Action == "setup" && s.BeforeEach != nil {
		if err := s.BeforeEach(); err != nil {
			s.t.Logf("statetest: BeforeEach: %v", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	h, ok := s.Handlers[c.State]
	if !ok {
		s.t.Logf("statetest: no state handler found for state: %q", c.State)
		w.WriteHeader(http.StatusOK)
		return
	}
	res, err := h(c.Action == "setup", c.State, c.Params)
	if err != nil {
		s.t.Logf("statetest: state handler for %q: %v", c.State, err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if c.Action == "teardown" && s.AfterEach != nil {
		if err := s.AfterEach(); err != nil {
			s.t.Logf("statetest: AfterEach: %v", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	if res != nil {
		body, err := json.Marshal(res)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	}
	w.WriteHeader(http.StatusOK)
}
