// Package brokertest is an in-process Pact Broker for tests, written from the Pact Broker's HAL API
// documentation (pact-foundation/pact_broker, lib/pact_broker/doc/views: the index,
// provider-pacts-for-verification, pacticipant-branch-version, pacticipant-version-tag,
// publish-verification-results) and its decorators (verifiable_pact_decorator.rb,
// pact_decorator.rb, pacticipant_decorator.rb). It serves the resources a provider pipeline walks
// through and records every request it receives (method, path as sent, body, headers), so tests
// can compare what two clients sent.
//
// Resources (every response is application/hal+json):
//
//	GET  /                                                         index (pb:provider-pacts-for-verification, pb:latest-provider-pacts, ...)
//	GET  /pacts/provider/{provider}/for-verification               the pacts for the broker's default selection
//	POST /pacts/provider/{provider}/for-verification               the pacts for the body's consumerVersionSelectors
//	GET  /pacts/provider/{provider}/latest                         the latest pact of each consumer (_links.pacts)
//	GET  /pacts/provider/{p}/consumer/{c}/pact-version/{sha}       a pact, with _links and an _id per interaction
//	POST /pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results
//	GET  /pacticipants/{name}                                      pb:branch-version, pb:version-tag links
//	PUT  /pacticipants/{name}/branches/{branch}/versions/{version}
//	PUT  /pacticipants/{name}/versions/{version}/tags/{tag}
//
// Selection is simple, and documented here rather than guessed: a pact marked WIP is returned only
// when includeWipPactsSince is given (and is then pending, as the broker makes WIP pacts); every
// other pact is returned whatever the selectors, unless a selector names a consumer, which then
// restricts the pacts to the consumers named. `pending` and its notice are in verificationProperties
// only when includePendingStatus is true, as the documentation says.
package brokertest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/internal/testenv"
)

// Pact is one pact the broker holds for the provider.
type Pact struct {
	Consumer        string
	ConsumerVersion string // default "1.0.0"
	// Content is the pact document as the consumer published it.
	Content []byte
	// Pending: the provider has never verified this pact successfully from its branch.
	Pending bool
	// WIP: a work-in-progress pact, returned only with includeWipPactsSince (always pending).
	WIP bool
}

// Request is one request the broker received.
type Request struct {
	Method string
	// Path is the path exactly as sent (percent-encoding kept), without the query.
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Broker is a running fake Pact Broker.
type Broker struct {
	// URL is the broker's base URL (http://127.0.0.1:port).
	URL      string
	Provider string

	srv *httptest.Server
	mu  sync.Mutex

	pacts     []Pact
	requests  []Request
	token     string
	user      string
	pass      string
	failures  []failure
	published map[string][]json.RawMessage // consumer -> verification results bodies
}

type failure struct {
	method, path string
	left, status int
}

// New starts a broker holding pacts for provider; it is closed when the test ends.
func New(t testing.TB, provider string, pacts ...Pact) *Broker {
	b := &Broker{Provider: provider, pacts: pacts, published: map[string][]json.RawMessage{}}
	b.srv = httptest.NewUnstartedServer(http.HandlerFunc(b.serve))
	b.URL = "http://" + b.srv.Listener.Addr().String() // before serving: handlers read it
	b.srv.Start()
	t.Cleanup(b.srv.Close)
	return b
}

// RequireToken makes every request without "Authorization: Bearer token" answer 401.
func (b *Broker) RequireToken(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.token = token
}

// RequireBasicAuth makes every request without these basic auth credentials answer 401.
func (b *Broker) RequireBasicAuth(user, pass string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.user, b.pass = user, pass
}

// Fail makes the next n requests with this method and path (as sent) answer status (e.g. 503)
// before the resource is served again.
func (b *Broker) Fail(method, path string, n, status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, failure{method: method, path: path, left: n, status: status})
}

// Requests returns a copy of the requests received so far, in order.
func (b *Broker) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Request(nil), b.requests...)
}

// Published returns the verification results bodies published for consumer's pact, in order.
func (b *Broker) Published(consumer string) []json.RawMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]json.RawMessage(nil), b.published[consumer]...)
}

// Reset forgets the requests and published results (the pacts stay).
func (b *Broker) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = nil
	b.published = map[string][]json.RawMessage{}
}

// PactURL returns the URL the broker serves consumer's pact at (its _links.self).
func (b *Broker) PactURL(consumer string) string {
	for _, p := range b.pacts {
		if p.Consumer == consumer {
			return b.pactPath(p)
		}
	}
	return ""
}

