package amqp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// publishProps are the Message.Properties a published message may set; receiveOnly are those a
// received message carries that are ignored when it is published again.
var (
	publishProps = []string{"app_id", "content_encoding", "correlation_id", "delivery_mode", "expiration",
		"mandatory", "message_id", "persistent", "priority", "reply_to", "timestamp", "type", "user_id"}
	receiveOnly = []string{"exchange", "routing_key", "redelivered"}
)

// publishing is one message ready for basic.publish.
type publishing struct {
	exchange, key string
	mandatory     bool
	msg           amqp091.Publishing
}

// toPublishing maps m onto an AMQP publishing; property names and formats are in the package doc.
func toPublishing(m *drivers.Message, o options) (publishing, error) {
	p := publishing{mandatory: o.mandatory}
	p.exchange, p.key = splitRoute(m.Route)
	p.msg = amqp091.Publishing{ContentType: m.ContentType, Body: m.Body, DeliveryMode: amqp091.Transient}
	if o.persistent {
		p.msg.DeliveryMode = amqp091.Persistent
	}
	if len(m.Headers) > 0 {
		p.msg.Headers = make(amqp091.Table, len(m.Headers))
		for k, vs := range m.Headers {
			if len(vs) == 1 {
				p.msg.Headers[k] = vs[0]
				continue
			}
			arr := make([]any, len(vs))
			for i, v := range vs {
				arr[i] = v
			}
			p.msg.Headers[k] = arr
		}
	}
	for k, v := range m.Properties {
		bad := func(want string) error {
			return fmt.Errorf("amqp: message property %s=%q: expected %s", k, v, want)
		}
		switch k {
		case "message_id":
			p.msg.MessageId = v
		case "correlation_id":
			p.msg.CorrelationId = v
		case "reply_to":
			p.msg.ReplyTo = v
		case "type":
			p.msg.Type = v
		case "app_id":
			p.msg.AppId = v
		case "user_id":
			p.msg.UserId = v
		case "content_encoding":
			p.msg.ContentEncoding = v
		case "expiration":
			if _, err := strconv.ParseUint(v, 10, 32); err != nil {
				return p, bad("a TTL in milliseconds")
			}
			p.msg.Expiration = v
		case "priority":
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return p, bad("an integer from 0 to 255")
			}
			p.msg.Priority = uint8(n)
		case "mandatory", "persistent":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, bad("true or false")
			}
			if k == "mandatory" {
				p.mandatory = b
			} else if b {
				p.msg.DeliveryMode = amqp091.Persistent
			} else {
				p.msg.DeliveryMode = amqp091.Transient
			}
		case "delivery_mode":
			switch v {
			case "1":
				p.msg.DeliveryMode = amqp091.Transient
			case "2":
				p.msg.DeliveryMode = amqp091.Persistent
			default:
				return p, bad("1 (transient) or 2 (persistent)")
			}
		case "timestamp":
			ts, err := parseTimestamp(v)
			if err != nil {
				return p, bad("an RFC 3339 time, Unix seconds or now")
			}
			p.msg.Timestamp = ts
		default:
			if !slices.Contains(receiveOnly, k) {
				return p, fmt.Errorf("amqp: unknown message property %q (known: %s)", k, strings.Join(publishProps, ", "))
			}
		}
	}
	return p, nil
}

func parseTimestamp(v string) (time.Time, error) {
	if v == "now" {
		return time.Now(), nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Parse(time.RFC3339Nano, v)
}

// fromDelivery maps a received delivery (or a request's reply) onto a Message.
func fromDelivery(d *amqp091.Delivery) *drivers.Message {
	m := &drivers.Message{
		Route:       d.Exchange + "/" + d.RoutingKey,
		Body:        d.Body,
		ContentType: d.ContentType,
		Properties: map[string]string{
			"exchange":      d.Exchange,
			"routing_key":   d.RoutingKey,
			"delivery_mode": strconv.Itoa(int(d.DeliveryMode)),
			"redelivered":   strconv.FormatBool(d.Redelivered),
		},
	}
	set := func(k, v string) {
		if v != "" {
			m.Properties[k] = v
		}
	}
	set("message_id", d.MessageId)
	set("correlation_id", d.CorrelationId)
	set("reply_to", d.ReplyTo)
	set("type", d.Type)
	set("app_id", d.AppId)
	set("user_id", d.UserId)
	set("expiration", d.Expiration)
	set("content_encoding", d.ContentEncoding)
	if d.Priority != 0 {
		m.Properties["priority"] = strconv.Itoa(int(d.Priority))
	}
	if !d.Timestamp.IsZero() {
		m.Time = d.Timestamp
		m.Properties["timestamp"] = d.Timestamp.UTC().Format(time.RFC3339)
	}
	if len(d.Headers) > 0 {
		m.Headers = make(map[string][]string, len(d.Headers))
		for k, v := range d.Headers {
			if arr, ok := v.([]any); ok {
				vs := make([]string, len(arr))
				for i, e := range arr {
					vs[i] = fieldString(e)
				}
				m.Headers[k] = vs
				continue
			}
			m.Headers[k] = []string{fieldString(v)}
		}
	}
	return m
}

// fieldString renders an AMQP field-table value as text.
func fieldString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}
