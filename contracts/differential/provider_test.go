package differential

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/commbench/commbench/contracts"
)

// statePath is where the example provider takes state change calls.
const statePath = "/_pact/state"

// reply is what the example provider answers: an HTTP response, or a message in Pact's HTTP
// message mode (status 200, the contents as body, the metadata in Pact-Message-Metadata).
type reply struct {
	message  bool
	status   int
	header   http.Header // Content-Type included; a nil Content-Type value stops Go's sniffing
	body     []byte
	metadata map[string]any // messages
}

// variant breaks the provider's replies in one way (or not at all).
type variant struct {
	name  string
	apply func(r *reply)
}

var variants = []variant{
	{"correct", func(*reply) {}},
	{"wrong-status", func(r *reply) {
		if r.status == http.StatusInternalServerError {
			r.status = http.StatusServiceUnavailable
		} else {
			r.status = http.StatusInternalServerError
		}
	}},
	{"renamed-field", func(r *reply) { r.body = editJSON(r.body, renameFirstKey) }},
	{"wrong-type", func(r *reply) { r.body = editJSON(r.body, retypeFirstLeaf) }},
	{"missing-headers", func(r *reply) {
		for k := range r.header {
			if !strings.EqualFold(k, "Content-Type") {
				delete(r.header, k)
			}
		}
		for k := range r.metadata {
			if !strings.EqualFold(k, "contentType") && !strings.EqualFold(k, "content-type") {
				delete(r.metadata, k)
			}
		}
	}},
	{"metadata-as-strings", func(r *reply) { // as Kafka headers carry them
		for k, v := range r.metadata {
			if _, isString := v.(string); !isString {
				b, _ := json.Marshal(v)
				r.metadata[k] = string(b)
			}
		}
	}},
	{"extra-field", func(r *reply) {
		if strings.HasPrefix(r.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			r.body = append(r.body, "&extra=1"...)
			return
		}
		r.body = editJSON(r.body, func(v any) any {
			if m, ok := v.(map[string]any); ok {
				m["extra_field"] = "extra"
			}
			return v
		})
	}},
	{"headers-joined", func(r *reply) { // every multi-value header on one line, values joined by ", "
		for k, vs := range r.header {
			if len(vs) > 1 {
				r.header[k] = []string{strings.Join(vs, ", ")}
			}
		}
	}},
	{"headers-split", func(r *reply) { // every comma-separated header value on lines of its own
		for k, vs := range r.header {
			if strings.EqualFold(k, "Last-Modified") || strings.EqualFold(k, "Date") || strings.EqualFold(k, "Expires") {
				continue // dates hold commas of their own
			}
			var split []string
			for _, v := range vs {
				for _, p := range strings.Split(v, ",") {
					split = append(split, strings.TrimSpace(p))
				}
			}
			if len(split) > len(vs) {
				r.header[k] = split
			}
		}
	}},
	{"wrong-content-type", func(r *reply) {
		r.header["Content-Type"] = []string{"text/plain"}
		if r.metadata != nil {
			r.metadata["contentType"] = "text/plain"
		}
	}},
}

// editJSON applies edit to a JSON body; other bodies are returned as they are.
func editJSON(body []byte, edit func(any) any) []byte {
	var v any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if len(body) == 0 || d.Decode(&v) != nil {
		return body
	}
	out, err := json.Marshal(edit(v))
	if err != nil {
		return body
	}
	return out
}

// renameFirstKey renames the first key (in sorted order, depth first) of the first object in v.
func renameFirstKey(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := sortedKeys(x)
		if len(keys) > 0 {
			x[keys[0]+"_renamed"] = x[keys[0]]
			delete(x, keys[0])
		}
	case []any:
		if len(x) > 0 {
			x[0] = renameFirstKey(x[0])
		}
	}
	return v
}

// retypeFirstLeaf gives the first scalar (in sorted key order, depth first) another JSON type.
func retypeFirstLeaf(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if keys := sortedKeys(x); len(keys) > 0 {
			x[keys[0]] = retypeFirstLeaf(x[keys[0]])
		}
		return x
	case []any:
		if len(x) > 0 {
			x[0] = retypeFirstLeaf(x[0])
		}
		return x
	case string:
		return json.Number("12345")
	case json.Number, bool:
		return "changed"
	}
	return "changed" // null
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// provider answers the requests of a pact from the pact's own examples, broken by a variant.
// HTTP requests go to the interaction whose request they match (contracts.MatchRequest) and
// whose provider states were the last ones set up; POSTs {"description", ...} naming a message
// interaction get its message (Pact's HTTP message mode). Each state change call is recorded.
//
// The variant may change from one interaction to the next: variantOf gets the ordinal of the
// interaction being verified (0, 1, ...), counted by its first setup call (both verifiers make
// at least one per interaction, state "" for one without states). So one reference CLI process
// verifies the pact once per variant when given the file once per variant.
type provider struct {
	pact      *contracts.Pact
	variantOf func(n int) variant

	mu     sync.Mutex
	states []string // the provider states set up since the last request
	fresh  bool     // the next setup call starts a new interaction
	n      int      // ordinal of the interaction being verified
}

