package verifier

import (
	"context"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/generators"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// verifyHTTP replays the interaction's request (generators applied, provider state values
// included) against the provider and matches the response (contracts.MatchResponse).
func (cfg *Config) verifyHTTP(ctx context.Context, _ *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error) {
	if in.Request == nil || in.Response == nil {
		return nil, errorf("interaction %q has no request or response", in.Description)
	}
	req, err := in.Request.Generate(&generators.Context{ProviderState: state})
	if err != nil {
		return nil, errorf("apply request generators: %w", err)
	}
	msg := httpMessage(req)
	recordSent(ctx, msg)
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
// stable order, repeated values kept in order), headers and the body with its content type.
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
	if r.Body.State == contracts.BodyPresent || r.Body.State == contracts.BodyNull {
		m.Body = r.Body.Content
		m.ContentType = r.Body.ContentType
		if m.Header("Content-Type") == "" && m.ContentType != "" {
			m.Headers["Content-Type"] = []string{m.ContentType}
		}
	}
	return m
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

// recordSent stores m, secret header values redacted, in the context's holder, if any.
func recordSent(ctx context.Context, m *drivers.Message) {
	h, _ := ctx.Value(sentKey{}).(*sentHolder)
	if h == nil {
		return
	}
	r := &results.SentRequest{Method: m.Method, Path: m.Route, Body: string(m.Body)}
	for k, v := range m.Headers {
		if r.Headers == nil {
			r.Headers = map[string][]string{}
		}
		if secretHeader.MatchString(k) {
			v = []string{"***"}
		}
		r.Headers[k] = append([]string(nil), v...)
	}
	h.req = r
}
