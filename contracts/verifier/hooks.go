package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
)

// This file holds the in-process hooks a Go test gives instead of URLs, as pact-go's
// provider.VerifyRequest does (StateHandlers, MessageHandlers, RequestFilter). Like pact-go, which
// serves its handlers to Pact's verifier through an HTTP proxy, the state handlers and message
// producers are served through Pact's own protocols (the provider state change call and the HTTP
// message mode), here by an http.RoundTripper that answers in-process: the verifier makes the same
// calls as with --state-change-url and --message-provider-url, so both paths behave alike.

// StateHandler sets up (setup true) or tears down (setup false) a provider state in-process.
// state carries the state's name and its parameters from the pact. The values it returns on
// setup are merged into the values ProviderState generators read (Pact's state change
// response); on teardown they are ignored. An error fails the interaction, naming the state.
type StateHandler func(ctx context.Context, setup bool, state contracts.ProviderState) (map[string]any, error)

// StateHandlers map provider state names to their handlers, like pact-go's models.StateHandlers.
// A state with no handler fails the interaction ("no state handler for provider state ..."),
// except the state "" (Pact's call for an interaction without states), which is ignored unless a
// handler is registered for it: it then runs before and after every such interaction.
type StateHandlers map[string]StateHandler

// MessageProducer returns the message the provider would publish for a message interaction (the
// response of a synchronous one), like pact-go's message.Handler. states are the interaction's
// provider states, already set up.
type MessageProducer func(ctx context.Context, states []contracts.ProviderState) (ProducedMessage, error)

// MessageProducers map message interaction descriptions to their producers, like pact-go's
// MessageHandlers. A message interaction with no broker route and no producer fails, naming its
// description.
type MessageProducers map[string]MessageProducer

// ProducedMessage is what a MessageProducer returns.
type ProducedMessage struct {
	// Body is the contents: []byte or string as they are, anything else as its JSON encoding.
	Body any
	// ContentType is the contents' type (default application/json for a Body encoded as JSON).
	ContentType string
	// Metadata is the message metadata (Kafka key and headers, AMQP properties...), matched
	// against the pact's.
	Metadata map[string]any
}

// RequestFilter changes an HTTP request just before it is sent to the provider, like Pact's
// request filter (pact-go's RequestFilter): typically to set a fresh token. An error fails the
// interaction. Config.RequestFilter holds the one applied (ChainRequestFilters composes them).
type RequestFilter func(ctx context.Context, req *drivers.Message) error

// Hooks are the in-process hooks of a verification. The zero value has none.
type Hooks struct {
	StateHandlers    StateHandlers
	MessageProducers MessageProducers
	RequestFilter    RequestFilter
}

// The URLs the hooks answer at, in-process: requests to them never leave the process (.invalid
// is a reserved top-level domain, RFC 2606).
const (
	HooksStateChangeURL     = "http://commbench-hooks.invalid/state-change"
	HooksMessageProviderURL = "http://commbench-hooks.invalid/messages"
)

// ErrHooksConflict is returned by Install when a hook and the URL it stands for are both given.
var ErrHooksConflict = errors.New("hooks conflict with URLs")

// Install wires h into cfg and mc: state handlers become cfg's state change URL (with teardown
// calls), message producers mc's HTTP message mode URL, both answered in-process by a transport
// wrapped around cfg.Client's and mc.Client's (default clients with a 30 s timeout); the request
// filter runs after cfg.RequestFilter (ChainRequestFilters). Call it before NewMessages(*mc). It fails with
// ErrHooksConflict when StateHandlers and cfg.StateChangeURL, or MessageProducers and
// mc.ProviderURL, are both set.
func (h Hooks) Install(cfg *Config, mc *MessageConfig) error {
	if len(h.StateHandlers) > 0 {
		if cfg.StateChangeURL != "" {
			return fmt.Errorf("%w: state handlers and a state change URL (%s): give one", ErrHooksConflict, cfg.StateChangeURL)
		}
		cfg.StateChangeURL, cfg.StateTeardown = HooksStateChangeURL, true
		cfg.Client = h.client(cfg.Client)
	}
	if len(h.MessageProducers) > 0 {
		if mc.ProviderURL != "" {
			return fmt.Errorf("%w: message producers and a message provider URL (%s): give one", ErrHooksConflict, mc.ProviderURL)
		}
		mc.ProviderURL = HooksMessageProviderURL
		mc.Client = h.client(mc.Client)
	}
	cfg.RequestFilter = ChainRequestFilters(cfg.RequestFilter, h.RequestFilter)
	return nil
}

// client returns a copy of c (nil: a client with a 30 s timeout) whose transport answers the hook
// URLs in-process.
func (h Hooks) client(c *http.Client) *http.Client {
	out := &http.Client{Timeout: 30 * time.Second}
	if c != nil {
		cp := *c
		out = &cp
	}
	out.Transport = h.Transport(out.Transport)
	return out
}

