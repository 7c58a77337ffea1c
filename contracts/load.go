package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts/generators"
	"github.com/commbench/commbench/contracts/matching"
	"github.com/commbench/commbench/internal/redact"
)

// ErrUnsupportedVersion is returned (wrapped) for an unknown or inconsistent specification version.
var ErrUnsupportedVersion = errors.New("unsupported pact specification version")

// LoadOptions configure Load.
type LoadOptions struct {
	// HTTPClient fetches URL sources; default a client with a 30 s timeout.
	HTTPClient *http.Client
	// Getenv reads credentials for URL sources; default os.Getenv. Bearer token from
	// PACT_BROKER_TOKEN, else basic auth from PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD.
	Getenv func(string) string
	// MaxBytes caps one pact file (default 64 MiB).
	MaxBytes int64
	// Lean drops the decoded JSON document once the model is built: memory holds the model only
	// (verification needs nothing else), and JSONV3/JSONV4 then write the modelled fields only,
	// not the fields commbench does not model. Default false: lossless write-back.
	Lean bool
}

// Load reads pacts from a file, a directory (every *.json file in it, sorted by name, not
// recursive) or an http(s) URL. Errors name the source and, for malformed JSON, line:column.
func Load(ctx context.Context, source string, opts LoadOptions) ([]*Pact, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 64 << 20
	}
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		p, err := loadURL(ctx, source, opts)
		if err != nil {
			return nil, err
		}
		return []*Pact{p}, nil
	}
	st, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("load pact %s: %w", source, err)
	}
	if !st.IsDir() {
		p, err := loadFile(source, opts)
		if err != nil {
			return nil, err
		}
		return []*Pact{p}, nil
	}
	paths, err := pactFiles(source)
	if err != nil {
		return nil, err
	}
	var out []*Pact
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := loadFile(path, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// pactFiles lists the pact files of directory dir: every *.json file in it, sorted by name, not
// recursive; an error when there is none.
func pactFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load pacts from %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("load pacts from %s: the directory holds no .json file", dir)
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}
	return paths, nil
}

// lean applies LoadOptions.Lean to p (nil-safe on errors).
func lean(p *Pact, err error, opts LoadOptions) (*Pact, error) {
	if err == nil && opts.Lean {
		p.dropRaw()
	}
	return p, err
}

func loadFile(path string, opts LoadOptions) (*Pact, error) {
	data, err := readPactFile(path, opts)
	if err != nil {
		return nil, err
	}
	p, err := parseOwned(data, path)
	return lean(p, err, opts)
}

// readPactFile reads the file at path whole, in one allocation of its size: an error naming the
// file when it cannot be read or holds more than opts.MaxBytes.
func readPactFile(path string, opts LoadOptions) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load pact %s: %w", path, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= opts.MaxBytes {
		buf.Grow(int(fi.Size()) + bytes.MinRead) // one allocation of the file's size, not doubling growth
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, opts.MaxBytes+1)); err != nil {
		return nil, fmt.Errorf("load pact %s: %w", path, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("load pact %s: larger than %d bytes", path, opts.MaxBytes)
	}
	return data, nil
}

func loadURL(ctx context.Context, u string, opts LoadOptions) (*Pact, error) {
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("load pact %s: %w", redactURL(u), redact.Error(err))
	}
	req.Header.Set("Accept", "application/hal+json, application/json")
	if tok := getenv("PACT_BROKER_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if user := getenv("PACT_BROKER_USERNAME"); user != "" {
		req.SetBasicAuth(user, getenv("PACT_BROKER_PASSWORD"))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("load pact %s: %w", redactURL(u), redact.Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (set PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD)"
		}
		return nil, fmt.Errorf("load pact %s: HTTP %d%s", redactURL(u), resp.StatusCode, hint)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load pact %s: %w", redactURL(u), redact.Error(err))
	}
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("load pact %s: larger than %d bytes", redactURL(u), opts.MaxBytes)
	}
	p, err := parseOwned(data, redactURL(u))
	return lean(p, err, opts)
}

// redactURL is internal/redact's URL: no user info or query value reaches errors or results.
func redactURL(u string) string { return redact.URL(u) }

