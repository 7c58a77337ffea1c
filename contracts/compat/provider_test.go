package compat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/results"
)

// stateCall is one call the provider state callback received.
type stateCall struct {
	State  string         `json:"state"`
	Params map[string]any `json:"params"`
	Action string         `json:"action"`
}

// providerWorld is the state of one provider scenario (HTTP or message), as pact-reference's
// ProviderWorld and V3MessageWorld.
type providerWorld struct {
	major        int
	interactions []httpSpec
	pacts        [][]byte
	servers      []*httptest.Server

	provider     *httptest.Server // the HTTP provider
	providerMu   sync.Mutex
	providerReqs []*http.Request

	messages map[string]messageSpec // what the message provider generates, by description

	stateServer *httptest.Server
	stateFail   bool
	stateMu     sync.Mutex
	stateCalls  []stateCall

	brokers []*mockBroker
	publish bool
	filter  map[string]string // request filter changes

	result *results.Verification
	err    error
}

func newProviderWorld(major int) *providerWorld {
	return &providerWorld{major: major, messages: map[string]messageSpec{}}
}

func (w *providerWorld) close() {
	for _, s := range w.servers {
		s.Close()
	}
}

func (w *providerWorld) serve(h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	w.servers = append(w.servers, s)
	return s
}

func registerProviderSteps(sc *godog.ScenarioContext, w *providerWorld) {
	sc.Step(`^the following HTTP interactions have been defined:$`, w.interactionsDefined)
	sc.Step(`^a provider is started that returns the response from interaction (\d+)$`, func(n int) error { return w.startProvider([]int{n}, nil) })
	sc.Step(`^a provider is started that returns the responses from interactions "([^"]*)"$`, func(list string) error {
		var ns []int
		for _, s := range strings.Split(list, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return err
			}
			ns = append(ns, n)
		}
		return w.startProvider(ns, nil)
	})
	sc.Step(`^a provider is started that returns the response from interaction (\d+), with the following changes:$`, func(n int, t *godog.Table) error {
		return w.startProvider([]int{n}, rows(t)[0])
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified$`, func(n int) error { return w.pactFor(n, nil) })
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with a provider state "([^"]*)" defined$`, func(n int, s string) error {
		return w.pactFor(n, func(h *httpSpec) { h.states = append(h.states, state{name: s}) })
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with the following provider states defined:$`, func(n int, t *godog.Table) error {
		var states []state
		for _, r := range rows(t) {
			s := state{name: r["State Name"]}
			if p := r["Parameters"]; p != "" {
				v, err := decodeJSON([]byte(p))
				if err != nil {
					return err
				}
				s.params, _ = v.(map[string]any)
			}
			states = append(states, s)
		}
		return w.pactFor(n, func(h *httpSpec) { h.states = append(h.states, states...) })
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified, but is marked pending$`, func(n int) error {
		return w.pactFor(n, func(h *httpSpec) { h.pending = true })
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with the following comments:$`, func(n int, t *godog.Table) error {
		c := comments(t)
		return w.pactFor(n, func(h *httpSpec) { h.comments = c })
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified from a Pact broker$`, w.pactFromBroker)
	sc.Step(`^publishing of verification results is enabled$`, func() { w.publish = true })
	sc.Step(`^a provider state callback is configured$`, func() { w.stateCallback(false) })
	sc.Step(`^a provider state callback is configured, but will return a failure$`, func() { w.stateCallback(true) })
	sc.Step(`^a request filter is configured to make the following changes:$`, w.requestFilter)

	// message providers (Pact's HTTP message mode)
	sc.Step(`^a provider is started that can generate the "([^"]*)" message with "(.*)"$`, func(name, b string) error {
		return w.messageProvider(name, b, nil)
	})
	sc.Step(`^a provider is started that can generate the "([^"]*)" message with "(.*)" and the following metadata:$`, func(name, b string, t *godog.Table) error {
		return w.messageProvider(name, b, t)
	})
	sc.Step(`^a Pact file for "([^"]*)":"(.*)" is to be verified$`, func(name, b string) error {
		return w.messagePact(name, b, nil)
	})
	sc.Step(`^a Pact file for "([^"]*)":"(.*)" is to be verified with provider state "([^"]*)"$`, func(name, b, s string) error {
		return w.messagePact(name, b, func(m *messageSpec) { m.states = []state{{name: s}} })
	})
	sc.Step(`^a Pact file for "([^"]*)":"(.*)" is to be verified with the following metadata:$`, func(name, b string, t *godog.Table) error {
		md, err := metadataTable(t)
		if err != nil {
			return err
		}
		return w.messagePact(name, b, func(m *messageSpec) { m.metadata = md })
	})
	sc.Step(`^a Pact file for "([^"]*)":"(.*)" is to be verified, but is marked pending$`, func(name, b string) error {
		return w.messagePact(name, b, func(m *messageSpec) { m.pending = true })
	})
	sc.Step(`^a Pact file for "([^"]*)":"(.*)" is to be verified with the following comments:$`, func(name, b string, t *godog.Table) error {
		c := comments(t)
		return w.messagePact(name, b, func(m *messageSpec) { m.comments = c })
	})
	sc.Step(`^a Pact file for "([^"]*)" is to be verified with the following:$`, w.messagePactWith)

	sc.Step(`^the verification is run$`, w.run)
	sc.Step(`^the verification will be successful$`, w.successful)
	sc.Step(`^the verification will NOT be successful$`, func() error {
		if w.ok() {
			return fmt.Errorf("the verification passed, it should have failed: %s", w.summary())
		}
		return nil
	})
	sc.Step(`^the verification results will contain a "([^"]*)" error$`, func(kind string) error { return w.containsError(kind, false) })
	sc.Step(`^there will be a pending "([^"]*)" error$`, func(kind string) error { return w.containsError(kind, true) })

	sc.Step(`^the provider state callback will be called before the verification is run$`, func() error { return w.stateCalled("setup") })
	sc.Step(`^the provider state callback will be called after the verification is run$`, func() error { return w.stateCalled("teardown") })
	sc.Step(`^the provider state callback will receive a setup call with "([^"]*)" as the provider state parameter$`, func(s string) error {
		return w.stateCalledWith("setup", s, nil)
	})
	sc.Step(`^the provider state callback will receive a teardown call "([^"]*)" as the provider state parameter$`, func(s string) error {
		return w.stateCalledWith("teardown", s, nil)
	})
	sc.Step(`^the provider state callback will receive a setup call with "([^"]*)" and the following parameters:$`, func(s string, t *godog.Table) error {
		return w.stateCalledWithTable("setup", s, t)
	})
	sc.Step(`^the provider state callback will receive a teardown call "([^"]*)" and the following parameters:$`, func(s string, t *godog.Table) error {
		return w.stateCalledWithTable("teardown", s, t)
	})
	sc.Step(`^the provider state callback will NOT receive a teardown call$`, func() error {
		if w.stateCalled("teardown") == nil {
			return fmt.Errorf("a teardown call was made: %+v", w.calls())
		}
		return nil
	})
	sc.Step(`^a warning will be displayed that there was no provider state callback configured for provider state "([^"]*)"$`, w.noCallbackWarning)
	sc.Step(`^the request to the provider will contain the header "([^"]*)"$`, w.requestHadHeader)
	sc.Step(`^the comment "([^"]*)" will have been printed to the console$`, w.commentShown)
	sc.Step(`^the "([^"]*)" will displayed as the original test name$`, w.testNameShown)
	sc.Step(`^a verification result will NOT be published back$`, w.notPublished)
	sc.Step(`^a successful verification result will be published back for interaction \{(\d+)\}$`, func(n int) error { return w.published(n, true) })
	sc.Step(`^a failed verification result will be published back for the interaction \{(\d+)\}$`, func(n int) error { return w.published(n, false) })
}

// interactionsDefined reads the Background table (pact-reference setup_common_interactions).
func (w *providerWorld) interactionsDefined(t *godog.Table) error {
	for _, r := range rows(t) {
		h := httpSpec{method: r["method"], path: r["path"], query: r["query"], status: 200}
		if s := r["response"]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return err
			}
			h.status = n
		}
		h.headers = parseHeaders(r["headers"])
		h.respHeaders = parseHeaders(r["response headers"])
		var err error
		if h.body, err = parseBody(r["body"], ""); err != nil {
			return err
		}
		if h.respBody, err = parseBody(r["response body"], r["response content"]); err != nil {
			return err
		}
		if f := r["response matching rules"]; f != "" {
			if h.respRules, err = jsonCell(f); err != nil {
				return err
			}
		}
		w.interactions = append(w.interactions, h)
	}
	return nil
}

