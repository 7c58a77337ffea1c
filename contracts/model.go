// Package contracts is commbench's Pact engine: one model for pact files of every version (V1.1,
// V2, V3, V4), loading from files, directories and URLs, lossless write-back (V3 and V4),
// matching of HTTP requests and responses and of messages, and generators.
//
// Specification followed: pact-specification SPEC-v2.md, SPEC-v3.md, SPEC-v4.md; where they are
// silent, the reference implementation (pact-reference). Contract violations are data
// (results.Mismatch), Go errors are for input that cannot be read.
package contracts

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/commbench/commbench/contracts/generators"
	"github.com/commbench/commbench/contracts/matching"
)

// Kind is the V4 interaction type.
type Kind string

// Interaction kinds (V4 "type" values).
const (
	KindHTTP                Kind = "Synchronous/HTTP"
	KindAsynchronousMessage Kind = "Asynchronous/Messages"
	KindSynchronousMessage  Kind = "Synchronous/Messages"
)

// Pact is one contract between a consumer and a provider.
type Pact struct {
	Consumer string
	Provider string
	// SpecVersion is the pactSpecification version as written ("2.0.0", "3.0.0", "4.0"), or the
	// version inferred when absent.
	SpecVersion  string
	Interactions []*Interaction
	Metadata     map[string]any
	// Source is the file path or URL the pact was read from.
	Source string

	raw map[string]any // the file's top-level object, for lossless write-back
}

// Major returns the major specification version (1 to 4).
func (p *Pact) Major() int { return majorOf(p.SpecVersion) }

// ProviderState is a state the provider must be in (V3+: with parameters).
type ProviderState struct {
	Name   string
	Params map[string]any
}

// Interaction is one interaction of any kind. HTTP uses Request/Response; an asynchronous message
// uses Message; a synchronous message uses SyncRequest and SyncResponses.
type Interaction struct {
	Kind        Kind
	Description string
	Key         string // V4
	// ID is the "_id" a Pact Broker adds to each interaction of the pacts it serves; verification
	// results published to the broker refer to interactions by it. "" for pact files.
	ID             string
	ProviderStates []ProviderState
	Pending        bool   // V4
	Transport      string // V4 (http, grpc, kafka...), "" when absent
	// V4 free-form fields, kept as written.
	Comments            map[string]any
	PluginConfiguration map[string]any
	InteractionMarkup   map[string]any

	Request  *Request  // KindHTTP
	Response *Response // KindHTTP

	Message *Message // KindAsynchronousMessage

	SyncRequest   *Message   // KindSynchronousMessage
	SyncResponses []*Message // KindSynchronousMessage

	raw map[string]any
}

// StateNames returns the provider state names.
func (i *Interaction) StateNames() []string {
	out := make([]string, len(i.ProviderStates))
	for k, s := range i.ProviderStates {
		out[k] = s.Name
	}
	return out
}

// Request is the HTTP request part. Header names keep their spelling; lookups fold case.
type Request struct {
	Method     string
	Path       string
	Query      map[string][]string
	Headers    map[string][]string
	Body       Body
	Rules      matching.Rules
	Generators generators.Set
	raw        map[string]any
}

// Response is the HTTP response part.
type Response struct {
	Status     int
	Headers    map[string][]string
	Body       Body
	Rules      matching.Rules
	Generators generators.Set
	raw        map[string]any
}

// Message is a message's contents and metadata with its rules and generators.
type Message struct {
	Contents   Body
	Metadata   map[string]any
	Rules      matching.Rules
	Generators generators.Set
	raw        map[string]any
}

// BodyState tells an absent body from a null, an empty and a present one (SPEC-v3.md "Semantics
// around body values").
type BodyState uint8

// Body states.
const (
	BodyMissing BodyState = iota // not in the contract: not compared
	BodyNull                     // JSON null
	BodyEmpty                    // "": the actual body must be empty
	BodyPresent
)

// Body is a body or message contents: raw bytes plus content type, from the V4 envelope
// {content, contentType, encoded, contentTypeHint} or a V2/V3 inline value.
type Body struct {
	State           BodyState
	Content         []byte
	ContentType     string // from the envelope, the Content-Type header/metadata, or detection
	Encoded         string // "" (not encoded), "base64" or "json" as written in a V4 envelope
	ContentTypeHint string // V4: BINARY or TEXT
	envelope        bool   // written as a V4 envelope
	inlineJSON      bool   // written as an inline JSON value (V2/V3)
	// json is Content decoded, set when the body is built from a pact and never written again,
	// so verifications may share a contract's body across goroutines.
	json *jsonCache
}

