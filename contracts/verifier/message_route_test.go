package verifier

import (
	"strings"
	"testing"
)

func TestParseRouteRule(t *testing.T) {
	tests := []struct {
		name, in, pattern, route, err string
	}{
		{name: "kafka", in: "^order created$=kafka://orders", pattern: "^order created$", route: "kafka://orders"},
		{name: "amqp exchange and key", in: "created=amqp://events/orders.created", pattern: "created", route: "amqp://events/orders.created"},
		{name: "amqp exchange only", in: "x=amqp://events", pattern: "x", route: "amqp://events/#"},
		{name: "amqp default exchange", in: "x=amqp:///orders", pattern: "x", route: "amqp://queue:orders"},
		{name: "amqp queue", in: "x=amqp://queue:orders", pattern: "x", route: "amqp://queue:orders"},
		{name: "regex with =", in: "a=b=kafka://t", pattern: "a=b", route: "kafka://t"},
		{name: "no route", in: "order", err: "want REGEX=kafka://"},
		{name: "unknown scheme", in: "order=mqtt://x", err: "want REGEX=kafka://"},
		{name: "kafka with slash", in: "o=kafka://a/b", err: "a topic name"},
		{name: "empty topic", in: "o=kafka://", err: "a topic name"},
		{name: "bad regex", in: "(o=kafka://t", err: "invalid description regular expression"},
		{name: "empty amqp", in: "o=amqp://", err: "want amqp://exchange/routing.key"},
		{name: "empty queue", in: "o=amqp://queue:", err: "queue name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRouteRule(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Pattern.String() != tc.pattern || r.Route.String() != tc.route {
				t.Fatalf("got %q %q, want %q %q", r.Pattern, r.Route, tc.pattern, tc.route)
			}
		})
	}
}

func TestParseRouteRulesFile(t *testing.T) {
	rules, err := ParseRouteRules(strings.NewReader("# comment\n\n a=kafka://t \nb=amqp://x/y\n"), "routes.txt")
	if err != nil || len(rules) != 2 || rules[1].Route.String() != "amqp://x/y" {
		t.Fatalf("%v %+v", err, rules)
	}
	if _, err := ParseRouteRules(strings.NewReader("a=kafka://t\nnope\n"), "routes.txt"); err == nil || !strings.Contains(err.Error(), "routes.txt:2:") {
		t.Fatalf("error %v lacks the file and line", err)
	}
}

func TestRouteFromMetadata(t *testing.T) {
	tests := []struct {
		name       string
		md         map[string]any
		transport  string
		kafka, mq  bool
		want       string
		wantRouted bool
	}{
		{"kafka_topic", map[string]any{"kafka_topic": "orders"}, "", true, true, "kafka://orders", true},
		{"topic", map[string]any{"topic": "orders"}, "", false, true, "kafka://orders", true},
		{"exchange and key", map[string]any{"exchange": "ev", "routingKey": "a.b"}, "", true, true, "amqp://ev/a.b", true},
		{"exchange only", map[string]any{"exchange": "ev"}, "", true, true, "amqp://ev/#", true},
		{"queue", map[string]any{"queue": "q"}, "", true, true, "amqp://queue:q", true},
		{"destination, amqp only", map[string]any{"destination": "ev"}, "", false, true, "amqp://ev/#", true},
		{"destination, kafka only", map[string]any{"destination": "ev"}, "", true, false, "kafka://ev", true},
		{"destination, transport amqp", map[string]any{"destination": "ev"}, "amqp", true, true, "amqp://ev/#", true},
		{"none", map[string]any{"contentType": "application/json"}, "", true, true, "", false},
		{"not a string", map[string]any{"topic": 3}, "", true, true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := routeFromMetadata(tc.md, tc.transport, tc.kafka, tc.mq)
			if ok != tc.wantRouted || ok && r.String() != tc.want {
				t.Fatalf("got %v %q, want %v %q", ok, r, tc.wantRouted, tc.want)
			}
		})
	}
}

func FuzzParseRouteRule(f *testing.F) {
	for _, s := range []string{"a=kafka://t", "x=amqp://e/k", "x=amqp:///q", "x=amqp://queue:q", "(=kafka://", "=amqp://", "a=b=kafka://c", "", "=http://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRouteRule(s)
		if err != nil {
			return
		}
		again, err := ParseRoute(r.Route.String())
		if err != nil || again != r.Route {
			t.Fatalf("%q: route %q does not parse back: %v %q", s, r.Route, err, again)
		}
		if _, err := ParseTriggerRule(s); err == nil && !strings.Contains(s, "http") {
			t.Fatalf("%q: trigger rule without an http URL accepted", s)
		}
	})
}

func FuzzDecodeMessageMetadata(f *testing.F) {
	for _, s := range []string{"eyJhIjoxfQ==", "", "{{{", "bnVsbA==", "W10="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var md map[string]any
		_ = decodeMessageMetadata(s, &md)
	})
}