func seg(s string) string { return url.PathEscape(s) }

func (b *Broker) pactPath(p Pact) string {
	sum := sha1.Sum(p.Content)
	return fmt.Sprintf("%s/pacts/provider/%s/consumer/%s/pact-version/%s", b.URL, seg(b.Provider), seg(p.Consumer), hex.EncodeToString(sum[:]))
}

func (b *Broker) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, query, _ := strings.Cut(r.RequestURI, "?")
	b.mu.Lock()
	b.requests = append(b.requests, Request{Method: r.Method, Path: path, Query: query, Header: r.Header.Clone(), Body: body})
	status := 0
	for i := range b.failures {
		f := &b.failures[i]
		if f.left > 0 && f.method == r.Method && f.path == path {
			f.left--
			status = f.status
			break
		}
	}
	authorized := b.authorized(r)
	b.mu.Unlock()
	if status != 0 {
		writeJSON(w, status, map[string]any{"error": http.StatusText(status)})
		return
	}
	if !authorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Pact Broker"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized"})
		return
	}
	b.route(w, r, path, body)
}

func (b *Broker) authorized(r *http.Request) bool {
	switch {
	case b.token != "":
		return r.Header.Get("Authorization") == "Bearer "+b.token
	case b.user != "":
		u, p, ok := r.BasicAuth()
		return ok && u == b.user && p == b.pass
	}
	return true
}

func (b *Broker) route(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	is := func(method string, pattern ...string) bool {
		if r.Method != method || len(parts) != len(pattern) {
			return false
		}
		for i, p := range pattern {
			if p != "*" && p != parts[i] {
				return false
			}
		}
		return true
	}
	switch {
	case path == "/" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, b.index())
	case is(http.MethodGet, "pacts", "provider", "*", "for-verification"):
		b.forVerification(w, parts[2], nil)
	case is(http.MethodPost, "pacts", "provider", "*", "for-verification"):
		var q query
		if err := json.Unmarshal(body, &q); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"body": []string{err.Error()}}})
			return
		}
		b.forVerification(w, parts[2], &q)
	case is(http.MethodGet, "pacts", "provider", "*", "latest"):
		b.latest(w, parts[2])
	case is(http.MethodGet, "pacts", "provider", "*", "consumer", "*", "pact-version", "*"):
		b.pact(w, parts[2], parts[4], parts[6])
	case is(http.MethodPost, "pacts", "provider", "*", "consumer", "*", "pact-version", "*", "verification-results"):
		b.publish(w, parts[4], body)
	case is(http.MethodGet, "pacticipants", "*"):
		b.pacticipant(w, parts[1])
	case is(http.MethodPut, "pacticipants", "*", "branches", "*", "versions", "*"):
		writeJSON(w, http.StatusOK, map[string]any{"_links": map[string]any{"self": map[string]any{"href": b.URL + path}}})
	case is(http.MethodPut, "pacticipants", "*", "versions", "*", "tags", "*"):
		writeJSON(w, http.StatusCreated, map[string]any{"name": parts[5], "_links": map[string]any{"self": map[string]any{"href": b.URL + path}}})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "The requested document was not found on this server."})
	}
}

func link(href, title string, templated bool) map[string]any {
	l := map[string]any{"href": href, "title": title}
	if templated {
		l["templated"] = true
	}
	return l
}