func startProvider(p *contracts.Pact, variantOf func(n int) variant) *httptest.Server {
	return httptest.NewServer(&provider{pact: p, variantOf: variantOf, fresh: true, n: -1})
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == statePath {
		p.stateChange(w, body)
		return
	}
	p.mu.Lock()
	p.fresh = true
	states := slices.Clone(p.states)
	v := p.variantOf(max(p.n, 0))
	p.mu.Unlock()
	rep := p.messageReply(r, body)
	if rep == nil {
		rep = p.httpReply(r, body, states)
	}
	if rep == nil {
		http.Error(w, "no interaction of the pact matches "+r.Method+" "+r.URL.String(), http.StatusNotFound)
		return
	}
	v.apply(rep)
	if rep.message && rep.metadata != nil {
		md, _ := json.Marshal(rep.metadata)
		rep.header.Set("Pact-Message-Metadata", base64.StdEncoding.EncodeToString(md))
	}
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (p *provider) stateChange(w http.ResponseWriter, body []byte) {
	var c struct {
		State  string `json:"state"`
		Action string `json:"action"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	switch c.Action {
	case "setup":
		if p.fresh {
			p.states, p.fresh = nil, false
			p.n++
		}
		if c.State != "" {
			p.states = append(p.states, c.State)
		}
	case "teardown":
		p.fresh = true
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

// messageReply answers Pact's HTTP message mode for a message interaction named by the body.
func (p *provider) messageReply(r *http.Request, body []byte) *reply {
	if r.Method != http.MethodPost {
		return nil
	}
	var req struct {
		Description string `json:"description"`
	}
	if json.Unmarshal(body, &req) != nil || req.Description == "" {
		return nil
	}
	for _, in := range p.pact.Interactions {
		if in.Description != req.Description {
			continue
		}
		m := in.Message
		if in.Kind == contracts.KindSynchronousMessage && len(in.SyncResponses) > 0 {
			m = in.SyncResponses[0]
		}
		if m == nil {
			continue
		}
		rep := &reply{message: true, status: http.StatusOK, header: http.Header{}, metadata: map[string]any{}}
		for k, v := range m.Metadata {
			rep.metadata[k] = v
		}
		rep.body = bodyBytes(m.Contents)
		rep.header["Content-Type"] = nil
		if ct := m.Contents.ContentType; ct != "" {
			rep.header["Content-Type"] = []string{ct}
		}
		return rep
	}
	return nil
}

// httpReply answers an HTTP request with the example response of the interaction it matches,
// preferring the one whose provider states were set up; nil when none matches.
func (p *provider) httpReply(r *http.Request, body []byte, states []string) *reply {
	actual := &contracts.Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Headers: r.Header,
		Body: contracts.NewBody(body, r.Header.Get("Content-Type"))}
	if len(body) == 0 {
		actual.Body = contracts.Body{State: contracts.BodyMissing}
	}
	var chosen, loose *contracts.Interaction
	for _, in := range p.pact.Interactions {
		if in.Kind != contracts.KindHTTP || in.Request == nil || in.Response == nil {
			continue
		}
		if !strings.EqualFold(in.Request.Method, r.Method) {
			continue
		}
		same := slices.Equal(in.StateNames(), states)
		if len(contracts.MatchRequest(in.Request, actual)) == 0 {
			if same {
				chosen = in
				break
			}
			if chosen == nil {
				chosen = in
			}
		} else if in.Request.Path == r.URL.Path && (loose == nil || same) {
			loose = in
		}
	}
	if chosen == nil {
		chosen = loose
	}
	if chosen == nil {
		return nil
	}
	if r.Header.Get("Content-Type") != "" && !hasHeader(chosen.Request.Headers, "Content-Type") {
		// a provider that refuses a content type it was not promised: shows a verifier adding one
		return &reply{status: http.StatusUnsupportedMediaType, header: http.Header{"Content-Type": {"text/plain"}},
			body: []byte("the pact records no Content-Type for this request")}
	}
	resp := chosen.Response
	rep := &reply{status: resp.Status, header: http.Header{}}
	for k, vs := range resp.Headers {
		for _, v := range vs {
			rep.header.Add(k, v)
		}
	}
	rep.body = bodyBytes(resp.Body)
	if rep.header.Get("Content-Type") == "" {
		rep.header["Content-Type"] = nil // no sniffing: the pact says nothing about it
		if resp.Body.State == contracts.BodyPresent && resp.Body.ContentType != "" {
			rep.header["Content-Type"] = []string{resp.Body.ContentType}
		}
	}
	return rep
}

// bodyBytes is what a provider sends for a pact body: its content, "null" for a JSON null.
func bodyBytes(b contracts.Body) []byte {
	switch b.State {
	case contracts.BodyPresent:
		return b.Content
	case contracts.BodyNull:
		return []byte("null")
	}
	return nil
}

func hasHeader(h map[string][]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