// Transport returns an http.RoundTripper that answers HooksStateChangeURL and
// HooksMessageProviderURL from h in-process, with Pact's state change and HTTP message mode
// protocols, and passes every other request to next (nil: http.DefaultTransport). A hook's error
// is returned as the round trip's error.
func (h Hooks) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if t, ok := next.(*hooksTransport); ok { // one layer of hooks: the newer replace the older
		next = t.next
	}
	return &hooksTransport{h: h, next: next}
}

type hooksTransport struct {
	h    Hooks
	next http.RoundTripper
}

func (t *hooksTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.String() {
	case HooksStateChangeURL:
		return t.stateChange(req)
	case HooksMessageProviderURL:
		return t.produce(req)
	}
	return t.next.RoundTrip(req)
}

// stateChange answers a state change call (stateChange in states.go) with the handler's values.
func (t *hooksTransport) stateChange(req *http.Request) (*http.Response, error) {
	var sc stateChange
	if err := decodeBody(req, &sc); err != nil {
		return nil, fmt.Errorf("state change call: %w", err)
	}
	handler, ok := t.h.StateHandlers[sc.State]
	switch {
	case !ok && sc.State == "":
		return jsonResponse(req, nil, "")
	case !ok:
		return nil, fmt.Errorf("no state handler for provider state %q (StateHandlers has %s)", sc.State, handlerNames(t.h.StateHandlers))
	}
	values, err := handler(req.Context(), sc.Action != "teardown", contracts.ProviderState{Name: sc.State, Params: sc.Params})
	if err != nil {
		return nil, fmt.Errorf("state handler: %w", err)
	}
	return jsonResponse(req, values, "")
}

// produce answers an HTTP message mode call (messageRequest in message_http.go) with the
// producer's message: body, Content-Type and the Pact-Message-Metadata header (base64 JSON).
func (t *hooksTransport) produce(req *http.Request) (*http.Response, error) {
	var mr messageRequest
	if err := decodeBody(req, &mr); err != nil {
		return nil, fmt.Errorf("message provider call: %w", err)
	}
	producer, ok := t.h.MessageProducers[mr.Description]
	if !ok {
		return nil, fmt.Errorf("no message producer for message interaction %q (MessageProducers has %s)", mr.Description, handlerNames(t.h.MessageProducers))
	}
	states := make([]contracts.ProviderState, len(mr.ProviderStates))
	for i, s := range mr.ProviderStates {
		states[i] = contracts.ProviderState{Name: s.Name, Params: s.Params}
	}
	msg, err := producer(req.Context(), states)
	if err != nil {
		return nil, fmt.Errorf("message producer: %w", err)
	}
	var body []byte
	contentType := msg.ContentType
	switch b := msg.Body.(type) {
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		if body, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("message producer: encode the body as JSON: %w", err)
		}
		if contentType == "" {
			contentType = "application/json"
		}
	}
	resp, err := jsonResponse(req, nil, contentType)
	if err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	if len(msg.Metadata) > 0 {
		md, err := json.Marshal(msg.Metadata)
		if err != nil {
			return nil, fmt.Errorf("message producer: encode the metadata as JSON: %w", err)
		}
		resp.Header.Set("Pact-Message-Metadata", base64.StdEncoding.EncodeToString(md))
	}
	return resp, nil
}

// decodeBody reads the JSON body of an in-process hook call into v.
func decodeBody(req *http.Request, v any) error {
	if req.Body == nil {
		return errors.New("no body")
	}
	defer req.Body.Close()
	return json.NewDecoder(req.Body).Decode(v)
}

// jsonResponse is a 200 response to req: values as JSON (nothing when nil), with contentType
// (default application/json).
func jsonResponse(req *http.Request, values map[string]any, contentType string) (*http.Response, error) {
	var body []byte
	if values != nil {
		var err error
		if body, err = json.Marshal(values); err != nil {
			return nil, fmt.Errorf("state handler values: %w", err)
		}
	}
	if contentType == "" {
		contentType = "application/json"
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req,
	}, nil
}

// handlerNames lists the keys of a hooks map for an error message.
func handlerNames[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, fmt.Sprintf("%q", k))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// ChainRequestFilters returns one RequestFilter applying filters in order (nil ones left out);
// the first error stops the chain. With no filter it returns nil.
func ChainRequestFilters(filters ...RequestFilter) RequestFilter {
	filters = slices.DeleteFunc(slices.Clone(filters), func(f RequestFilter) bool { return f == nil })
	switch len(filters) {
	case 0:
		return nil
	case 1:
		return filters[0]
	}
	return func(ctx context.Context, req *drivers.Message) error {
		for _, f := range filters {
			if err := f(ctx, req); err != nil {
				return err
			}
		}
		return nil
	}
}
