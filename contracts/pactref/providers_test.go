//go:build pact

package pactref

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/pact-foundation/pact-go/v2/message"
	"github.com/pact-foundation/pact-go/v2/models"
)

// providerHandler serves one HTTP interaction the way the variant's provider does: a is sent
// for the interaction's method and path, anything else gets 404.
func providerHandler(s httpSpec, a actual) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != s.method || r.URL.Path != s.path {
			http.Error(w, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path), http.StatusNotFound)
			return
		}
		for k, v := range a.Headers {
			w.Header().Set(k, v)
		}
		body, err := a.bodyBytes()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(body)
	})
}

// bodyBytes is the body on the wire: JSON for Body, else Text.
func (a actual) bodyBytes() ([]byte, error) {
	if a.Body == nil {
		return []byte(a.Text), nil
	}
	return json.Marshal(a.Body)
}

// startProvider runs the variant's HTTP provider on 127.0.0.1 (close it when done).
func startProvider(s httpSpec, a actual) *httptest.Server {
	return httptest.NewServer(providerHandler(s, a))
}

// producer is the variant's message producer, in pact-go's message.Handler shape; commbench's
// side calls the same function.
func producer(a actual) message.Handler {
	return func([]models.ProviderState) (message.Body, message.Metadata, error) {
		body, err := a.bodyBytes()
		if err != nil {
			return nil, nil, err
		}
		md := message.Metadata{}
		for k, v := range a.Metadata {
			md[k] = v
		}
		return body, md, nil
	}
}

// stateHandlers accepts every provider state the fixture uses (the providers are stateless).
func stateHandlers(f fixture) models.StateHandlers {
	h := models.StateHandlers{}
	add := func(name string) {
		if name != "" {
			h[name] = func(bool, models.ProviderState) (models.ProviderStateResponse, error) { return nil, nil }
		}
	}
	for _, s := range f.http {
		add(s.state)
	}
	for _, s := range f.messages {
		add(s.state)
	}
	return h
}