// index follows lib/pact_broker/api/resources/index.rb.
func (b *Broker) index() map[string]any {
	return map[string]any{"_links": map[string]any{
		"self":                               link(b.URL, "Index", false),
		"pb:publish-pact":                    link(b.URL+"/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}", "Publish a pact", true),
		"pb:latest-provider-pacts":           link(b.URL+"/pacts/provider/{provider}/latest", "Latest pacts by provider", true),
		"pb:pacticipant":                     link(b.URL+"/pacticipants/{pacticipant}", "Fetch pacticipant by name", true),
		"pb:pacticipant-version-tag":         link(b.URL+"/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "Get, create or delete a tag for a pacticipant version", true),
		"pb:pacticipant-branch-version":      link(b.URL+"/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", "Get or add/create a version for a pacticipant branch", true),
		"pb:provider-pacts-for-verification": link(b.URL+"/pacts/provider/{provider}/for-verification", "Pact versions to be verified for the specified provider", true),
		"curies":                             []any{map[string]any{"name": "pb", "href": b.URL + "/doc/{rel}?context=index", "templated": true}},
	}}
}

// query is the body of POST for-verification (provider-pacts-for-verification.markdown).
type query struct {
	ConsumerVersionSelectors []map[string]any `json:"consumerVersionSelectors"`
	ProviderVersionBranch    string           `json:"providerVersionBranch"`
	ProviderVersionTags      []string         `json:"providerVersionTags"`
	IncludePendingStatus     bool             `json:"includePendingStatus"`
	IncludeWipPactsSince     string           `json:"includeWipPactsSince"`
}

func (b *Broker) forVerification(w http.ResponseWriter, provider string, q *query) {
	if provider != b.Provider {
		writeJSON(w, http.StatusOK, b.verifiable(provider, nil, q))
		return
	}
	var selected []Pact
	consumers := map[string]bool{}
	if q != nil {
		for _, s := range q.ConsumerVersionSelectors {
			if c, ok := s["consumer"].(string); ok {
				consumers[c] = true
			}
		}
	}
	for _, p := range b.pacts {
		if p.WIP && (q == nil || q.IncludeWipPactsSince == "") {
			continue
		}
		if len(consumers) > 0 && !consumers[p.Consumer] && !p.WIP {
			continue
		}
		selected = append(selected, p)
	}
	writeJSON(w, http.StatusOK, b.verifiable(provider, selected, q))
}

// verifiable follows verifiable_pact_decorator.rb and the response documented in
// provider-pacts-for-verification.markdown.
func (b *Broker) verifiable(provider string, pacts []Pact, q *query) map[string]any {
	list := []any{}
	branch := "main"
	if q != nil && q.ProviderVersionBranch != "" {
		branch = q.ProviderVersionBranch
	}
	for _, p := range pacts {
		version := p.ConsumerVersion
		if version == "" {
			version = "1.0.0"
		}
		pending := p.Pending || p.WIP
		reason := fmt.Sprintf("The pact at %s is being verified because the pact content belongs to the consumer version matching the following criterion:\n    * latest version of %s from its main branch (%s)", b.pactPath(p), p.Consumer, version)
		if p.WIP {
			reason = fmt.Sprintf("The pact at %s is being verified because it is a 'work in progress' pact (ie. it is the pact for the latest version of %s from branch 'feat-x' and it has not yet been successfully verified by a version of %s from branch '%s' when the pact's application version was the latest). Read more at https://docs.pact.io/go/wip", b.pactPath(p), p.Consumer, b.Provider, branch)
		}
		notices := []any{map[string]any{"when": "before_verification", "text": reason}}
		props := map[string]any{}
		if p.WIP {
			props["wip"] = true
		}
		if q != nil && q.IncludePendingStatus {
			props["pending"] = pending
			text := fmt.Sprintf("This pact is in pending state for this version of %s because a successful verification result for a version of %s from branch '%s' has not yet been published. If this verification fails, it will not cause the overall build to fail. Read more at https://pact.io/pending", b.Provider, b.Provider, branch)
			if !pending {
				text = fmt.Sprintf("This pact has previously been successfully verified by a version of %s from branch '%s'. If this verification fails, it will fail the build. Read more at https://pact.io/pending", b.Provider, branch)
			}
			notices = append(notices, map[string]any{"when": "before_verification", "text": text})
			after := "after_verification:success_false_published_false"
			notices = append(notices, map[string]any{"when": after, "text": "This verification result will not be published."})
		}
		props["notices"] = notices
		list = append(list, map[string]any{
			"shortDescription":       "latest from main branch",
			"verificationProperties": props,
			"_links":                 map[string]any{"self": map[string]any{"href": b.pactPath(p), "name": fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, version, b.Provider)}},
		})
	}
	return map[string]any{
		"_embedded": map[string]any{"pacts": list},
		"_links":    map[string]any{"self": link(fmt.Sprintf("%s/pacts/provider/%s/for-verification", b.URL, seg(provider)), "Pacts to be verified", false)},
	}
}

func (b *Broker) latest(w http.ResponseWriter, provider string) {
	links := []any{}
	if provider == b.Provider {
		for _, p := range b.pacts {
			if !p.WIP {
				links = append(links, map[string]any{"href": b.pactPath(p), "title": "Pact between " + p.Consumer + " and " + b.Provider, "name": p.Consumer})
			}
		}
	}
	if len(links) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "No pacts found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": map[string]any{
		"self":  link(fmt.Sprintf("%s/pacts/provider/%s/latest", b.URL, seg(b.Provider)), "Latest pact versions for the provider "+b.Provider, false),
		"pacts": links,
	}})
}

