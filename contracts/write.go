package contracts

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"
)

// JSONV4 renders the pact as a V4 pact file (indented JSON). Fields the model does not know
// (plugin data, vendor keys) are written back as read, so a V4 file round-trips without loss.
func (p *Pact) JSONV4() ([]byte, error) { return p.render(4) }

// JSONV3 renders the pact as a V3 pact file: HTTP interactions under "interactions", asynchronous
// messages under "messages". Synchronous messages and V4-only fields (key, pending, comments,
// plugin configuration, markup, transport) have no V3 form: a pact with synchronous messages is
// an error; the other fields are dropped. Binary bodies are written base64-encoded.
func (p *Pact) JSONV3() ([]byte, error) { return p.render(3) }

var v4Only = []string{"type", "key", "pending", "comments", "pluginConfiguration", "interactionMarkup", "transport"}

func (p *Pact) render(major int) ([]byte, error) {
	top := cloneMap(p.raw)
	top["consumer"] = withName(top["consumer"], p.Consumer)
	top["provider"] = withName(top["provider"], p.Provider)
	meta := cloneMap(p.Metadata)
	spec := cloneMap(asMap(meta["pactSpecification"]))
	delete(meta, "pact-specification")
	delete(meta, "pactSpecificationVersion")
	spec["version"] = map[int]string{3: "3.0.0", 4: "4.0"}[major]
	meta["pactSpecification"] = spec
	top["metadata"] = meta
	var ints, msgs []any
	for i, in := range p.Interactions {
		o, err := in.render(major)
		if err != nil {
			return nil, fmt.Errorf("pact %s: interaction %d (%q): %w", p.Source, i, in.Description, err)
		}
		if major == 3 && in.Kind == KindAsynchronousMessage {
			msgs = append(msgs, o)
		} else {
			ints = append(ints, o)
		}
	}
	delete(top, "messages")
	delete(top, "interactions")
	if len(ints) > 0 || major == 4 {
		if ints == nil {
			ints = []any{}
		}
		top["interactions"] = ints
	}
	if len(msgs) > 0 {
		top["messages"] = msgs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(top); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+4)
	maps.Copy(out, m)
	return out
}

func withName(v any, name string) map[string]any {
	m := cloneMap(asMap(v))
	m["name"] = name
	return m
}

// set writes key when the value is meaningful or the key was present when read.
func set(o map[string]any, key string, v any, meaningful bool) {
	if meaningful {
		o[key] = v
		return
	}
	if _, had := o[key]; had {
		o[key] = v
	}
}

func (in *Interaction) render(major int) (map[string]any, error) {
	o := cloneMap(in.raw)
	o["description"] = in.Description
	delete(o, "providerState")
	delete(o, "provider_state")
	if len(in.ProviderStates) > 0 {
		states := make([]any, len(in.ProviderStates))
		for i, s := range in.ProviderStates {
			sm := map[string]any{"name": s.Name}
			if s.Params != nil {
				sm["params"] = s.Params
			}
			states[i] = sm
		}
		o["providerStates"] = states
	} else {
		delete(o, "providerStates")
	}
	if major == 4 {
		o["type"] = string(in.Kind)
		set(o, "key", in.Key, in.Key != "")
		set(o, "pending", in.Pending, in.Pending)
		set(o, "transport", in.Transport, in.Transport != "")
		set(o, "comments", in.Comments, in.Comments != nil)
		set(o, "pluginConfiguration", in.PluginConfiguration, in.PluginConfiguration != nil)
		set(o, "interactionMarkup", in.InteractionMarkup, in.InteractionMarkup != nil)
	} else {
		for _, k := range v4Only {
			delete(o, k)
		}
	}
	switch in.Kind {
	case KindHTTP:
		o["request"] = in.Request.render(major)
		o["response"] = in.Response.render(major)
	case KindAsynchronousMessage:
		delete(o, "metaData")
		maps.Copy(o, in.Message.render(major))
	case KindSynchronousMessage:
		if major < 4 {
			return nil, fmt.Errorf("synchronous messages need a V4 pact")
		}
		o["request"] = in.SyncRequest.render(major)
		rs := make([]any, len(in.SyncResponses))
		for i, r := range in.SyncResponses {
			rs[i] = r.render(major)
		}
		o["response"] = rs
	}
	return o, nil
}

func renderHeaders(h map[string][]string, major int) map[string]any {
	out := make(map[string]any, len(h))
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

func (r *Request) render(major int) map[string]any {
	o := cloneMap(r.raw)
	o["method"] = r.Method
	o["path"] = r.Path
	if len(r.Query) > 0 {
		o["query"] = renderHeaders(r.Query, 4)
	} else {
		delete(o, "query")
	}
	if r.Headers != nil {
		o["headers"] = renderHeaders(r.Headers, major)
	}
	renderBody(o, "body", &r.Body, major)
	renderRules(o, r.Rules.Raw(), r.Generators.Raw())
	return o
}

func (r *Response) render(major int) map[string]any {
	o := cloneMap(r.raw)
	o["status"] = r.Status
	if r.Headers != nil {
		o["headers"] = renderHeaders(r.Headers, major)
	}
	renderBody(o, "body", &r.Body, major)
	renderRules(o, r.Rules.Raw(), r.Generators.Raw())
	return o
}

func (m *Message) render(major int) map[string]any {
	o := cloneMap(m.raw)
	delete(o, "metaData")
	if m.Metadata != nil {
		o["metadata"] = m.Metadata
	} else {
		delete(o, "metadata")
	}
	renderBody(o, "contents", &m.Contents, major)
	renderRules(o, m.Rules.Raw(), m.Generators.Raw())
	return o
}

func renderRules(o, rules, gens map[string]any) {
	if rules != nil {
		o["matchingRules"] = rules
	} else {
		delete(o, "matchingRules")
	}
	if gens != nil {
		o["generators"] = gens
	} else {
		delete(o, "generators")
	}
}

func renderBody(o map[string]any, key string, b *Body, major int) {
	switch b.State {
	case BodyMissing:
		delete(o, key)
		return
	case BodyNull:
		o[key] = nil
		return
	}
	isText := utf8.Valid(b.Content) && !strings.EqualFold(b.ContentTypeHint, "BINARY")
	var content any = string(b.Content)
	encoded := any(false)
	switch {
	case b.Encoded == "base64" || !isText:
		content = base64.StdEncoding.EncodeToString(b.Content)
		encoded = "base64"
	case b.Encoded == "json":
		encoded = "JSON"
	case b.inlineJSON || isJSONType(b.ContentType) && !b.envelope:
		if v, err := b.JSON(); err == nil {
			content = v
		}
	}
	if major < 4 {
		o[key] = content
		return
	}
	env := map[string]any{"content": content, "contentType": b.ContentType, "encoded": encoded}
	if b.ContentTypeHint != "" {
		env["contentTypeHint"] = b.ContentTypeHint
	}
	if raw, ok := o[key].(map[string]any); ok && b.envelope {
		if e, ok := raw["encoded"].(string); ok && strings.EqualFold(e, b.Encoded) {
			env["encoded"] = e // keep the spelling (JSON/json, base64)
		}
	}
	o[key] = env
}
