package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/results"
)

// brokerRequest is one request a mock broker received.
type brokerRequest struct {
	method, path string
	body         []byte
}

// mockBroker is the Pact broker of a "verified from a Pact broker" step: it answers from the
// suite's pact-broker_cN.json fixture (the index, the pacts-for-verification resource and the
// results publication) and serves the pact for interaction N at /pacts/provider/p/consumer/c_N
// with its pb:publish-verification-results link, as pact-reference's step does with its mock
// server. The fixture's links point at http://localhost:9876, the example of their MockServerURL
// generators; they are rewritten to the broker's own address as those generators do. Requests are
// matched by method and path (the fixture's expected request bodies are those of pact-reference's
// client, e.g. an empty selector list).
type mockBroker struct {
	n        int
	url      string
	fixture  *contracts.Pact
	pactJSON []byte

	mu       sync.Mutex
	requests []brokerRequest
}

func (w *providerWorld) pactFromBroker(n int) error {
	h, err := w.spec(n)
	if err != nil {
		return err
	}
	data, err := readFixture(fmt.Sprintf("pact-broker_c%d.json", n))
	if err != nil {
		return err
	}
	fixture, err := contracts.Parse(withoutRules(data), fmt.Sprintf("pact-broker_c%d.json", n))
	if err != nil {
		return err
	}
	b := &mockBroker{n: n, fixture: fixture}
	var doc map[string]any
	if err := json.Unmarshal(pactDoc(w.major, fmt.Sprint("c_", n), []any{h.interaction(w.major, fmt.Sprint("interaction ", n))}, false), &doc); err != nil {
		return err
	}
	srv := w.serve(http.HandlerFunc(b.serve))
	b.url = srv.URL
	doc["_links"] = map[string]any{"pb:publish-verification-results": map[string]any{
		"title": "Publish verification results",
		"href":  fmt.Sprintf("%s/pacts/provider/p/consumer/c_%d/verification-results", srv.URL, n),
	}}
	if b.pactJSON, err = json.Marshal(doc); err != nil {
		return err
	}
	w.brokers = append(w.brokers, b)
	return nil
}

// withoutRules drops the matching rules and generators of a broker fixture's interactions: the
// mock broker answers with the examples (links rewritten to its address), and pact-broker_c1.json
// holds a rule whose expression does not compile (".(*\/pacts...").
func withoutRules(data []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(data, &doc) != nil {
		return data
	}
	ints, _ := doc["interactions"].([]any)
	for _, it := range ints {
		m, _ := it.(map[string]any)
		for _, part := range []string{"request", "response"} {
			if pm, ok := m[part].(map[string]any); ok {
				delete(pm, "matchingRules")
				delete(pm, "generators")
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data
	}
	return out
}

func (b *mockBroker) serve(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.requests = append(b.requests, brokerRequest{method: r.Method, path: r.URL.Path, body: body})
	b.mu.Unlock()
	if r.Method == http.MethodGet && r.URL.Path == fmt.Sprintf("/pacts/provider/p/consumer/c_%d", b.n) {
		rw.Header().Set("Content-Type", "application/hal+json")
		_, _ = rw.Write(b.pactJSON)
		return
	}
	for _, in := range b.fixture.Interactions {
		if !strings.EqualFold(in.Request.Method, r.Method) || in.Request.Path != r.URL.Path {
			continue
		}
		for k, vs := range in.Response.Headers {
			for _, v := range vs {
				rw.Header().Add(k, v)
			}
		}
		rw.WriteHeader(in.Response.Status)
		_, _ = rw.Write(bytes.ReplaceAll(in.Response.Body.Content, []byte("http://localhost:9876"), []byte(b.url)))
		return
	}
	http.Error(rw, "the mock broker has no interaction for "+r.Method+" "+r.URL.Path, http.StatusNotFound)
}

// verifyBrokers fetches each mock broker's pacts with contracts/broker and verifies them with cfg,
// publishing the results (provider version 1.2.3, as pact-reference's step) when enabled.
func (w *providerWorld) verifyBrokers(ctx context.Context, verify broker.VerifyFunc) ([]results.Interaction, error) {
	var out []results.Interaction
	latest := true
	for _, b := range w.brokers {
		// pact-reference's step fetches with an empty selector list through
		// pb:provider-pacts-for-verification; commbench's client takes that resource when
		// selectors are given, so the step gives one
		client, err := broker.New(broker.Config{URL: b.url, Provider: "p", Selectors: []broker.Selector{{Latest: &latest}}, Retries: -1})
		if err != nil {
			return out, err
		}
		pacts, err := client.Fetch(ctx)
		if err != nil {
			return out, err
		}
		s := broker.Session{Client: client}
		if w.publish {
			s.Publish = &broker.Publication{ProviderVersion: "1.2.3"}
		}
		v, err := s.Verify(ctx, pacts, verify)
		if v != nil {
			out = append(out, v.Interactions...)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// publications returns the results POSTed to the brokers for consumer c_n.
func (w *providerWorld) publications(n int) []map[string]any {
	var out []map[string]any
	for _, b := range w.brokers {
		b.mu.Lock()
		for _, r := range b.requests {
			if r.method == http.MethodPost && r.path == fmt.Sprintf("/pacts/provider/p/consumer/c_%d/verification-results", n) {
				var m map[string]any
				if json.Unmarshal(r.body, &m) == nil {
					out = append(out, m)
				}
			}
		}
		b.mu.Unlock()
	}
	return out
}

func (w *providerWorld) notPublished() error {
	for _, b := range w.brokers {
		b.mu.Lock()
		for _, r := range b.requests {
			if strings.HasSuffix(r.path, "/verification-results") {
				b.mu.Unlock()
				return fmt.Errorf("a verification result was published: %s %s", r.method, r.path)
			}
		}
		b.mu.Unlock()
	}
	return nil
}

func (w *providerWorld) published(n int, success bool) error {
	for _, p := range w.publications(n) {
		if s, ok := p["success"].(bool); ok && s == success {
			return nil
		}
	}
	return fmt.Errorf("no verification result with success %v was published for c_%d: %v", success, n, w.publications(n))
}
