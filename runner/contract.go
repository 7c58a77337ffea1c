package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// Contract is one verification: pacts checked against the providers and brokers that serve
// them, as `commbench verify` and a scenario's contracts describe it.
type Contract struct {
	// Pacts are pact files (V1.1 to V4), directories of them or http(s) URLs (contracts.Load;
	// URL credentials from PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD via
	// Options.LookupEnv).
	Pacts []string
	// Consumer, when set, keeps the pacts of this consumer only; Description and State, when
	// set, keep the interactions whose description, or one of whose provider state names, they
	// match.
	Consumer    string
	Description *regexp.Regexp
	State       *regexp.Regexp

	// HTTP is the provider of HTTP interactions (driver rest), GRPC of gRPC interactions (driver
	// grpc); Kafka and AMQP are the brokers of message interactions. Nil: none, and the
	// interactions that need it are skipped.
	HTTP, GRPC, Kafka, AMQP *Endpoint
	// Proto are .proto files (compiled with ImportPaths) or one protoset giving descriptors for
	// gRPC interactions and Protobuf message contents whose pact carries none.
	Proto, ImportPaths []string

	// StateChangeURL receives a POST {"state", "params", "action": "setup"} per provider state
	// before each interaction (Pact's provider state change protocol); StateTeardown adds
	// "teardown" calls after it.
	StateChangeURL string
	StateTeardown  bool
	// Client makes state change, trigger and message provider calls (default: a client with a
	// 30 s timeout that trusts what the first endpoint with TLS trusts).
	Client *http.Client

	// Routes route message interactions whose metadata names no topic, exchange or queue, by
	// description; Triggers make the provider publish (POST to a URL) for the interactions whose
	// description they match; MessageProviderURL is Pact's HTTP message mode endpoint for the
	// message interactions with no broker route. MessageTimeout bounds the wait for a message
	// or a reply (default verifier.DefaultMessageTimeout).
	Routes             []verifier.RouteRule
	Triggers           []verifier.TriggerRule
	MessageProviderURL string
	MessageTimeout     time.Duration
	// Avro decodes Avro message contents; Registry decodes Confluent-framed contents by schema
	// id. Both may be nil.
	Avro     *avro.Codec
	Registry *confluent.Registry

	// Broker, when set, adds the pacts a Pact Broker selects (verified after Pacts) and may
	// publish their results.
	Broker *Broker

	// Hooks are in-process stand-ins for URLs, for Go tests (like pact-go's VerifyRequest):
	// StateHandlers instead of StateChangeURL (setup and teardown calls), MessageProducers
	// instead of MessageProviderURL, and a RequestFilter applied to every HTTP request just
	// before it is sent (e.g. to set a fresh token). See verifier.Hooks.
	Hooks verifier.Hooks
	// The HTTP endpoint's Target.Headers (--header) replace a header of the same name recorded
	// in the pact, on every HTTP request, as Pact's custom headers do. SetHeadersIfPresent set
	// a header's value only on the HTTP requests that carry it (verifier.SetHeaderIfPresent).
	SetHeadersIfPresent map[string]string
	// SkipTransports are transports whose interactions are not verified (verifier.Config); an
	// interaction whose transport has no target errs unless skipped here. An Endpoint skipped
	// because its optional target did not answer skips its transport too.
	SkipTransports []string
	// MessageFirstMatch passes an asynchronous message on the first matching message
	// (verifier.MessageConfig.FirstMatch); by default every message received must match.
	MessageFirstMatch bool
}

// Endpoint is a provider or broker a contract is verified against.
type Endpoint struct {
	// Target is where it is and how to reach it: address, credentials, headers, TLS, timeouts,
	// driver options, with its ${VAR} references already expanded (scenario.Target.ExpandEnv).
	// The driver is the one of the Contract field it is in; Name, when set, names it in errors
	// ("target NAME (DRIVER ADDRESS)"; default "provider ADDRESS", "gRPC provider ADDRESS",
	// "Kafka brokers ADDRESS" or "AMQP broker ADDRESS", credentials removed).
	scenario.Target
	// Skipped, when not empty, is why the endpoint is not opened (an optional scenario target that
	// did not answer): the interactions that need it are skipped with this reason.
	Skipped string
}