func (w *providerWorld) spec(n int) (httpSpec, error) {
	if n < 1 || n > len(w.interactions) {
		return httpSpec{}, fmt.Errorf("no interaction %d", n)
	}
	return w.interactions[n-1].clone(), nil
}

// startProvider starts the HTTP provider: a mock server for the given interactions that answers
// a request matching one of them with its response (the "with the following changes" applied),
// and 500 otherwise, as pact-reference starts its mock server.
func (w *providerWorld) startProvider(ns []int, changes map[string]string) error {
	var specs []httpSpec
	for _, n := range ns {
		h, err := w.spec(n)
		if err != nil {
			return err
		}
		for k, v := range changes {
			switch k {
			case "response":
				if h.status, err = strconv.Atoi(v); err != nil {
					return err
				}
			case "response headers":
				for name, vals := range parseHeaders(v) {
					h.respHeaders[name] = append(h.respHeaders[name], vals...)
				}
			case "response body":
				ct := ""
				if !strings.HasPrefix(v, "JSON:") && !strings.HasPrefix(v, "XML:") && !strings.HasPrefix(v, "file:") {
					ct = h.respBody.contentType // plain text keeps the interaction's content type
				}
				if h.respBody, err = parseBody(v, ct); err != nil {
					return err
				}
			}
		}
		specs = append(specs, h)
	}
	var expected []*contracts.Interaction
	for i, h := range specs {
		p, err := contracts.Parse(pactDoc(4, "mock", []any{h.interaction(4, fmt.Sprint("i", i))}, false), "mock-provider.json")
		if err != nil {
			return err
		}
		expected = append(expected, p.Interactions[0])
	}
	w.provider = w.serve(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		w.providerMu.Lock()
		w.providerReqs = append(w.providerReqs, r)
		w.providerMu.Unlock()
		actual := &contracts.Request{Method: r.Method, Path: r.URL.Path, Query: map[string][]string(r.URL.Query()),
			Headers: map[string][]string(r.Header), Body: contracts.NewBody(data, r.Header.Get("Content-Type"))}
		if len(data) == 0 {
			actual.Body = contracts.Body{State: contracts.BodyMissing}
		}
		for i, in := range expected {
			if len(contracts.MatchRequest(in.Request, actual)) > 0 {
				continue
			}
			h := specs[i]
			for k, vs := range withContentType(h.respHeaders, h.respBody) {
				for _, v := range vs {
					rw.Header().Add(k, v)
				}
			}
			rw.WriteHeader(h.status)
			_, _ = rw.Write(h.respBody.content)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintf(rw, `{"error": "unexpected request %s %s"}`, r.Method, r.URL)
	}))
	return nil
}

