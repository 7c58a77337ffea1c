package contracts

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/commbench/commbench/contracts/generators"
)

// Generate returns a copy of the request with its generators applied (SPEC-v3.md "Introduce
// example generators", SPEC-v4.md "Generators"): path, query, header and body. The receiver is
// not modified. Errors name the category and key.
func (r *Request) Generate(ctx *generators.Context) (*Request, error) {
	out := *r
	out.Query = cloneLists(r.Query)
	out.Headers = cloneLists(r.Headers)
	if c := r.Generators["path"]; c != nil && c.Single != nil {
		v, err := c.Single.Generate(ctx, r.Path)
		if err != nil {
			return nil, fmt.Errorf("generators.path: %w", err)
		}
		out.Path = generators.Text(v)
	}
	var err error
	if out.Query, err = generateLists(r.Generators["query"], out.Query, ctx, "query"); err != nil {
		return nil, err
	}
	if out.Headers, err = generateLists(r.Generators["header"], out.Headers, ctx, "header"); err != nil {
		return nil, err
	}
	body, err := generateBody(r.Generators["body"], r.Body, ctx)
	if err != nil {
		return nil, err
	}
	out.Body = body
	return &out, nil
}

// Generate returns a copy of the response with its generators applied: status, header, body.
func (r *Response) Generate(ctx *generators.Context) (*Response, error) {
	out := *r
	out.Headers = cloneLists(r.Headers)
	if c := r.Generators["status"]; c != nil && c.Single != nil {
		v, err := c.Single.Generate(ctx, r.Status)
		if err != nil {
			return nil, fmt.Errorf("generators.status: %w", err)
		}
		n, err := strconv.Atoi(generators.Text(v))
		if err != nil {
			return nil, fmt.Errorf("generators.status: %q is not a status code", generators.Text(v))
		}
		out.Status = n
	}
	var err error
	if out.Headers, err = generateLists(r.Generators["header"], out.Headers, ctx, "header"); err != nil {
		return nil, err
	}
	body, err := generateBody(r.Generators["body"], r.Body, ctx)
	if err != nil {
		return nil, err
	}
	out.Body = body
	return &out, nil
}

// Generate returns a copy of the message with its generators applied: contents and metadata.
func (m *Message) Generate(ctx *generators.Context) (*Message, error) {
	out := *m
	out.Metadata = maps.Clone(m.Metadata)
	if c := m.Generators["metadata"]; c != nil {
		for k, g := range c.Entries {
			v, err := g.Generate(ctx, out.Metadata[k])
			if err != nil {
				return nil, fmt.Errorf("generators.metadata[%q]: %w", k, err)
			}
			if out.Metadata == nil {
				out.Metadata = map[string]any{}
			}
			out.Metadata[k] = v
		}
	}
	body, err := generateBody(m.Generators["body"], m.Contents, ctx)
	if err != nil {
		return nil, err
	}
	out.Contents = body
	return &out, nil
}

func cloneLists(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// generateLists applies header or query generators to m (a copy) and returns it; a generator for
// a key the request does not have adds the key, so m may be nil (a request without headers or
// query): the map is made then, as pact-reference's generate_request inserts the generated value
// (pact_matching/src/generators/mod.rs, apply_generators for HEADER and QUERY).
func generateLists(c *generators.Category, m map[string][]string, ctx *generators.Context, cat string) (map[string][]string, error) {
	if c == nil || len(c.Entries) == 0 {
		return m, nil
	}
	if m == nil {
		m = make(map[string][]string, len(c.Entries))
	}
	for k, g := range c.Entries {
		key := k
		for name := range m {
			if strings.EqualFold(name, k) && cat == "header" {
				key = name
			}
		}
		var cur any
		if vs := m[key]; len(vs) > 0 {
			cur = vs[0]
		}
		v, err := g.Generate(ctx, cur)
		if err != nil {
			return nil, fmt.Errorf("generators.%s[%q]: %w", cat, k, err)
		}
		n := max(1, len(m[key]))
		vals := make([]string, n)
		for i := range vals {
			vals[i] = generators.Text(v)
		}
		m[key] = vals
	}
	return m, nil
}

func generateBody(c *generators.Category, b Body, ctx *generators.Context) (Body, error) {
	if c == nil || len(c.Entries) == 0 || b.State != BodyPresent {
		return b, nil
	}
	if isJSONType(b.ContentType) {
		v, err := decodeJSON(b.Content) // a fresh copy: the contract's value stays untouched
		if err != nil {
			return b, fmt.Errorf("generators.body: the body is not JSON: %w", err)
		}
		v, err = generators.ApplyJSON(c, v, ctx)
		if err != nil {
			return b, fmt.Errorf("generators.body: %w", err)
		}
		data, err := json.Marshal(v)
		if err != nil {
			return b, err
		}
		out := b
		out.Content, out.json = data, nil
		return out, nil
	}
	if g, ok := c.Entries["$"]; ok && len(c.Entries) == 1 {
		v, err := g.Generate(ctx, string(b.Content))
		if err != nil {
			return b, fmt.Errorf("generators.body[\"$\"]: %w", err)
		}
		out := b
		out.Content = []byte(generators.Text(v))
		return out, nil
	}
	return b, fmt.Errorf("generators.body: generators inside %s bodies are not supported (JSON bodies, or one \"$\" generator for the whole body)", b.ContentType)
}