// Parse reads one pact document. name (a path or URL) is used in errors and stored as Source.
// A UTF-8 byte-order mark is skipped. The document is decoded with sonic (see decodeJSON);
// malformed JSON is read again with encoding/json to report "name:line:col: ...".
func Parse(data []byte, name string) (*Pact, error) { return parse(data, name, false) }

// parseOwned is Parse of a buffer the loader owns and never modifies: sonic decodes it in place
// (its strings may point into data) instead of copying the whole document first, which saves
// the size of the file on large pacts.
func parseOwned(data []byte, name string) (*Pact, error) { return parse(data, name, true) }

func parse(data []byte, name string, owned bool) (*Pact, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top any
	var ok bool
	if owned {
		top, ok = decodeJSONFastInPlace(data)
	} else {
		top, ok = decodeJSONFast(data)
	}
	if !ok {
		var err error
		if top, err = decodePact(data, name); err != nil {
			return nil, err
		}
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a pact must be a JSON object, got %s", name, jsonKind(top))
	}
	return fromJSON(obj, name)
}

// decodePact decodes with encoding/json, whose errors give the offset reported as line:col.
func decodePact(data []byte, name string) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var top any
	if err := d.Decode(&top); err != nil {
		return nil, jsonError(data, name, err)
	}
	if _, err := d.Token(); err != io.EOF {
		line, col := lineCol(data, int(d.InputOffset()))
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the pact's JSON object", name, line, col)
	}
	return top, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

func jsonError(data []byte, name string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the offending byte; report that byte's position
		line, col := lineCol(data, int(se.Offset)-1)
		return fmt.Errorf("%s:%d:%d: malformed JSON: %v", name, line, col, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := lineCol(data, len(data))
		return fmt.Errorf("%s:%d:%d: malformed JSON: unexpected end of input", name, line, col)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// lineCol converts a byte offset to 1-based line and column (columns count bytes).
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func specVersion(meta map[string]any) string {
	for _, k := range []string{"pactSpecification", "pact-specification"} {
		if m, ok := meta[k].(map[string]any); ok {
			if v, ok := m["version"].(string); ok {
				return v
			}
		}
	}
	if v, ok := meta["pactSpecificationVersion"].(string); ok {
		return v
	}
	return ""
}

func fromJSON(obj map[string]any, name string) (*Pact, error) {
	p := newHeader(name, obj["consumer"], obj["provider"], obj["metadata"])
	p.raw = obj
	ints, hasInts := obj["interactions"].([]any)
	if obj["interactions"] != nil && !hasInts {
		return nil, fmt.Errorf("%s: interactions: expected an array", name)
	}
	msgs, hasMsgs := obj["messages"].([]any)
	if obj["messages"] != nil && !hasMsgs {
		return nil, fmt.Errorf("%s: messages: expected an array", name)
	}
	var hints versionHints
	hints.messages = hasMsgs
	for _, it := range ints {
		if m, ok := it.(map[string]any); ok {
			_, typed := m["type"]
			_, states := m["providerStates"]
			hints.see(typed, states)
		}
	}
	major, err := p.settleVersion(hints)
	if err != nil {
		return nil, err
	}
	for i, it := range ints {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: interactions[%d]: expected an object", name, i)
		}
		where := fmt.Sprintf("%s: interactions[%d]", name, i)
		in, err := parseInteraction(m, major, where, false)
		if err != nil {
			return nil, err
		}
		p.Interactions = append(p.Interactions, in)
	}
	for i, it := range msgs {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: messages[%d]: expected an object", name, i)
		}
		in, err := parseInteraction(m, major, fmt.Sprintf("%s: messages[%d]", name, i), true)
		if err != nil {
			return nil, err
		}
		p.Interactions = append(p.Interactions, in)
	}
	return p, nil
}

// versionHints is what infers the specification version of a pact whose metadata has none.
type versionHints struct {
	messages bool // a "messages" array (V3 message pact)
	typed    bool // an interaction with "type" (V4)
	states   bool // an interaction with "providerStates" (V3)
}

func (h *versionHints) see(typed, states bool) {
	h.typed = h.typed || typed
	h.states = h.states || states
}

