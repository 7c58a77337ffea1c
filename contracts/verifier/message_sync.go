package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// verifySync verifies a synchronous message interaction as request/reply over its broker route
// (or through HTTP message mode): the request, with its generators applied, is sent with a
// correlation id and the reply is matched with the first expected response. No reply within the
// timeout fails the interaction.
func (m *Messages) verifySync(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, state map[string]any) ([]results.Mismatch, error) {
	if in.SyncRequest == nil || len(in.SyncResponses) == 0 {
		return nil, fmt.Errorf("synchronous message interaction %q has no request or response", in.Description)
	}
	req, err := in.SyncRequest.Generate(generatorContext(ctx, state))
	if err != nil {
		return nil, fmt.Errorf("apply request generators: %w", err)
	}
	t, err := m.resolve(in, req.Metadata)
	if err != nil {
		return nil, err
	}
	expected := in.SyncResponses[0]
	if t.conn == nil {
		return m.verifyHTTPMessage(ctx, p, in, expected)
	}
	if err := m.trigger(ctx, in); err != nil {
		return nil, err
	}
	msg := requestMessage(t.route, req)
	rctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	resp, err := t.conn.Request(rctx, msg)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			if aerr := m.alive(ctx, t); aerr != nil {
				return nil, aerr
			}
			return []results.Mismatch{{Category: "message", Path: t.route.String(), Expected: "a reply", Actual: "none",
				Message: fmt.Sprintf("no reply to the request on %s within %s", t.route, m.cfg.Timeout)}}, nil
		}
		return nil, m.brokerError(ctx, t, "request on "+t.route.String(), err)
	}
	replyRoute := t.route
	if t.route.Broker == BrokerKafka && resp.Properties["topic"] != "" {
		replyRoute.Name = resp.Properties["topic"]
	}
	return m.match(ctx, p, in, expected, resp, receivedMetadata(replyRoute, resp))
}

// requestMessage builds the request of a synchronous message: contents and content type, the
// metadata as headers (but the route keys and contentType), the Kafka reply topic from
// kafka_replyTopic or replyTopic metadata. An AMQP queue route is published to the default
// exchange.
func requestMessage(r Route, req *contracts.Message) *drivers.Message {
	msg := &drivers.Message{Route: r.Name, Body: req.Contents.Content, ContentType: req.Contents.ContentType,
		Headers: map[string][]string{}, Properties: map[string]string{}}
	if q, ok := strings.CutPrefix(r.Name, "queue:"); ok {
		msg.Route = "/" + q
	}
	for k, v := range req.Metadata {
		switch strings.ToLower(k) {
		case "contenttype", "content-type", "kafka_topic", "topic", "exchange", "routingkey", "routing_key", "queue", "destination":
			continue
		case "kafka_replytopic", "replytopic":
			if s, ok := v.(string); ok && r.Broker == BrokerKafka {
				msg.Properties["reply_topic"] = s
			}
		case "kafka_messagekey", "key":
			if s, ok := v.(string); ok && r.Broker == BrokerKafka {
				msg.Key = []byte(s)
				continue
			}
		}
		switch x := v.(type) {
		case string:
			msg.Headers[k] = []string{x}
		case []any:
			for _, e := range x {
				msg.Headers[k] = append(msg.Headers[k], fmt.Sprint(e))
			}
		default:
			msg.Headers[k] = []string{fmt.Sprint(x)}
		}
	}
	return msg
}
