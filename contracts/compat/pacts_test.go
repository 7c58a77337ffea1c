package compat

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/url"
	"sort"
	"strings"
)

// state is a provider state with its parameters.
type state struct {
	name   string
	params map[string]any
}

// httpSpec is one HTTP interaction of a feature's Background table.
type httpSpec struct {
	method, path, query string
	headers             map[string][]string
	body                body
	status              int
	respHeaders         map[string][]string
	respBody            body
	respRules           map[string]any
	states              []state
	pending             bool
	comments            map[string]any
}

func (h httpSpec) clone() httpSpec {
	c := h
	c.headers = cloneHeaders(h.headers)
	c.respHeaders = cloneHeaders(h.respHeaders)
	c.states = append([]state(nil), h.states...)
	return c
}

func cloneHeaders(h map[string][]string) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// isBinary reports whether a content type is written base64-encoded in a pact (images, audio,
// video, fonts, application/octet-stream, pdf, zip), as pact-reference's ContentType::is_binary.
func isBinary(ct string) bool {
	base, _, err := mime.ParseMediaType(ct)
	if err != nil {
		base = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	main, sub, _ := strings.Cut(base, "/")
	switch main {
	case "image", "audio", "video", "font":
		return true
	case "application":
		switch sub {
		case "octet-stream", "pdf", "zip", "gzip":
			return true
		}
	}
	return false
}

func isJSON(ct string) bool {
	base := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

// bodyValue is a body as written in a pact of the given major version: a V4 envelope, or the
// V1-V3 inline value (JSON as JSON, binary as base64 text, other content as a string).
func bodyValue(b body, major int) any {
	var content any = string(b.content)
	encoded := any(false)
	switch {
	case isBinary(b.contentType):
		content, encoded = base64.StdEncoding.EncodeToString(b.content), "base64"
	case isJSON(b.contentType):
		if v, err := decodeJSON(b.content); err == nil {
			content = v
		}
	}
	if major < 4 {
		return content
	}
	return map[string]any{"content": content, "contentType": b.contentType, "encoded": encoded}
}

func specVersion(major int) string {
	return map[int]string{1: "1.0.0", 2: "2.0.0", 3: "3.0.0", 4: "4.0"}[major]
}

// pactDoc wraps interactions (or V3 messages) into a pact document.
func pactDoc(major int, consumer string, interactions []any, messages bool) []byte {
	doc := map[string]any{
		"consumer": map[string]any{"name": consumer},
		"provider": map[string]any{"name": "p"},
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": specVersion(major)}},
	}
	if messages && major < 4 {
		doc["messages"] = interactions
	} else {
		doc["interactions"] = interactions
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err) // built from JSON values only
	}
	return data
}

func headersJSON(h map[string][]string, major int) map[string]any {
	out := map[string]any{}
	for k, v := range h {
		if major >= 4 {
			l := make([]any, len(v))
			for i, s := range v {
				l[i] = s
			}
			out[k] = l
		} else {
			out[k] = strings.Join(v, ", ")
		}
	}
	return out
}

func withContentType(h map[string][]string, b body) map[string][]string {
	h = cloneHeaders(h)
	if !b.present || b.contentType == "" {
		return h
	}
	for k := range h {
		if strings.EqualFold(k, "Content-Type") {
			return h
		}
	}
	h["Content-Type"] = []string{b.contentType}
	return h
}

func statesJSON(o map[string]any, states []state, major int) {
	if len(states) == 0 {
		return
	}
	if major < 3 {
		o["providerState"] = states[0].name
		return
	}
	var l []any
	for _, s := range states {
		m := map[string]any{"name": s.name}
		if s.params != nil {
			m["params"] = s.params
		}
		l = append(l, m)
	}
	o["providerStates"] = l
}

// interaction renders h as an interaction of a pact of the given major version.
func (h httpSpec) interaction(major int, desc string) map[string]any {
	req := map[string]any{"method": h.method, "path": h.path}
	if h.query != "" {
		if major < 3 {
			req["query"] = h.query
		} else {
			q, _ := url.ParseQuery(h.query)
			m := map[string]any{}
			keys := make([]string, 0, len(q))
			for k := range q {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				l := make([]any, len(q[k]))
				for i, s := range q[k] {
					l[i] = s
				}
				m[k] = l
			}
			req["query"] = m
		}
	}
	if hs := withContentType(h.headers, h.body); len(hs) > 0 {
		req["headers"] = headersJSON(hs, major)
	}
	if h.body.present {
		req["body"] = bodyValue(h.body, major)
	}
	resp := map[string]any{"status": h.status}
	if hs := withContentType(h.respHeaders, h.respBody); len(hs) > 0 {
		resp["headers"] = headersJSON(hs, major)
	}
	if h.respBody.present {
		resp["body"] = bodyValue(h.respBody, major)
	}
	if h.respRules != nil && major >= 2 {
		resp["matchingRules"] = h.respRules
	}
	o := map[string]any{"description": desc, "request": req, "response": resp}
	statesJSON(o, h.states, major)
	if major >= 4 {
		o["type"] = "Synchronous/HTTP"
		if h.pending {
			o["pending"] = true
		}
		if h.comments != nil {
			o["comments"] = h.comments
		}
	}
	return o
}

// messageSpec is one asynchronous message of a message feature.
type messageSpec struct {
	description string
	body        body
	metadata    map[string]any
	rules       map[string]any
	states      []state
	pending     bool
	comments    map[string]any
}

func (m messageSpec) interaction(major int) map[string]any {
	o := map[string]any{"description": m.description, "contents": bodyValue(m.body, major)}
	md := map[string]any{}
	for k, v := range m.metadata {
		md[k] = v
	}
	if m.body.contentType != "" {
		md["contentType"] = m.body.contentType
	}
	o["metadata"] = md
	if m.rules != nil {
		o["matchingRules"] = m.rules
	}
	statesJSON(o, m.states, major)
	if major >= 4 {
		o["type"] = "Asynchronous/Messages"
		if m.pending {
			o["pending"] = true
		}
		if m.comments != nil {
			o["comments"] = m.comments
		}
	}
	return o
}
