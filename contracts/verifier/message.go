package verifier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/results"
)

// BrokerConn is what message verification needs of a broker connection (drivers/kafka and
// drivers/amqp connections): subscribing for asynchronous messages, request/reply for
// synchronous ones.
type BrokerConn interface {
	drivers.Subscriber
	drivers.Requester
}

// DefaultMessageTimeout bounds the wait for a message or a reply when MessageConfig.Timeout is 0.
const DefaultMessageTimeout = 10 * time.Second

// DefaultMessageSettle is MessageConfig.Settle's default: after a matching message, the route is
// read this long for more messages of the interaction.
const DefaultMessageSettle = 300 * time.Millisecond

// MessageConfig says how message interactions reach the provider.
type MessageConfig struct {
	// Kafka and AMQP are open broker connections; nil means not given (--kafka-brokers, --amqp-url).
	Kafka, AMQP BrokerConn
	// Routes route interactions whose metadata names no topic, exchange or queue, by description
	// (--message-route, --message-routes); the first matching rule wins.
	Routes []RouteRule
	// Triggers are POSTed {"description", "providerStates"} to make the provider publish, for the
	// interactions whose description they match (--trigger-url); the first matching rule wins.
	Triggers []TriggerRule
	// ProviderURL is Pact's HTTP message mode endpoint (--message-provider-url), used for the
	// interactions that have no broker route.
	ProviderURL string
	// Timeout bounds the wait for a matching message or a reply (default DefaultMessageTimeout).
	Timeout time.Duration
	// FirstMatch relaxes the check of asynchronous messages on a broker: the first matching
	// message passes, whatever else arrives (--message-first-match). By default every message
	// received on the route while the interaction is verified must match.
	FirstMatch bool
	// Settle is how long, once a message matched, the route is still read for more messages of
	// the interaction, each of which must match too (default DefaultMessageSettle).
	Settle time.Duration
	// Client makes trigger and HTTP message mode calls (default: a client with a 30 s timeout).
	Client *http.Client
	// ProtoFiles are descriptors for Protobuf contents when the pact carries none (--proto).
	ProtoFiles *protoregistry.Files
	// Avro decodes Avro contents (--avro-schema); Registry decodes Confluent-framed Avro and
	// Protobuf contents by schema id (--schema-registry). Both may be nil.
	Avro     *avro.Codec
	Registry *confluent.Registry
}

// Messages verifies message interactions against what the provider really publishes on a broker,
// or through Pact's HTTP message mode. It implements MessageVerifier and Preparer.
//
// Asynchronous messages: the route comes from the message metadata (kafka_topic or topic;
// exchange and routingKey; queue; destination) or from the first route rule matching the
// description. Prepare subscribes before the provider states are set up (Kafka: all partitions
// from their end offsets; AMQP: an exclusive temporary queue bound to the exchange with the
// routing key), so a provider that publishes on state setup is seen; Verify then POSTs the
// trigger URL if one matches and waits up to Timeout for a message whose contents (decoded by
// content type: JSON, Avro, Protobuf, Confluent framing) and metadata (Kafka key, topic and
// headers; AMQP properties and headers) match. Every message received on the route from the
// subscription until Settle after the last matching one must match: the first that does not
// fails the interaction with its mismatches, so a producer that breaks the contract one time in
// three does not pass. With MessageConfig.FirstMatch the first match passes and the others are
// ignored. On timeout the interaction fails with the mismatches of the closest message (fewest
// mismatches), or "no message on ROUTE within T".
//
// Synchronous messages are request/reply: AMQP with reply-to (RabbitMQ direct reply-to) and a
// correlation id, Kafka with the kafka_replyTopic and kafka_correlationId headers (Spring Kafka's
// ReplyingKafkaTemplate); the reply is matched with the first expected response.
//
// Errors: a *NoTargetError (which is ErrSkip) when an interaction has no route or its broker was
// not given; an
// error wrapping drivers.ErrUnreachable when a broker or the provider stops answering (the
// broker closed the connection, or no longer answers a ping after a wait timed out).
type Messages struct {
	cfg MessageConfig
}

// NewMessages returns a message verifier for cfg, with defaults applied.
func NewMessages(cfg MessageConfig) *Messages {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultMessageTimeout
	}
	if cfg.Settle <= 0 {
		cfg.Settle = DefaultMessageSettle
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Messages{cfg: cfg}
}

