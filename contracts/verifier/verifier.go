// Package verifier checks pacts against real providers: each interaction's request goes to the
// provider through a driver (REST, gRPC, or a broker for messages), and what comes back is matched
// with package contracts. Provider states are set up (and torn down) through a state change URL
// as Pact's verifiers do, and the values the state change returns feed ProviderState generators.
//
// Results are data: every interaction gets a results.Interaction with its status and every
// mismatch. A Go error from Verify means the verification could not be carried out (a provider or
// broker unreachable), and carries the results gathered until then.
package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/generators"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// Config says where the providers are and which interactions to verify. Nil connections mean
// "not given": interactions that need them are skipped with a reason naming the flag.
type Config struct {
	// HTTP is the REST connection for HTTP interactions (--provider-base-url).
	HTTP drivers.Requester
	// GRPC is the gRPC connection for gRPC interactions (--grpc-address).
	GRPC drivers.Requester
	// GRPCFiles are descriptors for gRPC interactions whose pact carries none (--proto).
	GRPCFiles *protoregistry.Files
	// Messages verifies asynchronous and synchronous message interactions over brokers or Pact's
	// HTTP message mode; nil skips them.
	Messages MessageVerifier

	// StateChangeURL receives a POST {"state", "params", "action": "setup"} per provider state
	// before each interaction; StateTeardown adds "teardown" calls after it.
	StateChangeURL string
	StateTeardown  bool
	// Client makes state change calls (default: a client with a 30 s timeout).
	Client *http.Client

	// Headers are set on every HTTP request to the provider, each replacing a header of the
	// same name recorded in the pact (Pact's --header / custom headers).
	Headers map[string]string
	// RequestFilter, when set, is applied to every HTTP request after Headers, just before it is
	// sent (Pact's request filter); it may change anything. An error fails the interaction.
	// SetHeaderIfPresent builds the common one.
	RequestFilter RequestFilter

	// SkipTransports are the transports whose interactions the user chose not to verify: "http",
	// "grpc", "kafka", "amqp", or "message" for every message interaction. Their interactions
	// with no target are reported skipped. Any other interaction whose transport has no target
	// (an HTTP interaction and no HTTP connection, a message with no route or broker) is an
	// error, so a verification that checked less than its pacts ask never passes.
	SkipTransports []string

	// Filters: Consumer equals the pact's consumer; Description and State match the interaction's
	// description and any of its provider state names. Nil or empty means all.
	Consumer    string
	Description *regexp.Regexp
	State       *regexp.Regexp

	// OnResult, when set, is called after each interaction (for progress or a streaming tree).
	OnResult func(results.Interaction)
}

// MessageVerifier verifies one message interaction (asynchronous or synchronous) and returns its
// mismatches; state holds the provider state values from the state change calls. It returns
// ErrSkip (wrapped, with the reason) when it has no route for the interaction, and an error
// wrapping drivers.ErrUnreachable when the broker cannot be reached.
type MessageVerifier interface {
	VerifyMessage(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error)
}

// ErrSkip marks an interaction that was not verified; the error text is the reason.
var ErrSkip = errors.New("skipped")

// NoTargetError says that an interaction's transport has no target (no connection, route or
// broker given). It is ErrSkip (errors.Is); Verify reports the interaction skipped when its
// Transport is in Config.SkipTransports, else as an error.
type NoTargetError struct {
	// Transport is "http", "grpc", "kafka", "amqp" or "message" (a message with no route).
	Transport string
	Reason    string
}

func (e *NoTargetError) Error() string { return e.Reason }

// Is makes a NoTargetError match ErrSkip.
func (e *NoTargetError) Is(target error) bool { return target == ErrSkip }