// Verify verifies one contract and returns its results (command "verify", the pacts as
// configuration). Bad input (an unreadable pact or proto, a rejected option) is returned as an
// error wrapping ErrInvalid with nil results; an endpoint that does not answer wraps
// ErrUnavailable. When the verification stops midway (a provider stops answering, ctx is
// cancelled) the partial results come with an error wrapping ErrUnavailable.
func Verify(ctx context.Context, c Contract, o Options) (*results.File, error) {
	started := time.Now()
	file := o.newFile("verify", started, c.echo())
	v, err := verify(ctx, c, o)
	if v == nil {
		return nil, err
	}
	if err != nil && !isClassified(err) {
		err = exitcode.Unavailablef("verification stopped: %w", err)
	}
	file.Verification = v
	o.stopped(file, nil, err, ctx.Err() != nil)
	return file, err
}

// verify loads c's pacts, opens its endpoints and verifies every interaction (verifier.Verify).
// Errors before the verification starts carry their classification and come with nil results;
// the verifier's own error (a provider stopped answering, ctx cancelled) comes unclassified with
// the partial results.
func verify(ctx context.Context, c Contract, o Options) (*results.Verification, error) {
	if err := checkTransports("skip transports", c.SkipTransports); err != nil {
		return nil, err
	}
	if c.HTTP == nil && c.GRPC == nil && c.Kafka == nil && c.AMQP == nil && c.MessageProviderURL == "" && len(c.Hooks.MessageProducers) == 0 {
		return nil, exitcode.Usagef("nothing to verify with: give the provider or broker of the interactions (--provider-base-url, --grpc-address, --kafka-brokers, --amqp-url, --message-provider-url or message producers)")
	}
	// Pacts are streamed (contracts.Stream): one interaction in memory at a time, so a large pact
	// costs its results, not its model. A missing file is said before any endpoint is opened.
	for _, src := range c.Pacts {
		if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
			if _, err := os.Stat(src); err != nil {
				return nil, exitcode.Usagef("load pact %s: %w", src, err)
			}
		}
	}
	each := func(yield func(*contracts.Pact, *contracts.Interaction) error) error {
		for _, src := range c.Pacts {
			err := contracts.Stream(ctx, src, contracts.LoadOptions{Getenv: o.getenv}, func(p *contracts.Pact, in *contracts.Interaction) error {
				if err := yield(p, in); err != nil {
					return verifyStop{err}
				}
				return nil
			})
			var stop verifyStop
			if errors.As(err, &stop) {
				return stop.err
			}
			if err != nil && ctx.Err() == nil {
				return pactError{err}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if c.Client == nil {
		client, err := defaultClient(c)
		if err != nil {
			return nil, err
		}
		c.Client = client
	}
	var client *broker.Client
	var fetched []*broker.Pact
	if c.Broker != nil {
		var err error
		if client, fetched, err = fetchBroker(ctx, c, o); err != nil {
			return nil, err
		}
	}
	cfg := verifier.Config{Consumer: c.Consumer, Description: c.Description, State: c.State,
		StateChangeURL: c.StateChangeURL, StateTeardown: c.StateTeardown, Client: c.Client,
		SkipTransports: append([]string(nil), c.SkipTransports...)}
	for _, e := range []struct {
		e         *Endpoint
		transport string
	}{{c.HTTP, "http"}, {c.GRPC, "grpc"}, {c.Kafka, "kafka"}, {c.AMQP, "amqp"}} {
		if e.e != nil && e.e.Skipped != "" { // an optional target that did not answer: skipped on purpose
			cfg.SkipTransports = append(cfg.SkipTransports, e.transport)
		}
	}
	httpHeaders(&cfg, c)
	if len(c.Proto) > 0 {
		files, err := protobuf.LoadSchema(ctx, formats.Options{Schema: c.Proto[0], SchemaFiles: c.Proto[1:], ImportPaths: c.ImportPaths})
		if err != nil {
			return nil, exitcode.Usagef("proto %s: %w", strings.Join(c.Proto, ", "), err)
		}
		cfg.GRPCFiles = files
	}
	conns := connections{lookupEnv: o.lookupEnv()}
	defer conns.close()
	if conn, err := conns.open(ctx, c.HTTP, "rest", "provider"); err != nil {
		return nil, err
	} else if conn != nil {
		cfg.HTTP = conn.(drivers.Requester)
	}
	if conn, err := conns.open(ctx, c.GRPC, "grpc", "gRPC provider"); err != nil {
		return nil, err
	} else if conn != nil {
		cfg.GRPC = conn.(drivers.Requester)
	}
	mc := verifier.MessageConfig{Routes: c.Routes, Triggers: c.Triggers, ProviderURL: c.MessageProviderURL,
		Timeout: c.MessageTimeout, Client: c.Client, ProtoFiles: cfg.GRPCFiles, Avro: c.Avro, Registry: c.Registry,
		FirstMatch: c.MessageFirstMatch}
	for _, b := range []struct {
		e          *Endpoint
		driver, as string
		dst        *verifier.BrokerConn
	}{{c.Kafka, "kafka", "Kafka brokers", &mc.Kafka}, {c.AMQP, "amqp", "AMQP broker", &mc.AMQP}} {
		conn, err := conns.open(ctx, b.e, b.driver, b.as)
		if err != nil {
			return nil, err
		}
		if conn != nil {
			bc, ok := conn.(verifier.BrokerConn)
			if !ok {
				return nil, exitcode.Usagef("%s: the %s driver cannot subscribe and request", endpointName(b.e, b.driver, b.as), b.driver)
			}
			*b.dst = bc
		}
	}
	if err := c.Hooks.Install(&cfg, &mc); err != nil {
		return nil, exitcode.Usagef("%w", err)
	}
	if mc.Kafka != nil || mc.AMQP != nil || mc.ProviderURL != "" || c.Kafka != nil || c.AMQP != nil {
		// a declared broker that was skipped still routes its interactions, to skip them by transport
		cfg.Messages = verifier.NewMessages(mc)
	}
	// Interactions skipped for want of a connection are, here, skipped because an optional target
	// did not answer: say so, with how to start it, rather than name a missing flag.
	reason := strings.Join(conns.skipped, "; ")
	explain := func(r *results.Interaction) {
		if reason != "" && r.Status == results.StatusSkipped {
			r.Reason = reason
		}
	}
	cfg.OnResult = func(r results.Interaction) {
		explain(&r)
		if o.Progress.Interaction != nil {
			o.Progress.Interaction(r)
		}
	}
	v, err := verifier.VerifyEach(ctx, cfg, each)
	var bad pactError
	if errors.As(err, &bad) { // an unreadable pact is bad input, whatever was verified before it
		return nil, exitcode.Usagef("%w", bad.err)
	}
	if err == nil && client != nil {
		v, err = verifyBroker(ctx, client, fetched, c, cfg, v, o)
	}
	if v != nil {
		for i := range v.Interactions {
			explain(&v.Interactions[i])
		}
	}
	return v, err
}

// defaultClient is the client of c's state change, trigger and message provider calls: a 30 s
// timeout, and the TLS settings of the first of its endpoints that uses TLS (HTTP, gRPC, Kafka,
// AMQP), so those calls trust what the provider connection trusts.
func defaultClient(c Contract) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	for _, e := range []*Endpoint{c.HTTP, c.GRPC, c.Kafka, c.AMQP} {
		if e != nil && e.TLS.Enabled {
			tlsCfg, err := e.TLS.Config()
			if err != nil {
				return nil, exitcode.Usagef("TLS: %w", err)
			}
			transport.TLSClientConfig = tlsCfg
			break
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: transport}, nil
}

// httpHeaders sets the verifier's header handling for HTTP interactions: the HTTP endpoint's
// headers (--header, the target's headers, already expanded) replace the pact's headers of the
// same name, and SetHeadersIfPresent (values taken as given: expanded by the caller, as the
// scenario's are) becomes the request filter.
func httpHeaders(cfg *verifier.Config, c Contract) {
	if c.HTTP != nil && c.HTTP.Skipped == "" && len(c.HTTP.Headers) > 0 {
		cfg.Headers = maps.Clone(c.HTTP.Headers)
	}
	var filters []verifier.RequestFilter
	for _, name := range slices.Sorted(maps.Keys(c.SetHeadersIfPresent)) {
		filters = append(filters, verifier.SetHeaderIfPresent(name, c.SetHeadersIfPresent[name]))
	}
	cfg.RequestFilter = verifier.ChainRequestFilters(filters...)
}

// connections opens a contract's endpoints and closes them all at the end.
type connections struct {
	lookupEnv func(string) (string, bool)
	closers   []func() error
	skipped   []string
}

// open opens e with driver (nil, nil when e is nil or skipped: its reason is kept); as is the
// default name of e in errors.
func (cs *connections) open(ctx context.Context, e *Endpoint, driver, as string) (drivers.Conn, error) {
	if e == nil {
		return nil, nil
	}
	if e.Skipped != "" {
		cs.skipped = append(cs.skipped, e.Skipped)
		return nil, nil
	}
	conn, err := openDriver(ctx, driver, driverTarget(e.Target, cs.lookupEnv), endpointName(e, driver, as))
	if err != nil {
		return nil, err
	}
	cs.closers = append(cs.closers, conn.Close)
	return conn, nil
}

func (cs *connections) close() {
	for _, c := range cs.closers {
		_ = c()
	}
}

func endpointName(e *Endpoint, driver, as string) string {
	if e.Name != "" {
		return fmt.Sprintf("target %s (%s %s)", e.Name, driver, scenario.RedactURL(e.Address))
	}
	return as + " " + scenario.RedactURL(e.Address)
}

// contract is scenario contract c (its ${VAR} references expanded) against the plan's targets.
func (p *Plan) contract(c scenario.Contract) (Contract, error) {
	out := Contract{Pacts: c.Pacts, Consumer: c.Consumer, StateChangeURL: c.StateChangeURL, StateTeardown: c.StateTeardown,
		MessageTimeout: c.MessageTimeout.Std(), Hooks: p.opts.Hooks, SetHeadersIfPresent: c.SetHeadersIfPresent,
		SkipTransports: c.SkipTransports, MessageFirstMatch: c.MessageFirstMatch}
	if err := checkTransports("skip_transports", c.SkipTransports); err != nil {
		return out, err
	}
	var err error
	if out.Broker, err = brokerOf(c.Broker, "broker"); err != nil {
		return out, err
	}
	if out.Description, err = optionalRegexp("description", c.Description); err != nil {
		return out, err
	}
	if out.State, err = optionalRegexp("state", c.State); err != nil {
		return out, err
	}
	endpoint := func(name string) *Endpoint {
		t := p.targets[name]
		if t == nil {
			return nil
		}
		return &Endpoint{Target: t.Target, Skipped: t.Skipped}
	}
	out.HTTP, out.GRPC, out.Kafka, out.AMQP = endpoint(c.HTTP), endpoint(c.GRPC), endpoint(c.Kafka), endpoint(c.AMQP)
	if t := p.targets[c.GRPC]; t != nil {
		out.Proto, out.ImportPaths = t.Proto, t.ImportPaths
	}
	for _, r := range c.MessageRoutes {
		rule, err := verifier.ParseRouteRule(r)
		if err != nil {
			return out, exitcode.Usagef("message route %q: %w", r, err)
		}
		out.Routes = append(out.Routes, rule)
	}
	return out, nil
}

// Transports are the names SkipTransports takes.
var Transports = []string{"http", "grpc", "kafka", "amqp", "message"}

// checkTransports checks transport names (field names them in the error).
func checkTransports(field string, names []string) error {
	for _, n := range names {
		if !slices.Contains(Transports, n) {
			return exitcode.Usagef("%s: unknown transport %q: want one of %s", field, n, strings.Join(Transports, ", "))
		}
	}
	return nil
}

// optionalRegexp compiles s (nil when empty); field names it in the error.
func optionalRegexp(field, s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, exitcode.Usagef("%s: invalid regular expression: %w", field, err)
	}
	return re, nil
}

// isClassified reports whether err already says whether it is bad input or an unavailable run.
func isClassified(err error) bool {
	var e *exitcode.Error
	return errors.As(err, &e)
}

// pactError is a pact that could not be read (bad input), told from the verification's errors.
type pactError struct{ err error }

func (e pactError) Error() string { return e.err.Error() }
func (e pactError) Unwrap() error { return e.err }

// verifyStop carries the verification's own error (unreachable, cancelled) through
// contracts.Stream, told from the pact's errors.
type verifyStop struct{ err error }

func (e verifyStop) Error() string { return e.err.Error() }
func (e verifyStop) Unwrap() error { return e.err }