// pact follows pact_decorator.rb: the content as published, _links merged in, and an _id on each
// interaction (the broker's interaction ids, which verification results refer to).
func (b *Broker) pact(w http.ResponseWriter, provider, consumer, sha string) {
	for _, p := range b.pacts {
		sum := sha1.Sum(p.Content)
		if provider != b.Provider || p.Consumer != consumer || hex.EncodeToString(sum[:]) != sha {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal(p.Content, &doc); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
			return
		}
		for _, key := range []string{"interactions", "messages"} {
			list, _ := doc[key].([]any)
			for i, in := range list {
				if m, ok := in.(map[string]any); ok {
					raw, _ := json.Marshal(m)
					s := sha1.Sum(append([]byte(consumer+"/"), raw...))
					m["_id"] = hex.EncodeToString(s[:])[:12]
					list[i] = m
				}
			}
		}
		self := b.pactPath(p)
		doc["_links"] = map[string]any{
			"self":                            map[string]any{"title": "Pact", "name": "Pact between " + consumer + " and " + b.Provider, "href": self},
			"pb:consumer":                     map[string]any{"title": "Consumer", "name": consumer, "href": b.URL + "/pacticipants/" + seg(consumer)},
			"pb:provider":                     map[string]any{"title": "Provider", "name": b.Provider, "href": b.URL + "/pacticipants/" + seg(b.Provider)},
			"pb:publish-verification-results": map[string]any{"title": "Publish verification results", "href": self + "/verification-results"},
			"curies":                          []any{map[string]any{"name": "pb", "href": b.URL + "/doc/{rel}?context=pact", "templated": true}},
		}
		writeJSON(w, http.StatusOK, doc)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"error": "The requested document was not found on this server."})
}

// pacticipant follows pacticipant_decorator.rb (pb:version-tag) and the branch-version resource.
func (b *Broker) pacticipant(w http.ResponseWriter, name string) {
	base := b.URL + "/pacticipants/" + seg(name)
	writeJSON(w, http.StatusOK, map[string]any{
		"name": name,
		"_links": map[string]any{
			"self":              map[string]any{"href": base},
			"pb:versions":       map[string]any{"href": base + "/versions"},
			"pb:version":        link(base+"/versions/{version}", "Get, create or delete a pacticipant version", true),
			"pb:version-tag":    link(base+"/versions/{version}/tags/{tag}", "Get, create or delete a tag for a version of "+name, true),
			"pb:branch-version": link(base+"/branches/{branch}/versions/{version}", "Get or add/create a version for a branch of "+name, true),
		},
	})
}

func (b *Broker) publish(w http.ResponseWriter, consumer string, body []byte) {
	var res map[string]any
	if err := json.Unmarshal(body, &res); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"body": []string{err.Error()}}})
		return
	}
	var missing []string
	if _, ok := res["success"].(bool); !ok {
		missing = append(missing, "success: is missing")
	}
	if v, _ := res["providerApplicationVersion"].(string); v == "" {
		missing = append(missing, "providerApplicationVersion: can't be blank")
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": missing})
		return
	}
	b.mu.Lock()
	b.published[consumer] = append(b.published[consumer], json.RawMessage(body))
	b.mu.Unlock()
	res["_links"] = map[string]any{"self": map[string]any{"href": b.URL + "/verification-results/1"}}
	writeJSON(w, http.StatusCreated, res)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/hal+json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// PactCLI returns the path of Pact's reference CLI (`pact`, whose `pact verifier` is the reference
// verifier): $COMMBENCH_PACT_CLI, else .tools/pact/bin/pact at the module root (installed by
// scripts/install-pact-cli.sh, `make test-deps`). When it is absent the test skips with a message,
// and fails under CI=true.
func PactCLI(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("COMMBENCH_PACT_CLI")
	if bin == "" {
		bin = filepath.Join(testenv.ModuleRoot(t), ".tools", "pact", "bin", "pact")
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		msg := "Pact's reference CLI not found at " + bin + ": run scripts/install-pact-cli.sh (npm package @pact-foundation/pact-cli-linux-x64@18.1.2) or set COMMBENCH_PACT_CLI"
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// BasicAuthOf returns the basic auth credentials the request carried.
func (r Request) BasicAuthOf() (user, pass string, ok bool) {
	return (&http.Request{Header: r.Header}).BasicAuth()
}