// Verify verifies every interaction of pacts that passes the filters, in order. It returns the
// results gathered; the error is non-nil when a target could not be reached (wrapping
// drivers.ErrUnreachable) or ctx was cancelled, and then the results hold what was verified so far.
func Verify(ctx context.Context, cfg Config, pacts []*contracts.Pact) (*results.Verification, error) {
	return VerifyEach(ctx, cfg, func(yield func(*contracts.Pact, *contracts.Interaction) error) error {
		for _, p := range pacts {
			for _, in := range p.Interactions {
				if err := yield(p, in); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Interactions calls yield for each interaction to verify, with its pact, in order, and stops at
// the first error yield returns, returning it; it may return its own error (an unreadable pact).
// contracts.Stream of a source is one.
type Interactions func(yield func(*contracts.Pact, *contracts.Interaction) error) error

// VerifyEach is Verify of interactions given one at a time (as contracts.Stream reads them), so a
// large pact is verified without holding all its interactions: each is verified, its result kept
// (results.Interaction, mismatch values bounded) and the interaction dropped. The error is
// Verify's, or the error of each itself (then the results hold what was verified before it).
func VerifyEach(ctx context.Context, cfg Config, each Interactions) (*results.Verification, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	v := &results.Verification{Interactions: []results.Interaction{}}
	err := each(func(p *contracts.Pact, in *contracts.Interaction) error {
		if cfg.Consumer != "" && p.Consumer != cfg.Consumer || !cfg.selected(in) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := cfg.verifyOne(ctx, p, in)
		v.Interactions = append(v.Interactions, r)
		if cfg.OnResult != nil {
			cfg.OnResult(r)
		}
		return err
	})
	summarize(v)
	return v, err
}

func (cfg *Config) selected(in *contracts.Interaction) bool {
	if cfg.Description != nil && !cfg.Description.MatchString(in.Description) {
		return false
	}
	if cfg.State != nil {
		for _, s := range in.ProviderStates {
			if cfg.State.MatchString(s.Name) {
				return true
			}
		}
		return false
	}
	return true
}

// verifyOne sets up the provider states, verifies the interaction and tears the states down. The
// error is non-nil only when the whole verification must stop (unreachable, cancelled).
func (cfg *Config) verifyOne(ctx context.Context, p *contracts.Pact, in *contracts.Interaction) (r results.Interaction, _ error) {
	start := time.Now()
	r = results.Interaction{
		Consumer: p.Consumer, Provider: p.Provider, Description: in.Description,
		Kind: kindName(in.Kind), Transport: transportOf(in), ProviderStates: in.StateNames(),
		Pending: in.Pending, Source: p.Source, InteractionID: in.ID,
	}
	r.Comments, r.TestName = comments(in)
	warnings := &warnings{}
	ctx = context.WithValue(ctx, warningsKey{}, warnings)
	ctx, sent := withSentRequest(ctx)
	defer func() { // r is the named result
		r.DurationMS = float64(time.Since(start).Microseconds()) / 1000
		r.Warnings = warnings.list()
		if r.Status != results.StatusPassed {
			// The request verifyHTTP sent, for the reports of a failure; not kept for a pass, so
			// memory does not grow by a request per verified interaction.
			r.Request = sent.req
		}
	}()

	verify, missing := cfg.route(in, r.Transport)
	if verify == nil {
		cfg.skipOrErr(&r, missing)
		return r, nil
	}
	verify, release, err := cfg.prepare(ctx, p, in, verify) // prepare.go: e.g. subscribe before the states are set up
	defer release()
	if errors.Is(err, ErrSkip) { // no route: nothing to verify, so no state to set up
		cfg.skipOrErr(&r, err)
		return r, nil
	}
	state, err := cfg.setUpPrepared(ctx, in, err)
	if err != nil {
		r.Status, r.Reason = results.StatusError, results.Cut(err.Error(), results.MaxMismatchValueBytes)
		return r, stopping(ctx, err)
	}
	mismatches, err := verify(ctx, p, in, state)
	if cfg.StateTeardown {
		if terr := cfg.tearDown(ctx, in); terr != nil && err == nil {
			err = terr
		}
	}
	switch {
	case errors.Is(err, ErrSkip):
		cfg.skipOrErr(&r, err)
		return r, nil
	case err != nil:
		r.Status, r.Reason = results.StatusError, results.Cut(err.Error(), results.MaxMismatchValueBytes)
		return r, stopping(ctx, err)
	case len(mismatches) > 0:
		// bounded: a result kept per interaction must not hold whole bodies
		for i := range mismatches {
			mismatches[i] = mismatches[i].Bounded()
		}
		r.Status, r.Mismatches = results.StatusFailed, mismatches
	default:
		r.Status = results.StatusPassed
	}
	return r, nil
}

// stopping returns err when it must stop the whole verification: an unreachable target or a
// cancelled run. Other errors only fail the interaction.
func stopping(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrAuth) {
		return err
	}
	return nil
}

type verifyFunc func(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error)

// route picks how to verify an interaction, or says which flag is missing.
func (cfg *Config) route(in *contracts.Interaction, transport string) (verifyFunc, *NoTargetError) {
	switch {
	case transport == "grpc":
		if cfg.GRPC == nil {
			return nil, &NoTargetError{Transport: "grpc", Reason: "gRPC interaction: no gRPC address given (--grpc-address)"}
		}
		return cfg.verifyGRPC, nil
	case in.Kind == contracts.KindHTTP:
		if cfg.HTTP == nil {
			return nil, &NoTargetError{Transport: "http", Reason: "HTTP interaction: no provider base URL given (--provider-base-url)"}
		}
		return cfg.verifyHTTP, nil
	default:
		if cfg.Messages == nil {
			nt := &NoTargetError{Transport: "message", Reason: "message interaction: no broker or message provider given (--kafka-brokers, --amqp-url or --message-provider-url)"}
			var md map[string]any
			switch {
			case in.Message != nil:
				md = in.Message.Metadata
			case in.SyncRequest != nil:
				md = in.SyncRequest.Metadata
			}
			if r, ok := routeFromMetadata(md, in.Transport, true, true); ok { // its broker, to skip it by transport
				nt.Transport = r.Broker
			}
			return nil, nt
		}
		return cfg.Messages.VerifyMessage, nil
	}
}

// skipOrErr reports an interaction that could not be verified for want of a target (err is
// ErrSkip, usually a *NoTargetError): skipped when the user skipped its transport explicitly
// (SkipTransports), else an error saying what to give or how to skip it.
func (cfg *Config) skipOrErr(r *results.Interaction, err error) {
	transport := "message"
	var nt *NoTargetError
	if errors.As(err, &nt) {
		transport = nt.Transport
	}
	for _, t := range cfg.SkipTransports {
		if t == transport || t == r.Transport || t == "message" && r.Kind != "http" && r.Transport != "grpc" {
			r.Status, r.Reason = results.StatusSkipped, fmt.Sprintf("%s (transport %s skipped)", err.Error(), transport)
			return
		}
	}
	r.Status = results.StatusError
	r.Reason = fmt.Sprintf("%s: not verified; give it, or skip these interactions explicitly (--skip-transport %s)", err.Error(), transport)
}

func kindName(k contracts.Kind) string {
	switch k {
	case contracts.KindHTTP:
		return "http"
	case contracts.KindAsynchronousMessage:
		return "message"
	case contracts.KindSynchronousMessage:
		return "sync-message"
	}
	return string(k)
}

// transportOf returns "http", "grpc" or "message": the V4 transport field when set, gRPC for an
// interaction configured by Pact's protobuf plugin with a service, else by kind.
func transportOf(in *contracts.Interaction) string {
	if in.Transport == "grpc" {
		return "grpc"
	}
	if pb, ok := in.PluginConfiguration["protobuf"].(map[string]any); ok && in.Kind == contracts.KindSynchronousMessage {
		if _, ok := pb["service"].(string); ok {
			return "grpc"
		}
	}
	if in.Transport != "" {
		return in.Transport
	}
	if in.Kind == contracts.KindHTTP {
		return "http"
	}
	return "message"
}

func summarize(v *results.Verification) {
	s := results.Summary{Total: len(v.Interactions)}
	for _, r := range v.Interactions {
		switch r.Status {
		case results.StatusPassed:
			s.Passed++
		case results.StatusSkipped:
			s.Skipped++
		case results.StatusFailed, results.StatusError:
			switch {
			case r.Pending:
				s.PendingFailed++
			case r.Status == results.StatusFailed:
				s.Failed++
			default:
				s.Errors++
			}
		}
	}
	v.Summary = s
}

// comments returns a V4 interaction's comments.text lines and comments.testname, which Pact's
// verifier prints with the interaction (pact-reference rust/pact_verifier/src/lib.rs,
// process_comments). Non-string entries are written as JSON.
func comments(in *contracts.Interaction) (text []string, testName string) {
	switch t := in.Comments["text"].(type) {
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				text = append(text, s)
			} else if b, err := json.Marshal(v); err == nil {
				text = append(text, string(b))
			}
		}
	case string:
		text = []string{t}
	}
	testName, _ = in.Comments["testname"].(string)
	return text, testName
}

// warnings collects an interaction's warnings; verifyOne puts one in the context.
type warnings struct {
	mu  sync.Mutex
	all []string
}

type warningsKey struct{}

func (w *warnings) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all = append(w.all, msg)
}

func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.all...)
}

// warn records a warning for the interaction being verified in ctx (none outside Verify).
func warn(ctx context.Context, msg string) {
	if w, ok := ctx.Value(warningsKey{}).(*warnings); ok {
		w.add(msg)
	}
}

// generatorContext is the generator context for an interaction: the provider state values, and
// a ProviderState generator naming a value they lack keeps the pact's example with a warning,
// as Pact's verifier does (pact-reference pact_matching::generate_request and
// generators::apply_generators_to_sync_message ignore a failed generate_value).
func generatorContext(ctx context.Context, state map[string]any) *generators.Context {
	return &generators.Context{ProviderState: state, Warn: func(msg string) { warn(ctx, msg) }}
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