// newHeader is a pact's top-level fields: everything but its interactions.
func newHeader(name string, consumer, provider, metadata any) *Pact {
	p := &Pact{Source: name, Consumer: nameOf(consumer), Provider: nameOf(provider)}
	p.Metadata, _ = metadata.(map[string]any)
	p.SpecVersion = specVersion(p.Metadata)
	return p
}

// settleVersion checks p.SpecVersion and returns its major version; when absent it is inferred
// from h (V4 interactions carry "type"; V3 pacts have "providerStates" or "messages") and set.
func (p *Pact) settleVersion(h versionHints) (int, error) {
	major := majorOf(p.SpecVersion)
	if major < 0 {
		return 0, fmt.Errorf("%s: metadata.pactSpecification.version %q: %w (supported: 1.1, 2, 3, 4)", p.Source, p.SpecVersion, ErrUnsupportedVersion)
	}
	if major == 0 {
		switch {
		case h.typed:
			major = 4
		case h.states || h.messages:
			major = 3
		default:
			major = 2
		}
		p.SpecVersion = map[int]string{2: "2.0.0", 3: "3.0.0", 4: "4.0"}[major]
	}
	return major, nil
}

func nameOf(v any) string {
	if m, ok := v.(map[string]any); ok {
		s, _ := m["name"].(string)
		return s
	}
	return ""
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func parseInteraction(m map[string]any, major int, where string, message bool) (*Interaction, error) {
	in := &Interaction{raw: m, Description: str(m, "description"), Key: str(m, "key"), Transport: str(m, "transport"), ID: str(m, "_id")}
	if in.Description != "" {
		where = fmt.Sprintf("%s (%q)", where, in.Description)
	}
	in.Pending, _ = m["pending"].(bool)
	in.Comments, _ = m["comments"].(map[string]any)
	in.PluginConfiguration, _ = m["pluginConfiguration"].(map[string]any)
	in.InteractionMarkup, _ = m["interactionMarkup"].(map[string]any)
	states, err := parseStates(m, where)
	if err != nil {
		return nil, err
	}
	in.ProviderStates = states
	typ := str(m, "type")
	switch {
	case typ != "":
		in.Kind = Kind(typ)
	case message || m["contents"] != nil && m["request"] == nil:
		in.Kind = KindAsynchronousMessage
	default:
		in.Kind = KindHTTP
	}
	switch in.Kind {
	case KindHTTP:
		rq, _ := m["request"].(map[string]any)
		rs, _ := m["response"].(map[string]any)
		if rq == nil {
			return nil, fmt.Errorf("%s: request: expected an object", where)
		}
		if rs == nil {
			return nil, fmt.Errorf("%s: response: expected an object", where)
		}
		if in.Request, err = ParseRequest(rq, major, where+": request"); err != nil {
			return nil, err
		}
		if in.Response, err = ParseResponse(rs, major, where+": response"); err != nil {
			return nil, err
		}
	case KindAsynchronousMessage:
		if in.Message, err = ParseMessage(m, where); err != nil {
			return nil, err
		}
	case KindSynchronousMessage:
		rq, _ := m["request"].(map[string]any)
		if rq == nil {
			return nil, fmt.Errorf("%s: request: expected an object", where)
		}
		if in.SyncRequest, err = ParseMessage(rq, where+": request"); err != nil {
			return nil, err
		}
		rs, ok := m["response"].([]any)
		if !ok && m["response"] != nil {
			return nil, fmt.Errorf("%s: response: expected an array of messages", where)
		}
		for i, r := range rs {
			rm, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: response[%d]: expected an object", where, i)
			}
			msg, err := ParseMessage(rm, fmt.Sprintf("%s: response[%d]", where, i))
			if err != nil {
				return nil, err
			}
			in.SyncResponses = append(in.SyncResponses, msg)
		}
	default:
		return nil, fmt.Errorf("%s: interaction type %q: expected Synchronous/HTTP, Asynchronous/Messages or Synchronous/Messages", where, typ)
	}
	return in, nil
}