// jsonCache is a body's decoded JSON and the Content it was decoded from (a copy of the Body
// that got other Content does not use it).
type jsonCache struct {
	src   []byte
	value any
	err   error
	// plan matches actual JSON bodies against value from their bytes (see Body.jsonPlan)
	plan atomic.Pointer[bodyPlan]
}

// bodyPlan is a matching.JSONPlan and the rules and option it was built for.
type bodyPlan struct {
	rules *matching.Category
	n     int // len(rules.Entries) when built
	allow bool
	plan  *matching.JSONPlan
}

// jsonPlan returns the plan matching actual JSON bodies against this (expected) body with rules
// and opts, built on first use and kept with the decoded body; nil when the body is not decoded
// JSON.
func (b *Body) jsonPlan(rules *matching.Category, opts matching.Options) *matching.JSONPlan {
	c := b.json
	if !c.of(b.Content) || c.err != nil {
		return nil
	}
	n := 0
	if rules != nil {
		n = len(rules.Entries)
	}
	if p := c.plan.Load(); p != nil && p.rules == rules && p.n == n && p.allow == opts.AllowUnexpectedKeys {
		return p.plan
	}
	p := &bodyPlan{rules: rules, n: n, allow: opts.AllowUnexpectedKeys, plan: matching.NewJSONPlan(c.value, rules, opts)}
	c.plan.Store(p)
	return p.plan
}

func (c *jsonCache) of(content []byte) bool {
	return c != nil && len(c.src) == len(content) && (len(content) == 0 || &c.src[0] == &content[0])
}

// cacheJSON decodes a JSON body once, when it is built; value is its already decoded form when
// known (an inline V2/V3 body or V4 content object).
func (b *Body) cacheJSON(value any, known bool) {
	if b.State != BodyPresent || !isJSONType(b.ContentType) {
		return
	}
	if !known {
		value, err := decodeJSON(b.Content)
		b.json = &jsonCache{src: b.Content, value: value, err: err}
		return
	}
	b.json = &jsonCache{src: b.Content, value: value}
}

// NewJSONBody builds a body from a JSON data model value.
func NewJSONBody(v any) Body {
	b, _ := json.Marshal(v)
	return Body{State: BodyPresent, Content: b, ContentType: "application/json", inlineJSON: true}
}

// NewBody builds a body from raw bytes and a content type ("" to detect).
func NewBody(content []byte, contentType string) Body {
	if contentType == "" {
		contentType = matching.DetectContentType(content)
	}
	st := BodyPresent
	if len(content) == 0 {
		st = BodyEmpty
	}
	return Body{State: st, Content: content, ContentType: contentType}
}

// IsJSON reports whether the content type is JSON (application/json, +json, json-rpc).
func (b *Body) IsJSON() bool { return isJSONType(b.ContentType) }

// JSON decodes the content as JSON (numbers as json.Number, so integers above 2^53 compare
// exactly). A null body decodes to nil; a missing or empty body is an error. The JSON bodies of
// a loaded pact are decoded once at load and JSON returns that value (do not modify it); other
// bodies are decoded on each call. JSON does not modify b: it is safe for concurrent use.
func (b *Body) JSON() (any, error) {
	switch b.State {
	case BodyNull:
		return nil, nil
	case BodyMissing:
		return nil, fmt.Errorf("body is missing")
	case BodyEmpty:
		return nil, fmt.Errorf("body is empty")
	}
	if b.json.of(b.Content) {
		return b.json.value, b.json.err
	}
	return decodeJSON(b.Content)
}

func isJSONType(ct string) bool {
	t := baseType(ct)
	return t == "application/json" || strings.HasSuffix(t, "+json") || strings.HasPrefix(t, "application/") && strings.HasSuffix(t, "json") || t == "application/json-rpc" || t == "application/jsonrequest"
}

// isBinaryType reports whether a content type is binary (pact_models ContentType::is_binary):
// image, audio, video and font types, application/octet-stream, pdf, zip and gzip.
func isBinaryType(ct string) bool {
	main, sub, _ := strings.Cut(baseType(ct), "/")
	switch main {
	case "image", "audio", "video", "font":
		return true
	case "application":
		switch sub {
		case "octet-stream", "pdf", "zip", "gzip", "x-gzip":
			return true
		}
	}
	return false
}

func isXMLType(ct string) bool {
	t := baseType(ct)
	return t == "application/xml" || t == "text/xml" || strings.HasSuffix(t, "+xml")
}

