package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/contracts/broker"
)

// FuzzParseSelector: no input crashes the parser, and an accepted selector survives a round trip
// through the JSON commbench sends.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{`{"mainBranch": true}`, `{"deployedOrReleased": true}`, `{"tag": "prod", "latest": true}`,
		`{"branch": "feat/x", "consumer": "web", "fallbackBranch": "main"}`, `{"latest": false}`, `{}`, `[]`, `{"bogus": 1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := broker.ParseSelector(s)
		if err != nil {
			return
		}
		raw, err := json.Marshal(sel)
		if err != nil {
			t.Fatal(err)
		}
		again, err := broker.ParseSelector(string(raw))
		if err != nil || !reflect.DeepEqual(sel, again) {
			t.Fatalf("%s -> %s -> %+v, %v", s, raw, again, err)
		}
	})
}

// FuzzBrokerAnswers: whatever the broker answers to the pacts-for-verification POST, Fetch
// returns pacts or an error, never a crash.
func FuzzBrokerAnswers(f *testing.F) {
	f.Add(`{"_embedded":{"pacts":[{"verificationProperties":{"pending":true,"notices":[{"when":"before_verification","text":"x"}]},"_links":{"self":{"href":"/pact"}}}]}}`)
	f.Add(`{"_embedded":{"pacts":[]}}`)
	f.Add(`{"_embedded":{"pacts":[{"_links":{"self":"nope"}}]}}`)
	f.Add(`{"_embedded":{"pacts":[{"verificationProperties":{"notices":[{"when":1}]}}]}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, answer string) {
		var base string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/hal+json")
			switch {
			case r.URL.Path == "/":
				w.Write([]byte(`{"_links":{"pb:provider-pacts-for-verification":{"href":"` + base + `/fv/{provider}","templated":true}}}`))
			case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/fv/"):
				w.Write([]byte(`{"_links":{"self":{"href":"` + base + `/fv/p"}}}`))
			case r.Method == http.MethodPost:
				w.Write([]byte(answer))
			default:
				w.Write([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[]}`))
			}
		}))
		defer srv.Close()
		base = srv.URL
		c, err := broker.New(broker.Config{URL: srv.URL, Provider: "p", ConsumerVersionTags: []string{"main"}, Retries: -1, RetryDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		pacts, err := c.Fetch(context.Background())
		if err == nil && len(pacts) == 0 {
			t.Fatal("no pacts and no error")
		}
	})
}
