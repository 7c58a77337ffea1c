package verifier

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Broker names of message routes.
const (
	BrokerKafka = "kafka"
	BrokerAMQP  = "amqp"
)

// Route is where a message interaction's messages travel: a Kafka topic, or an AMQP exchange and
// routing key ("exchange/routing.key") or queue ("queue:NAME"), in the drivers' route syntax.
type Route struct {
	Broker string // BrokerKafka or BrokerAMQP
	Name   string // Kafka topic; AMQP "exchange/routing.key" or "queue:NAME"
}

// String is the route as a URL: kafka://topic, amqp://exchange/routing.key or amqp://queue:NAME.
func (r Route) String() string { return r.Broker + "://" + r.Name }

// ParseRoute reads a route URL: "kafka://TOPIC", "amqp://EXCHANGE/ROUTING.KEY",
// "amqp://EXCHANGE" (routing key "#", every message of a topic or fanout exchange),
// "amqp:///QUEUE" (the default exchange: the queue itself is consumed) or "amqp://queue:NAME".
// Errors say which form was expected.
func ParseRoute(s string) (Route, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Route{}, fmt.Errorf("route %q: want kafka://topic or amqp://exchange/routing.key", s)
	}
	switch scheme {
	case BrokerKafka:
		if rest == "" || strings.ContainsAny(rest, "/ ") {
			return Route{}, fmt.Errorf("route %q: want kafka://topic (a topic name, no '/' or space)", s)
		}
		return Route{Broker: BrokerKafka, Name: rest}, nil
	case BrokerAMQP:
		return amqpRoute(s, rest)
	}
	return Route{}, fmt.Errorf("route %q: unknown scheme %q: want kafka:// or amqp://", s, scheme)
}

func amqpRoute(s, rest string) (Route, error) {
	if q, ok := strings.CutPrefix(rest, "queue:"); ok {
		if q == "" {
			return Route{}, fmt.Errorf("route %q: want amqp://queue:NAME with a queue name", s)
		}
		return Route{Broker: BrokerAMQP, Name: "queue:" + q}, nil
	}
	exchange, key, hasKey := strings.Cut(rest, "/")
	switch {
	case exchange == "" && key == "":
		return Route{}, fmt.Errorf("route %q: want amqp://exchange/routing.key, amqp://exchange or amqp:///queue", s)
	case exchange == "":
		return Route{Broker: BrokerAMQP, Name: "queue:" + key}, nil
	case !hasKey || key == "":
		key = "#"
	}
	return Route{Broker: BrokerAMQP, Name: exchange + "/" + key}, nil
}

// RouteRule routes the message interactions whose description matches Pattern.
type RouteRule struct {
	Pattern *regexp.Regexp
	Route   Route
}

// TriggerRule says which URL makes the provider publish the messages of the interactions whose
// description matches Pattern.
type TriggerRule struct {
	Pattern *regexp.Regexp
	URL     string
}

// ParseRouteRule reads 'REGEX=kafka://topic' or 'REGEX=amqp://exchange/routing.key' (the
// --message-route flag); the regular expression may itself contain '='. Errors name what was
// expected.
func ParseRouteRule(s string) (RouteRule, error) {
	re, target, err := splitRule(s, "kafka://", "amqp://")
	if err != nil {
		return RouteRule{}, err
	}
	r, err := ParseRoute(target)
	if err != nil {
		return RouteRule{}, err
	}
	return RouteRule{Pattern: re, Route: r}, nil
}

// ParseTriggerRule reads 'REGEX=http://host:port/path' (the --trigger-url flag).
func ParseTriggerRule(s string) (TriggerRule, error) {
	re, target, err := splitRule(s, "http://", "https://")
	if err != nil {
		return TriggerRule{}, err
	}
	return TriggerRule{Pattern: re, URL: target}, nil
}

// splitRule splits "REGEX=TARGET" at the last '=' followed by one of the target schemes and
// compiles REGEX.
func splitRule(s string, schemes ...string) (*regexp.Regexp, string, error) {
	at := -1
	for _, sc := range schemes {
		if i := strings.LastIndex(s, "="+sc); i > at {
			at = i
		}
	}
	if at < 0 {
		return nil, "", fmt.Errorf("%q: want REGEX=%sTARGET (a description regular expression, '=', then a %s URL)", s, schemes[0], strings.Join(schemes, " or "))
	}
	re, err := regexp.Compile(s[:at])
	if err != nil {
		return nil, "", fmt.Errorf("%q: invalid description regular expression: %w", s, err)
	}
	return re, s[at+1:], nil
}

// ParseRouteRules reads a routes file: one 'REGEX=ROUTE' per line; blank lines and lines
// starting with '#' are ignored. Errors name the file (name) and line.
func ParseRouteRules(r io.Reader, name string) ([]RouteRule, error) {
	var rules []RouteRule
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		rule, err := ParseRouteRule(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rules, nil
}

// routeFromMetadata derives the route from a message's metadata as Pact consumers record it:
// kafka_topic or topic (Kafka); exchange with routingKey (or routing_key), or queue (AMQP);
// destination (the topic or the exchange, whichever broker is configured, or named by the
// interaction's transport). ok is false when the metadata names no route.
func routeFromMetadata(md map[string]any, transport string, haveKafka, haveAMQP bool) (Route, bool) {
	get := func(keys ...string) string {
		for _, k := range keys {
			for mk, v := range md {
				if strings.EqualFold(mk, k) {
					if s, ok := v.(string); ok && s != "" {
						return s
					}
				}
			}
		}
		return ""
	}
	if t := get("kafka_topic", "topic"); t != "" {
		return Route{Broker: BrokerKafka, Name: t}, true
	}
	key := get("routingKey", "routing_key", "amqp_receivedRoutingKey")
	if x := get("exchange"); x != "" {
		if key == "" {
			key = "#"
		}
		return Route{Broker: BrokerAMQP, Name: x + "/" + key}, true
	}
	if q := get("queue"); q != "" {
		return Route{Broker: BrokerAMQP, Name: "queue:" + q}, true
	}
	d := get("destination")
	if d == "" {
		return Route{}, false
	}
	useAMQP := transport == BrokerAMQP || key != "" || haveAMQP && !haveKafka
	if useAMQP {
		if key == "" {
			key = "#"
		}
		return Route{Broker: BrokerAMQP, Name: d + "/" + key}, true
	}
	return Route{Broker: BrokerKafka, Name: d}, true
}