// parseBody reads a body value. V4 envelopes are recognised by their "content" key (with
// contentType or encoded); anything else is an inline V2/V3 value. ctHeader is the content type
// from headers or metadata.
func parseBody(v any, present bool, ctHeader, where string) (Body, error) {
	if !present {
		return Body{State: BodyMissing, ContentType: ctHeader}, nil
	}
	if env, ok := v.(map[string]any); ok {
		if _, has := env["content"]; has {
			if _, ct := env["contentType"]; ct || env["encoded"] != nil {
				return parseEnvelope(env, ctHeader, where)
			}
		}
	}
	switch x := v.(type) {
	case nil:
		return Body{State: BodyNull, ContentType: ctHeader}, nil
	case string:
		if x == "" {
			return Body{State: BodyEmpty, ContentType: ctHeader}, nil
		}
		// Content shares the decoded string's bytes (no copy: a 60 MB text body is held once).
		// Body content is read-only everywhere: matching reads it, generators make new bodies.
		b := Body{State: BodyPresent, Content: unsafe.Slice(unsafe.StringData(x), len(x)), ContentType: ctHeader}
		if isBinaryType(ctHeader) {
			// V1-V3 pacts hold binary bodies as base64 text (pact-jvm and pact-reference write
			// them so, JSONV3 too); Pact decodes them on load, as pact_models' body_from_json
			// does for a binary content type. Text that is not base64 stays as written.
			if data, err := base64.StdEncoding.DecodeString(x); err == nil {
				b.Content = data
			}
		}
		if b.ContentType == "" {
			b.ContentType = matching.DetectContentType(b.Content)
		}
		b.cacheJSON(nil, false)
		return b, nil
	default:
		data, err := json.Marshal(x)
		if err != nil {
			return Body{}, fmt.Errorf("%s: body: %w", where, err)
		}
		ct := ctHeader
		if ct == "" {
			ct = "application/json"
		}
		b := Body{State: BodyPresent, Content: data, ContentType: ct, inlineJSON: true}
		b.cacheJSON(x, true)
		return b, nil
	}
}

func parseEnvelope(env map[string]any, ctHeader, where string) (Body, error) {
	b := Body{State: BodyPresent, envelope: true}
	b.ContentType, _ = env["contentType"].(string)
	if b.ContentType == "" {
		b.ContentType = ctHeader
	}
	b.ContentTypeHint, _ = env["contentTypeHint"].(string)
	switch e := env["encoded"].(type) {
	case nil, bool:
		if e == true {
			b.Encoded = "base64"
		}
	case string:
		b.Encoded = strings.ToLower(e)
	default:
		return b, fmt.Errorf("%s: body.encoded: expected false or a string, got %T", where, e)
	}
	content := env["content"]
	var inline any // the content object or array, already decoded
	switch b.Encoded {
	case "":
		switch c := content.(type) {
		case nil:
			b.State = BodyNull
		case string:
			if c == "" {
				b.State = BodyEmpty
			}
			b.Content = []byte(c)
			if isJSONType(b.ContentType) && json.Valid(b.Content) {
				// a JSON document stored as a string
			}
		default:
			data, err := json.Marshal(c)
			if err != nil {
				return b, fmt.Errorf("%s: body.content: %w", where, err)
			}
			b.Content = data
			b.inlineJSON = true
			inline = c
		}
	case "base64":
		s, ok := content.(string)
		if !ok {
			return b, fmt.Errorf("%s: body.content: base64-encoded content must be a string", where)
		}
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
				return b, fmt.Errorf("%s: body.content: invalid base64: %w", where, err)
			}
		}
		b.Content = data
		if len(data) == 0 {
			b.State = BodyEmpty
		}
	case "json":
		s, ok := content.(string)
		if !ok {
			data, err := json.Marshal(content)
			if err != nil {
				return b, fmt.Errorf("%s: body.content: %w", where, err)
			}
			s = string(data)
		}
		b.Content = []byte(s)
	default:
		return b, fmt.Errorf("%s: body.encoded %q: expected false, \"base64\" or \"JSON\"", where, b.Encoded)
	}
	if b.ContentType == "" && b.State == BodyPresent {
		b.ContentType = matching.DetectContentType(b.Content)
	}
	b.cacheJSON(inline, inline != nil)
	return b, nil
}

func majorOf(v string) int {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if v == "" {
		return 0
	}
	switch v[0] {
	case '1':
		return 1
	case '2':
		return 2
	case '3':
		return 3
	case '4':
		return 4
	}
	return -1
}

// dropRaw forgets the decoded JSON document kept for write-back (LoadOptions.Lean).
func (p *Pact) dropRaw() {
	p.raw = nil
	for _, in := range p.Interactions {
		in.dropRaw()
	}
}

// dropRaw forgets the interaction's decoded JSON kept for write-back.
func (in *Interaction) dropRaw() {
	in.raw = nil
	if in.Request != nil {
		in.Request.raw = nil
	}
	if in.Response != nil {
		in.Response.raw = nil
	}
	for _, m := range append([]*Message{in.Message, in.SyncRequest}, in.SyncResponses...) {
		if m != nil {
			m.raw = nil
		}
	}
}
