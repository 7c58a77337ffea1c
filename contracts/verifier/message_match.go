package verifier

import (
	"context"
	"fmt"
	"mime"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/results"
)

// match compares a received message (got, with its metadata meta) with the expected message of
// interaction in: contents decoded by content type, then metadata. The content type is the
// message's, else the contract's. When the message carries no content type at all (a Kafka
// record without a content-type header) the contract's contentType metadata is not compared:
// the contents check already fails when the bytes are not of that type. The error is non-nil
// only when the contract itself cannot be read (e.g. no Protobuf descriptors).
func (m *Messages) match(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, expected *contracts.Message, got *drivers.Message, meta map[string]any) ([]results.Mismatch, error) {
	ct := got.ContentType
	want := *expected
	if ct == "" {
		ct = expected.Contents.ContentType
		want.Metadata = withoutContentType(expected.Metadata)
	}
	var out []results.Mismatch
	switch format := binaryFormat(ct, expected); format {
	case "":
		out = contracts.MatchBody(&want.Contents, ptr(contracts.NewBody(got.Body, ct)), want.Rules.Get("body"), true)
	default:
		mis, err := m.matchDecoded(ctx, p, in, &want, format, ct, got.Body)
		if err != nil {
			return nil, err
		}
		out = mis
	}
	return append(out, contracts.MatchMetadata(&want, meta)...), nil
}

func ptr[T any](v T) *T { return &v }

func withoutContentType(md map[string]any) map[string]any {
	out := make(map[string]any, len(md))
	for k, v := range md {
		if !strings.EqualFold(k, "contentType") && !strings.EqualFold(k, "content-type") {
			out[k] = v
		}
	}
	return out
}

// binaryFormat returns "protobuf" or "avro" for contents of those types (by the content type,
// else by the interaction's Pact plugin configuration), "" for contents matched as they are
// (JSON, XML, text, binary).
func binaryFormat(ct string, expected *contracts.Message) string {
	base, _, _ := mime.ParseMediaType(ct)
	if base == "" {
		base = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	switch {
	case base == "application/protobuf" || base == "application/x-protobuf" || base == "application/vnd.google.protobuf":
		return "protobuf"
	case base == "application/avro" || base == "avro/binary" || base == "application/vnd.apache.avro+binary" || strings.HasSuffix(base, "+avro"):
		return "avro"
	}
	return ""
}

// matchDecoded decodes an Avro or Protobuf message and matches it with the body rules. The
// expected value is the contract's JSON contents, or its binary contents decoded the same way.
func (m *Messages) matchDecoded(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, want *contracts.Message, format, ct string, body []byte) ([]results.Mismatch, error) {
	var dec func(b []byte, expected bool) (any, error)
	switch format {
	case "protobuf":
		md, err := m.protoMessage(p, in, ct, want)
		if err != nil {
			return nil, err
		}
		dec = func(b []byte, expected bool) (any, error) {
			if len(b) > 0 && b[0] == 0 { // field number 0 is invalid: Confluent framing
				_, _, payload, err := confluent.Split(b, true)
				if err != nil {
					return nil, err
				}
				b = payload
			}
			if expected {
				return decodePresent(md, b)
			}
			return decode(md, b)
		}
	default:
		dec = func(b []byte, _ bool) (any, error) { return m.decodeAvro(ctx, b) }
	}
	var wantValue any
	if !want.Contents.IsJSON() {
		v, err := dec(want.Contents.Content, true)
		if err != nil {
			return nil, fmt.Errorf("interaction %q: expected %s contents: %w", in.Description, format, err)
		}
		wantValue = v
	}
	got, err := dec(body, false)
	if err != nil {
		return []results.Mismatch{{Category: "body", Path: "$", Expected: ct, Actual: fmt.Sprintf("%d bytes", len(body)),
			Message: fmt.Sprintf("the message is not valid %s: %v", format, err)}}, nil
	}
	return contracts.MatchDecoded(want, wantValue, got)
}

// protoMessage finds the Protobuf message type of the contents: the content type's message
// parameter or the Pact protobuf plugin's pluginConfiguration.protobuf.message, in the pact's
// descriptors or MessageConfig.ProtoFiles.
func (m *Messages) protoMessage(p *contracts.Pact, in *contracts.Interaction, ct string, want *contracts.Message) (protoreflect.MessageDescriptor, error) {
	pb, _ := in.PluginConfiguration["protobuf"].(map[string]any)
	name, _ := pb["message"].(string)
	for _, c := range []string{ct, want.Contents.ContentType} {
		if _, params, err := mime.ParseMediaType(c); err == nil && params["message"] != "" {
			name = params["message"]
			break
		}
	}
	if name == "" {
		return nil, fmt.Errorf("interaction %q: Protobuf contents but no message type (content type parameter message=, or pluginConfiguration.protobuf.message)", in.Description)
	}
	files, err := (&Config{GRPCFiles: m.cfg.ProtoFiles}).descriptors(p, pb)
	if err != nil {
		return nil, err
	}
	return protobuf.FindMessage(files, name)
}

// decodeAvro decodes Avro contents: Confluent-framed through the schema registry when one is
// given, else with the Avro schema (a frame is stripped when the raw bytes do not decode).
func (m *Messages) decodeAvro(ctx context.Context, b []byte) (any, error) {
	framed := len(b) >= 5 && b[0] == 0
	if framed && m.cfg.Registry != nil {
		return m.cfg.Registry.Decode(ctx, b)
	}
	if m.cfg.Avro == nil {
		return nil, fmt.Errorf("no Avro schema to decode it (--avro-schema, or --schema-registry for Confluent framing)")
	}
	v, err := m.cfg.Avro.Decode(b)
	if err != nil && framed {
		if v2, err2 := m.cfg.Avro.Decode(b[5:]); err2 == nil {
			return v2, nil
		}
	}
	return v, err
}

// receivedMetadata is the metadata a received message is matched with: its transport attributes
// under the names Pact consumers and Spring use, then its headers (which win on a clash).
//
// Kafka: kafka_topic, topic, destination, kafka_partition, kafka_offset, and the record key as
// kafka_messageKey and key. AMQP: exchange, routingKey, destination (the exchange), queue (for a
// queue route), and each property set, in snake_case as the driver names it (message_id) and in
// camelCase (messageId). Both: contentType when the message has one.
func receivedMetadata(r Route, msg *drivers.Message) map[string]any {
	md := map[string]any{}
	switch r.Broker {
	case BrokerKafka:
		md["kafka_topic"], md["topic"], md["destination"] = r.Name, r.Name, r.Name
		if v := msg.Properties["partition"]; v != "" {
			md["kafka_partition"] = v
		}
		if v := msg.Properties["offset"]; v != "" {
			md["kafka_offset"] = v
		}
		if msg.Key != nil {
			md["kafka_messageKey"], md["key"] = string(msg.Key), string(msg.Key)
		}
	case BrokerAMQP:
		if q, ok := strings.CutPrefix(r.Name, "queue:"); ok {
			md["queue"] = q
		}
		for k, v := range msg.Properties {
			md[k] = v
			md[camel(k)] = v
		}
		if x, ok := msg.Properties["exchange"]; ok {
			md["destination"] = x
		}
	}
	if msg.ContentType != "" {
		md["contentType"] = msg.ContentType
	}
	for k, v := range msg.Headers {
		if len(v) == 1 {
			md[k] = v[0]
		} else {
			md[k] = v
		}
	}
	return md
}

// camel turns snake_case into camelCase (routing_key -> routingKey).
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
