package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/results"
)

// mockBroker is the suite's Pact broker double, as pact-reference's compatibility suite builds it
// (a_pact_file_for_interaction_is_to_be_verified_from_a_pact_broker): a stub serving the
// interactions of the fixture pact-broker_cN.json (a broker client's pact: the index, the
// pacts-for-verification resource, the results publication), each request matched with
// contracts.MatchRequest and answered with the fixture's response, plus the pact for consumer c_N
// (interaction N with its _id and a pb:publish-verification-results link). A request no
// interaction matches is answered 500, so commbench's broker client must send what the fixture
// expects. Every request is recorded with whether it matched.
type mockBroker struct {
	srv      *httptest.Server
	consumer string

	mu   sync.Mutex
	reqs []brokerRequest

	client *broker.Client
	pacts  []*broker.Pact
}

type brokerRequest struct {
	method, path string
	body         []byte
	matched      bool
}

func (w *providerWorld) pactFromBroker(n int) error {
	h, err := w.spec(n)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(fixtureDir, fmt.Sprintf("pact-broker_c%d.json", n)))
	if err != nil {
		return err
	}
	// The stub serves the fixture's responses as written: their matching rules only matter when
	// verifying a broker, and pact-broker_c1.json's regex for $._links.self.href does not compile
	// (".(*\/pacts..."; pact-reference's mock server never compiles response rules). Drop them.
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	list, _ := raw["interactions"].([]any)
	for _, in := range list {
		if resp, ok := in.(map[string]any)["response"].(map[string]any); ok {
			delete(resp, "matchingRules")
		}
	}
	data, _ = json.Marshal(raw)
	fixture, err := contracts.Parse(data, fmt.Sprintf("pact-broker_c%d.json", n))
	if err != nil {
		return err
	}
	consumer := fmt.Sprint("c_", n)
	mb := &mockBroker{consumer: consumer}
	mb.srv = w.serve(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := brokerRequest{method: r.Method, path: r.URL.Path, body: body}
		defer func() {
			mb.mu.Lock()
			mb.reqs = append(mb.reqs, rec)
			mb.mu.Unlock()
		}()
		if r.Method == http.MethodGet && r.URL.Path == "/pacts/provider/p/consumer/"+consumer {
			in := h.interaction(1, fmt.Sprint("interaction ", n))
			in["_id"] = fmt.Sprint("ID", n)
			var doc map[string]any
			_ = json.Unmarshal(pactDoc(1, consumer, []any{in}, false), &doc)
			doc["_links"] = map[string]any{"pb:publish-verification-results": map[string]any{
				"title": "Publish verification results", "href": mb.srv.URL + "/pacts/provider/p/consumer/" + consumer + "/verification-results"}}
			rec.matched = true
			rw.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(rw).Encode(doc)
			return
		}
		actual := &contracts.Request{Method: r.Method, Path: r.URL.Path, Query: map[string][]string(r.URL.Query()),
			Headers: map[string][]string(r.Header), Body: contracts.NewBody(body, r.Header.Get("Content-Type"))}
		if len(body) == 0 {
			actual.Body = contracts.Body{State: contracts.BodyMissing}
		}
		for _, in := range fixture.Interactions {
			if in.Request == nil || len(contracts.MatchRequest(in.Request, actual)) > 0 {
				continue
			}
			rec.matched = true
			// The fixture's links name the host it was recorded on: serve them on this one.
			content := strings.ReplaceAll(string(in.Response.Body.Content), "http://localhost:9876", mb.srv.URL)
			rw.Header().Set("Content-Type", "application/hal+json")
			rw.WriteHeader(in.Response.Status)
			_, _ = io.WriteString(rw, content)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintf(rw, `{"error": "no interaction of the broker fixture matches %s %s"}`, r.Method, r.URL.Path)
	}))
	w.brokers = append(w.brokers, mb)
	return nil
}

// brokerPacts fetches the pacts of every mock broker with commbench's broker client, as the
// reference suite's BrokerWithDynamicConfiguration source (provider "p", no selectors).
func (w *providerWorld) brokerPacts(ctx context.Context) []*contracts.Pact {
	var out []*contracts.Pact
	for _, mb := range w.brokers {
		c, err := broker.New(broker.Config{URL: mb.srv.URL, Provider: "p", ForVerification: true, Retries: -1})
		if err == nil {
			mb.client = c
			mb.pacts, err = c.Fetch(ctx)
		}
		if err != nil {
			w.err = err
			continue
		}
		for _, p := range mb.pacts {
			out = append(out, p.Pact)
		}
	}
	return out
}

// publishResults publishes, when enabled, each broker pact's results (provider version 1.2.3, as
// the reference suite's publishing step).
func (w *providerWorld) publishResults(ctx context.Context) {
	if !w.publish || w.result == nil {
		return
	}
	for _, mb := range w.brokers {
		for _, p := range mb.pacts {
			var rs []results.Interaction
			for _, r := range w.result.Interactions {
				if r.Source == p.Source {
					rs = append(rs, r)
				}
			}
			pub := broker.Publication{ProviderVersion: "1.2.3", Version: "0.0.0-dev"}
			if err := mb.client.Publish(ctx, p, pub, rs); err != nil && w.err == nil {
				w.err = err
			}
		}
	}
}

func (w *providerWorld) notPublished() error {
	for _, mb := range w.brokers {
		for _, r := range mb.requests() {
			if strings.HasSuffix(r.path, "/verification-results") {
				return fmt.Errorf("a verification result was published to %s", r.path)
			}
		}
	}
	return nil
}

// published checks that the fixture's broker received, and matched, a results publication for
// consumer c_n with this success.
func (w *providerWorld) published(n int, success bool) error {
	path := fmt.Sprintf("/pacts/provider/p/consumer/c_%d/verification-results", n)
	var seen []string
	for _, mb := range w.brokers {
		for _, r := range mb.requests() {
			if r.method != http.MethodPost || r.path != path {
				continue
			}
			var body struct {
				Success *bool `json:"success"`
			}
			_ = json.Unmarshal(r.body, &body)
			if r.matched && body.Success != nil && *body.Success == success {
				return nil
			}
			seen = append(seen, fmt.Sprintf("%s (matched the fixture: %v)", r.body, r.matched))
		}
	}
	return fmt.Errorf("no verification result with success=%v published to %s; published: %v (verification error %v)", success, path, seen, w.err)
}

func (mb *mockBroker) requests() []brokerRequest {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]brokerRequest(nil), mb.reqs...)
}