// pactFor adds a one-interaction pact for interaction n (consumer c_n), changed by edit.
func (w *providerWorld) pactFor(n int, edit func(*httpSpec)) error {
	h, err := w.spec(n)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&h)
	}
	w.pacts = append(w.pacts, pactDoc(w.major, fmt.Sprint("c_", n), []any{h.interaction(w.major, fmt.Sprint("interaction ", n))}, false))
	return nil
}

func comments(t *godog.Table) map[string]any {
	c := map[string]any{}
	var text []any
	for _, r := range rows(t) {
		switch r["type"] {
		case "text":
			text = append(text, r["comment"])
		case "testname":
			c["testname"] = r["comment"]
		}
	}
	if text != nil {
		c["text"] = text
	}
	return c
}

// stateCallback configures the provider state callback: Pact's state change URL, served by a
// recorder that answers 500 in fail mode.
func (w *providerWorld) stateCallback(fail bool) {
	w.stateFail = fail
	w.stateServer = w.serve(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var c stateCall
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &c); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.stateMu.Lock()
		w.stateCalls = append(w.stateCalls, c)
		w.stateMu.Unlock()
		if w.stateFail {
			http.Error(rw, "the provider state callback is in fail mode", http.StatusInternalServerError)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte("{}"))
	}))
}

func (w *providerWorld) calls() []stateCall {
	w.stateMu.Lock()
	defer w.stateMu.Unlock()
	return append([]stateCall(nil), w.stateCalls...)
}

func (w *providerWorld) stateCalled(action string) error {
	for _, c := range w.calls() {
		if c.Action == action {
			return nil
		}
	}
	return fmt.Errorf("the provider state callback received no %s call: %+v", action, w.calls())
}

func (w *providerWorld) stateCalledWith(action, name string, params map[string]any) error {
	for _, c := range w.calls() {
		if c.Action != action || c.State != name {
			continue
		}
		if params == nil {
			return nil
		}
		got, _ := json.Marshal(c.Params)
		want, _ := json.Marshal(params)
		if string(got) == string(want) {
			return nil
		}
	}
	return fmt.Errorf("no %s call for state %q with params %v: %+v", action, name, params, w.calls())
}