func parseStates(m map[string]any, where string) ([]ProviderState, error) {
	if s, ok := m["providerState"].(string); ok && s != "" {
		return []ProviderState{{Name: s}}, nil
	}
	if s, ok := m["provider_state"].(string); ok && s != "" {
		return []ProviderState{{Name: s}}, nil
	}
	raw, ok := m["providerStates"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: providerStates: expected an array", where)
	}
	var out []ProviderState
	for i, s := range list {
		sm, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: providerStates[%d]: expected an object with a name", where, i)
		}
		ps := ProviderState{Name: str(sm, "name")}
		ps.Params, _ = sm["params"].(map[string]any)
		out = append(out, ps)
	}
	return out, nil
}

// headerMap reads headers: V2/V3 single strings or V4 lists of strings.
func headerMap(v any, where string) (map[string][]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected an object", where)
	}
	out := make(map[string][]string, len(m))
	for k, val := range m {
		switch x := val.(type) {
		case string:
			out[k] = []string{x}
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					s = fmt.Sprint(e)
				}
				out[k] = append(out[k], s)
			}
		default:
			out[k] = []string{fmt.Sprint(x)}
		}
	}
	return out, nil
}

func queryMap(v any, where string) (map[string][]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return matching.ParseQuery(x), nil
	case map[string]any:
		return headerMap(x, where)
	}
	return nil, fmt.Errorf("%s: expected a string or an object", where)
}

func headerValue(h map[string][]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return strings.Join(v, ", ")
		}
	}
	return ""
}

func rulesAndGenerators(m map[string]any, where string) (matching.Rules, generators.Set, error) {
	var rules matching.Rules
	if raw, ok := m["matchingRules"].(map[string]any); ok {
		r, err := matching.ParseRules(raw, where)
		if err != nil {
			return nil, nil, err
		}
		rules = r
	}
	var gens generators.Set
	if raw, ok := m["generators"].(map[string]any); ok {
		g, err := generators.Parse(raw, where)
		if err != nil {
			return nil, nil, err
		}
		gens = g
	}
	return rules, gens, nil
}

// ParseRequest reads an HTTP request object of any version (query as a V2 string or a V3 map).
func ParseRequest(m map[string]any, major int, where string) (*Request, error) {
	r := &Request{raw: m, Method: str(m, "method"), Path: str(m, "path")}
	var err error
	if r.Query, err = queryMap(m["query"], where+": query"); err != nil {
		return nil, err
	}
	if r.Headers, err = headerMap(m["headers"], where+": headers"); err != nil {
		return nil, err
	}
	body, present := m["body"]
	if r.Body, err = parseBody(body, present, headerValue(r.Headers, "Content-Type"), where); err != nil {
		return nil, err
	}
	if r.Rules, r.Generators, err = rulesAndGenerators(m, where); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseResponse reads an HTTP response object of any version.
func ParseResponse(m map[string]any, major int, where string) (*Response, error) {
	r := &Response{raw: m, Status: 200}
	if s, ok := m["status"]; ok {
		n, ok := s.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: status: expected an integer, got %v", where, s)
		}
		r.Status = int(i)
	}
	var err error
	if r.Headers, err = headerMap(m["headers"], where+": headers"); err != nil {
		return nil, err
	}
	body, present := m["body"]
	if r.Body, err = parseBody(body, present, headerValue(r.Headers, "Content-Type"), where); err != nil {
		return nil, err
	}
	if r.Rules, r.Generators, err = rulesAndGenerators(m, where); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseMessage reads message contents: V3 {contents, metaData|metadata} or V4 {contents envelope,
// metadata}, with matchingRules and generators.
func ParseMessage(m map[string]any, where string) (*Message, error) {
	msg := &Message{raw: m}
	md, _ := m["metadata"].(map[string]any)
	if md == nil {
		md, _ = m["metaData"].(map[string]any)
	}
	msg.Metadata = md
	ct := ""
	for _, k := range []string{"contentType", "content-type", "Content-Type"} {
		if s, ok := md[k].(string); ok {
			ct = s
			break
		}
	}
	contents, present := m["contents"]
	var err error
	if msg.Contents, err = parseBody(contents, present, ct, where); err != nil {
		return nil, err
	}
	if msg.Rules, msg.Generators, err = rulesAndGenerators(m, where); err != nil {
		return nil, err
	}
	return msg, nil
}