// target is where an interaction's message is verified: a broker route, or HTTP message mode
// (conn nil).
type target struct {
	route Route
	conn  BrokerConn
}

// resolve finds the target of in, whose (request) message has metadata md.
func (m *Messages) resolve(in *contracts.Interaction, md map[string]any) (target, error) {
	r, ok := routeFromMetadata(md, in.Transport, m.cfg.Kafka != nil, m.cfg.AMQP != nil)
	if !ok {
		for _, rule := range m.cfg.Routes {
			if rule.Pattern.MatchString(in.Description) {
				r, ok = rule.Route, true
				break
			}
		}
	}
	if !ok {
		if m.cfg.ProviderURL != "" {
			return target{}, nil
		}
		return target{}, &NoTargetError{Transport: "message",
			Reason: fmt.Sprintf("message interaction %q: its metadata names no topic, exchange or queue and no --message-route matches its description", in.Description)}
	}
	conn, flag := m.cfg.Kafka, "--kafka-brokers"
	if r.Broker == BrokerAMQP {
		conn, flag = m.cfg.AMQP, "--amqp-url"
	}
	if conn == nil {
		if m.cfg.ProviderURL != "" {
			return target{}, nil
		}
		return target{}, &NoTargetError{Transport: r.Broker,
			Reason: fmt.Sprintf("message interaction %q is routed to %s but no %s was given", in.Description, r, flag)}
	}
	return target{route: r, conn: conn}, nil
}

// VerifyMessage verifies one message interaction (see Messages). An asynchronous message not
// prepared by Prepare is subscribed to now, before the trigger URL is called.
func (m *Messages) VerifyMessage(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error) {
	switch in.Kind {
	case contracts.KindAsynchronousMessage:
		pr, err := m.Prepare(ctx, p, in)
		if err != nil {
			return nil, err
		}
		if pr == nil {
			return m.verifyHTTPMessage(ctx, p, in, in.Message)
		}
		defer pr.Close()
		return pr.Verify(ctx, state)
	case contracts.KindSynchronousMessage:
		return m.verifySync(ctx, p, in, state)
	}
	return nil, fmt.Errorf("%w: interaction %q of kind %s is not a message", ErrSkip, in.Description, in.Kind)
}

// Prepare subscribes to the route of an asynchronous message interaction before its provider
// states are set up (see Preparer). It returns nil, nil for synchronous messages and for HTTP
// message mode, which need nothing before the states.
func (m *Messages) Prepare(ctx context.Context, p *contracts.Pact, in *contracts.Interaction) (Prepared, error) {
	if in.Kind != contracts.KindAsynchronousMessage {
		return nil, nil
	}
	if in.Message == nil {
		return nil, fmt.Errorf("message interaction %q has no contents", in.Description)
	}
	t, err := m.resolve(in, in.Message.Metadata)
	if err != nil || t.conn == nil {
		return nil, err
	}
	w := &watch{m: m, p: p, in: in, route: t.route, conn: t.conn, got: make(chan *drivers.Message, watchBuffer)}
	sub, err := t.conn.Subscribe(ctx, drivers.Subscription{Route: t.route.Name, From: "end", AutoAck: true}, w.receive)
	if err != nil {
		return nil, m.brokerError(ctx, t, "subscribe to "+t.route.String(), err)
	}
	w.sub = sub
	return w, nil
}

// watchBuffer bounds the messages kept while waiting for a match; later ones are counted only.
const watchBuffer = 1024

// watch is a subscription waiting for an interaction's message.
type watch struct {
	m        *Messages
	p        *contracts.Pact
	in       *contracts.Interaction
	route    Route
	conn     BrokerConn
	sub      drivers.Subscribed
	got      chan *drivers.Message
	dropped  atomic.Int64
	closed   atomic.Bool
	closeErr error
}

func (w *watch) receive(msg *drivers.Message) error {
	select {
	case w.got <- msg:
	default:
		w.dropped.Add(1)
	}
	return nil
}

