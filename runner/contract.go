package runner

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts"
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
	// 30 s timeout).
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
}

// Endpoint is a provider or broker a contract is verified against.
type Endpoint struct {
	// Target is the driver's target; its ${NAME} references are resolved with Target.LookupEnv
	// (default Options.LookupEnv).
	drivers.Target
	// Name names the endpoint in errors (default: "provider ADDRESS", "gRPC provider ADDRESS",
	// "Kafka brokers ADDRESS" or "AMQP broker ADDRESS", credentials removed).
	Name string
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
	file := o.newFile("verify", started, map[string]any{"pacts": c.Pacts})
	v, err := verify(ctx, c, o)
	if v == nil {
		return nil, err
	}
	if err != nil && !isClassified(err) {
		err = exitcode.Unavailablef("verification stopped: %w", err)
	}
	file.Verification = v
	o.stopped(file, nil, err)
	return file, err
}

// verify loads c's pacts, opens its endpoints and verifies every interaction (verifier.Verify).
// Errors before the verification starts carry their classification and come with nil results;
// the verifier's own error (a provider stopped answering, ctx cancelled) comes unclassified with
// the partial results.
func verify(ctx context.Context, c Contract, o Options) (*results.Verification, error) {
	var pacts []*contracts.Pact
	for _, src := range c.Pacts {
		ps, err := contracts.Load(ctx, src, contracts.LoadOptions{Getenv: o.getenv, Lean: true})
		if err != nil {
			return nil, exitcode.Usagef("%w", err)
		}
		pacts = append(pacts, ps...)
	}
	cfg := verifier.Config{Consumer: c.Consumer, Description: c.Description, State: c.State,
		StateChangeURL: c.StateChangeURL, StateTeardown: c.StateTeardown, Client: c.Client}
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
		Timeout: c.MessageTimeout, Client: c.Client, ProtoFiles: cfg.GRPCFiles, Avro: c.Avro, Registry: c.Registry}
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
				return nil, exitcode.Usagef("%s: the %s driver cannot subscribe and request", endpointName(b.e, b.as), b.driver)
			}
			*b.dst = bc
		}
	}
	if mc.Kafka != nil || mc.AMQP != nil || mc.ProviderURL != "" {
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
	v, err := verifier.Verify(ctx, cfg, pacts)
	if v != nil {
		for i := range v.Interactions {
			explain(&v.Interactions[i])
		}
	}
	return v, err
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
	t := e.Target
	if t.LookupEnv == nil {
		t.LookupEnv = cs.lookupEnv
	}
	conn, err := openDriver(ctx, driver, t, endpointName(e, as))
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

func endpointName(e *Endpoint, as string) string {
	if e.Name != "" {
		return e.Name
	}
	return as + " " + scenario.RedactURL(e.Address)
}

// contract is scenario contract c (its ${VAR} references expanded) against the plan's targets.
func (p *Plan) contract(c scenario.Contract) (Contract, error) {
	out := Contract{Pacts: c.Pacts, Consumer: c.Consumer, StateChangeURL: c.StateChangeURL, StateTeardown: c.StateTeardown,
		MessageTimeout: c.MessageTimeout.Std()}
	var err error
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
		return &Endpoint{Target: driverTarget(t.Target, p.opts.lookupEnv()), Name: targetName(t.Target), Skipped: t.Skipped}
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
