package verifier

import (
	"context"
	"maps"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
	"github.com/commbench/commbench/results"
)

// verifyHTTP replays the interaction's request (generators applied, provider state values
// included) against the provider and matches the response (contracts.MatchResponse).
func (cfg *Config) verifyHTTP(ctx context.Context, _ *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error) {
	if in.Request == nil || in.Response == nil {
		return nil, errorf("interaction %q has no request or response", in.Description)
	}
	req, err := in.Request.Generate(generatorContext(ctx, state))
	if err != nil {
		return nil, errorf("apply request generators: %w", err)
	}
	msg := httpMessage(req)
	recorded := maps.Clone(msg.Headers) // as the pact has them, before custom headers and filters
	cfg.applyHeaders(msg)
	if cfg.RequestFilter != nil {
		if err := cfg.RequestFilter(ctx, msg); err != nil {
			return nil, errorf("request filter: %w", err)
		}
	}
	recordSent(ctx, msg, recorded)
	resp, err := cfg.HTTP.Request(ctx, msg)
	if err != nil {
		return nil, err
	}
	actual := &contracts.Response{
		Status:  resp.Status,
		Headers: resp.Headers,
		Body:    contracts.NewBody(resp.Body, resp.ContentType),
	}
	return contracts.MatchResponse(in.Response, actual), nil
}

// httpMessage turns a pact request into a driver message: path with the query (parameters in a
// stable order, repeated values kept in order), headers and the body. It follows pact-reference
// rust/pact_verifier/src/provider_client.rs, create_native_request: each header value is sent
// as its own header line (nothing is split or joined on commas here); no Content-Type is added
// when the pact records none, whatever the body; a null body is sent as "null" only when the
// request's Content-Type is JSON, else no body.
func httpMessage(r *contracts.Request) *drivers.Message {
	route := r.Path
	if route == "" {
		route = "/"
	}
	if len(r.Query) > 0 {
		keys := make([]string, 0, len(r.Query))
		for k := range r.Query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var q strings.Builder
		for _, k := range keys {
			for _, v := range r.Query[k] {
				if q.Len() > 0 {
					q.WriteByte('&')
				}
				q.WriteString(url.QueryEscape(k))
				q.WriteByte('=')
				q.WriteString(url.QueryEscape(v))
			}
		}
		route += "?" + q.String()
	}
	m := &drivers.Message{Method: strings.ToUpper(r.Method), Route: route, Headers: map[string][]string{}}
	for k, v := range r.Headers {
		m.Headers[k] = append([]string(nil), v...)
	}
	switch r.Body.State {
	case contracts.BodyPresent:
		m.Body = r.Body.Content
	case contracts.BodyNull:
		if ct, _, _ := mime.ParseMediaType(m.Header("Content-Type")); ct == "application/json" || strings.HasSuffix(ct, "+json") {
			m.Body = []byte("null")
		}
	}
	return m
}

// applyHeaders sets Config.Headers on an HTTP request, each replacing any header of the same
// name (case-insensitively) the pact recorded: Pact's custom headers are the client's default
// headers and create_native_request leaves out the pact's header of the same name
// (provider_client.rs, test do_not_overwrite_custom_headers_with_headers_from_pact_file). Pact
// compares the names case-sensitively there; HTTP header names are not, so commbench replaces
// "authorization" with --header Authorization=... too.
func (cfg *Config) applyHeaders(m *drivers.Message) {
	for name, value := range cfg.Headers {
		for k := range m.Headers {
			if strings.EqualFold(k, name) {
				delete(m.Headers, k)
			}
		}
		m.Headers[name] = []string{value}
	}
}

// SetHeaderIfPresent returns a RequestFilter that replaces the value of header name with value
// on the requests that carry it (a recorded Authorization gets a fresh token, say) and leaves
// the others as they are. The name is compared case-insensitively.
func SetHeaderIfPresent(name, value string) RequestFilter {
	return func(_ context.Context, m *drivers.Message) error {
		found := false
		for k := range m.Headers {
			if strings.EqualFold(k, name) {
				delete(m.Headers, k)
				found = true
			}
		}
		if found {
			m.Headers[name] = []string{value}
		}
		return nil
	}
}

// sentHolder receives the request an interaction's verification sent (see withSentRequest).
type sentHolder struct{ req *results.SentRequest }

type sentKey struct{}

// withSentRequest returns a context in which recordSent stores the request sent into the holder.
func withSentRequest(ctx context.Context) (context.Context, *sentHolder) {
	h := &sentHolder{}
	return context.WithValue(ctx, sentKey{}, h), h
}

// secretHeader matches header names whose values are credentials; the reports show them as "***".
var secretHeader = regexp.MustCompile(`(?i)(auth|token|secret|api[-_]?key|cookie|session|password)`)

// recordSent stores m in the context's holder, if any, as the reports may show it: path and
// query as the pact records them (generators applied), and a header's values shown only when the pact recorded them
// as sent and its name does not say credential; values set by --header, a request filter or a
// hook (tokens, say) and credential-like ones are redact.Header's "***".
func recordSent(ctx context.Context, m *drivers.Message, recorded map[string][]string) {
	h, _ := ctx.Value(sentKey{}).(*sentHolder)
	if h == nil {
		return
	}
	r := &results.SentRequest{Method: m.Method, Path: m.Route, Body: string(m.Body)} // the path and query the pact records
	for k, v := range m.Headers {
		if r.Headers == nil {
			r.Headers = map[string][]string{}
		}
		if secretHeader.MatchString(k) || !slices.Equal(v, recorded[k]) {
			shown := make([]string, len(v))
			for i, x := range v {
				shown[i] = redact.Header(x)
			}
			v = shown
		}
		r.Headers[k] = append([]string(nil), v...)
	}
	h.req = r
}