func (w *providerWorld) stateCalledWithTable(action, name string, t *godog.Table) error {
	params := map[string]any{}
	for k, v := range rows(t)[0] {
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			return err
		}
		params[k] = x
	}
	return w.stateCalledWith(action, name, params)
}

// run verifies every pact through contracts/verifier: HTTP interactions against the provider,
// messages through Pact's HTTP message mode.
func (w *providerWorld) run() error {
	var pacts []*contracts.Pact
	for i, doc := range w.pacts {
		p, err := contracts.Parse(doc, fmt.Sprintf("pact-%d.json", i+1))
		if err != nil {
			return err
		}
		pacts = append(pacts, p)
	}
	cfg := verifier.Config{StateTeardown: true, RequestFilter: w.requestFilterFunc()}
	if w.stateServer != nil {
		cfg.StateChangeURL = w.stateServer.URL
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if w.provider != nil {
		conn, err := rest.New().Open(ctx, drivers.Target{Address: w.provider.URL})
		if err != nil {
			return err
		}
		defer conn.Close()
		cfg.HTTP = conn.(drivers.Requester)
	}
	if len(w.messages) > 0 {
		srv := w.serve(http.HandlerFunc(w.messageProviderHandler))
		cfg.Messages = verifier.NewMessages(verifier.MessageConfig{ProviderURL: srv.URL, Timeout: 10 * time.Second})
	}
	var all []results.Interaction
	if len(pacts) > 0 {
		v, err := verifier.Verify(ctx, cfg, pacts)
		if v != nil {
			all = append(all, v.Interactions...)
		}
		w.err = err
	}
	if len(w.brokers) > 0 && w.err == nil {
		got, err := w.verifyBrokers(ctx, func(ctx context.Context, p *contracts.Pact) (*results.Verification, error) {
			return verifier.Verify(ctx, cfg, []*contracts.Pact{p})
		})
		all = append(all, got...)
		w.err = err
	}
	w.result = &results.Verification{Interactions: all, Summary: results.Summarize(all)}
	return nil
}

func (w *providerWorld) ok() bool {
	if w.err != nil || w.result == nil || w.result.Summary.Total == 0 {
		return false
	}
	s := w.result.Summary
	return s.Failed == 0 && s.Errors == 0 && s.Skipped == 0
}

func (w *providerWorld) summary() string {
	if w.result == nil {
		return fmt.Sprintf("no result (%v)", w.err)
	}
	b, _ := json.Marshal(w.result.Interactions)
	return fmt.Sprintf("%+v %s (error %v)", w.result.Summary, b, w.err)
}

func (w *providerWorld) successful() error {
	if !w.ok() {
		return fmt.Errorf("the verification failed: %s", w.summary())
	}
	return nil
}

// errorKinds maps a mismatch category to the error pact-reference's step names
// (the_verification_results_will_contain_a_error).
var errorKinds = map[string]string{
	"status":   "Response status did not match",
	"header":   "Headers had differences",
	"body":     "Body had differences",
	"metadata": "Metadata had differences",
}

func (w *providerWorld) containsError(kind string, pending bool) error {
	if w.result == nil {
		return fmt.Errorf("no verification result (%v)", w.err)
	}
	for _, r := range w.result.Interactions {
		if r.Pending != pending {
			continue
		}
		if r.Status == results.StatusError && kind == "State change request failed" && strings.Contains(r.Reason, "provider state") {
			return nil
		}
		for _, m := range r.Mismatches {
			if errorKinds[m.Category] == kind {
				return nil
			}
		}
	}
	return fmt.Errorf("no %q error (pending %v) in %s", kind, pending, w.summary())
}

func (w *providerWorld) requestHadHeader(h string) error {
	k, v, _ := strings.Cut(h, ":")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	w.providerMu.Lock()
	defer w.providerMu.Unlock()
	for _, r := range w.providerReqs {
		for _, got := range r.Header.Values(k) {
			if got == v {
				return nil
			}
		}
	}
	return fmt.Errorf("no request to the provider had the header %s", h)
}

// resultsJSON is the verification results as written in results.json, searched by the steps on
// comments and warnings.
func (w *providerWorld) resultsJSON() []map[string]any {
	if w.result == nil {
		return nil
	}
	data, _ := json.Marshal(w.result.Interactions)
	var out []map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

func (w *providerWorld) commentShown(c string) error {
	for _, r := range w.resultsJSON() {
		if l, ok := r["comments"].([]any); ok {
			for _, x := range l {
				if x == c {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("comment %q not in the results: %s", c, w.summary())
}

func (w *providerWorld) testNameShown(name string) error {
	for _, r := range w.resultsJSON() {
		if r["test_name"] == name {
			return nil
		}
	}
	return fmt.Errorf("test name %q not in the results: %s", name, w.summary())
}

func (w *providerWorld) noCallbackWarning(s string) error {
	for _, r := range w.resultsJSON() {
		if l, ok := r["warnings"].([]any); ok {
			for _, x := range l {
				if msg, _ := x.(string); strings.Contains(msg, s) && strings.Contains(strings.ToLower(msg), "state") {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("no warning about the provider state %q without a state change URL: %s", s, w.summary())
}

// requestFilter configures Pact's request filter (verifier.Config.RequestFilter) with the table's
// changes, as pact-reference's ProviderWorldRequestFilter: path, query, headers (replacing the
// request's) and body.
func (w *providerWorld) requestFilter(t *godog.Table) error {
	w.filter = rows(t)[0]
	return nil
}

func (w *providerWorld) requestFilterFunc() verifier.RequestFilter {
	if w.filter == nil {
		return nil
	}
	changes := w.filter
	return func(_ context.Context, req *drivers.Message) error {
		if p := changes["path"]; p != "" {
			req.Route = p
		}
		if h := changes["headers"]; h != "" {
			req.Headers = parseHeaders(h)
		}
		if b := changes["body"]; b != "" {
			body, err := parseBody(b, "")
			if err != nil {
				return err
			}
			req.Body, req.ContentType = body.content, body.contentType
			req.Headers["Content-Type"] = []string{body.contentType}
		}
		return nil
	}
}

// message provider --------------------------------------------------------------------------

func metadataTable(t *godog.Table) (map[string]any, error) {
	md := map[string]any{}
	for _, r := range rows(t) {
		v, err := metadataValue(r["value"])
		if err != nil {
			return nil, err
		}
		md[r["key"]] = v
	}
	return md, nil
}

func metadataValue(s string) (any, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "JSON:") {
		return decodeJSON([]byte(strings.TrimSpace(strings.TrimPrefix(s, "JSON:"))))
	}
	return s, nil
}

// messageProvider registers what the message provider generates for a description.
func (w *providerWorld) messageProvider(name, cell string, t *godog.Table) error {
	b, err := parseBody(unescape(cell), "")
	if err != nil {
		return err
	}
	m := messageSpec{description: name, body: b}
	if t != nil {
		if m.metadata, err = metadataTable(t); err != nil {
			return err
		}
	}
	w.messages[name] = m
	return nil
}

// messageProviderHandler is the provider in Pact's HTTP message mode: it answers the POSTed
// description with the message's contents, its content type and its metadata in the
// Pact-Message-Metadata header (base64 JSON).
func (w *providerWorld) messageProviderHandler(rw http.ResponseWriter, r *http.Request) {
	var req struct {
		Description string `json:"description"`
	}
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &req); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	m, ok := w.messages[req.Description]
	if !ok {
		http.Error(rw, "no message "+req.Description, http.StatusNotFound)
		return
	}
	if m.body.contentType != "" {
		rw.Header().Set("Content-Type", m.body.contentType)
	}
	if len(m.metadata) > 0 {
		md, _ := json.Marshal(m.metadata)
		rw.Header().Set("Pact-Message-Metadata", base64.StdEncoding.EncodeToString(md))
	}
	_, _ = rw.Write(m.body.content)
}

func (w *providerWorld) messagePact(name, cell string, edit func(*messageSpec)) error {
	b, err := parseBody(unescape(cell), "")
	if err != nil {
		return err
	}
	m := messageSpec{description: name, body: b}
	if edit != nil {
		edit(&m)
	}
	w.pacts = append(w.pacts, pactDoc(w.major, "c_"+name, []any{m.interaction(w.major)}, true))
	return nil
}

// messagePactWith reads a two-column table: body, matching rules, metadata ("k=v; k2=JSON: ...").
func (w *providerWorld) messagePactWith(name string, t *godog.Table) error {
	m := messageSpec{description: name}
	for _, r := range t.Rows {
		if len(r.Cells) < 2 {
			continue
		}
		v := r.Cells[1].Value
		var err error
		switch r.Cells[0].Value {
		case "body":
			m.body, err = parseBody(v, "")
		case "matching rules":
			m.rules, err = jsonCell(v)
		case "metadata":
			m.metadata = map[string]any{}
			for _, kv := range strings.Split(v, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
				m.metadata[strings.TrimSpace(k)], err = metadataValue(val)
				if err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	w.pacts = append(w.pacts, pactDoc(w.major, "c_"+name, []any{m.interaction(w.major)}, true))
	return nil
}