// Verify triggers the provider and waits for a matching message, then (unless FirstMatch)
// checks every further message received within Settle of the last match.
func (w *watch) Verify(ctx context.Context, _ map[string]any) ([]results.Mismatch, error) {
	if err := w.m.trigger(ctx, w.in); err != nil {
		return nil, err
	}
	timer := time.NewTimer(w.m.cfg.Timeout)
	defer timer.Stop()
	var settle <-chan time.Time
	var closest []results.Mismatch
	seen, matched := 0, 0
	for {
		select {
		case msg := <-w.got:
			seen++
			mis, err := w.m.match(ctx, w.p, w.in, w.in.Message, msg, receivedMetadata(w.route, msg))
			if err != nil {
				return nil, err
			}
			if len(mis) == 0 {
				matched++
				if w.m.cfg.FirstMatch {
					return nil, nil
				}
				settle = time.After(w.m.cfg.Settle)
				continue
			}
			if !w.m.cfg.FirstMatch {
				note := fmt.Sprintf("message %d received on %s while verifying does not match (%d before it did); every message must match (--message-first-match relaxes this)", seen, w.route, matched)
				return append([]results.Mismatch{{Category: "message", Path: w.route.String(), Message: note}}, mis...), nil
			}
			if closest == nil || len(mis) < len(closest) {
				closest = mis
			}
		case <-settle:
			if d := w.dropped.Load(); d > 0 {
				return []results.Mismatch{{Category: "message", Path: w.route.String(),
					Message: fmt.Sprintf("%d message(s) on %s were not examined (more than %d waiting): every message must match", d, w.route, watchBuffer)}}, nil
			}
			return nil, nil
		case <-timer.C:
			if matched > 0 {
				return nil, nil
			}
			return w.timedOut(ctx, seen, closest)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// timedOut reports the wait's failure: a broker that went away is an error (the run stops),
// else the interaction fails with the closest message's mismatches or "no message".
func (w *watch) timedOut(ctx context.Context, seen int, closest []results.Mismatch) ([]results.Mismatch, error) {
	if err := w.Close(); err != nil {
		// The driver says whether the connection went (drivers.ErrUnreachable: the run stops) or
		// only the subscription's channel was closed (this interaction errs).
		return nil, fmt.Errorf("%s: %w", w.route, err)
	}
	if err := w.m.alive(ctx, target{route: w.route, conn: w.conn}); err != nil {
		return nil, err
	}
	within := w.m.cfg.Timeout.String()
	if seen == 0 {
		return []results.Mismatch{{Category: "message", Path: w.route.String(), Expected: "a message", Actual: "none",
			Message: fmt.Sprintf("no message on %s within %s", w.route, within)}}, nil
	}
	note := fmt.Sprintf("%d message(s) on %s within %s, none matched; the closest differs as follows", seen, w.route, within)
	if d := w.dropped.Load(); d > 0 {
		note += fmt.Sprintf(" (%d more not examined)", d)
	}
	return append([]results.Mismatch{{Category: "message", Path: w.route.String(), Message: note}}, closest...), nil
}

// Close stops the subscription once; it returns the broker's closure cause, if any.
func (w *watch) Close() error {
	if w.closed.Swap(true) {
		return w.closeErr
	}
	w.closeErr = w.sub.Close()
	return w.closeErr
}

// alive checks, after a wait timed out, that the broker still answers: a Kafka cluster must
// answer a metadata request within 2 s. It returns an error wrapping drivers.ErrUnreachable.
func (m *Messages) alive(ctx context.Context, t target) error {
	kc, ok := t.conn.(interface{ Client() *kgo.Client })
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := kc.Client().Ping(ctx); err != nil {
		return fmt.Errorf("%w: %s: the broker stopped answering: %w", drivers.ErrUnreachable, t.route, err)
	}
	return nil
}

// brokerError classifies an error from a broker operation: unreachable and refused stay as they
// are (drivers report a connection lost mid-run, closed by the broker or the network, as
// drivers.ErrUnreachable); a connection reset or broken pipe becomes unreachable; others (a
// missing topic or exchange) fail only the interaction, unless the broker no longer answers.
func (m *Messages) brokerError(ctx context.Context, t target, what string, err error) error {
	if errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrAuth) || ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, drivers.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("%w: %s: %w", drivers.ErrUnreachable, what, err)
	}
	if aerr := m.alive(ctx, t); aerr != nil {
		return aerr
	}
	return fmt.Errorf("%s: %w", what, err)
}
