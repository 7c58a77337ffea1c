package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// messageFlags select how message interactions are verified (brokers, routes, Pact's HTTP
// message mode).
type messageFlags struct {
	kafkaBrokers, amqpURL string
	routes                []string
	routesFile            string
	triggers              []string
	providerURL           string
	timeout               time.Duration
	createTopics, declare bool
	avroSchema            string
	schemaDeps            []string
	schemaRegistry        string
}

func (m *messageFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&m.kafkaBrokers, "kafka-brokers", "", "Kafka seed brokers for message interactions, comma-separated host:port (${VAR} expands from the environment)")
	fs.StringVar(&m.amqpURL, "amqp-url", "", "AMQP URI for message interactions, e.g. amqp://${AMQP_USER}:${AMQP_PASS}@127.0.0.1:5672/ (credentials may be ${VAR}; never written to results)")
	fs.StringArrayVar(&m.routes, "message-route", nil, "route for message interactions whose metadata names no topic/exchange: 'REGEX=kafka://topic' or 'REGEX=amqp://exchange/routing.key' (amqp://exchange, amqp:///queue), REGEX matched against the description (repeatable; first match wins)")
	fs.StringVar(&m.routesFile, "message-routes", "", "file of --message-route rules, one 'REGEX=ROUTE' per line ('#' comments)")
	fs.StringArrayVar(&m.triggers, "trigger-url", nil, "'REGEX=URL': POST {\"description\",\"providerStates\"} to URL to make the provider publish the messages of the interactions whose description matches (repeatable; first match wins)")
	fs.StringVar(&m.providerURL, "message-provider-url", "", "Pact's HTTP message mode: POST {\"description\",\"providerStates\"} here and match the answer (body, Content-Type, Pact-Message-Metadata) for message interactions with no broker route")
	fs.DurationVar(&m.timeout, "message-timeout", verifier.DefaultMessageTimeout, "how long to wait for a matching message or a reply")
	fs.BoolVar(&m.createTopics, "create-topics", false, "create missing Kafka topics (and reply topics) instead of failing")
	fs.BoolVar(&m.declare, "declare", false, "declare missing AMQP exchanges and queues instead of failing")
	fs.StringVar(&m.avroSchema, "avro-schema", "", ".avsc schema decoding Avro message contents")
	fs.StringSliceVar(&m.schemaDeps, "schema-dep", nil, ".avsc file defining named types --avro-schema references (repeatable)")
	fs.StringVar(&m.schemaRegistry, "schema-registry", "", "Confluent Schema Registry URL decoding Confluent-framed message contents by schema id (credentials from COMMBENCH_SCHEMA_REGISTRY_USERNAME/PASSWORD)")
}

// given reports whether any message verification target was given.
func (m *messageFlags) given() bool {
	return m.kafkaBrokers != "" || m.amqpURL != "" || m.providerURL != ""
}

// contract adds the message flags to c: brokers, routes, triggers, Pact's HTTP message mode and
// the codecs of message contents. Errors are usage errors naming the flag.
func (m *messageFlags) contract(a *app, f *verifyFlags, c *runner.Contract) error {
	if !m.given() {
		if len(m.routes) > 0 || m.routesFile != "" || len(m.triggers) > 0 {
			return exitcode.Usagef("--message-route, --message-routes and --trigger-url need --kafka-brokers, --amqp-url or --message-provider-url")
		}
		return nil
	}
	if m.timeout <= 0 {
		return exitcode.Usagef("--message-timeout must be positive, got %s", m.timeout)
	}
	c.MessageProviderURL, c.MessageTimeout = m.providerURL, m.timeout
	routes, err := verifier.ParseRouteRuleList(m.routes)
	if err != nil {
		return exitcode.Usagef("--message-route %w", err)
	}
	c.Routes = routes
	if m.routesFile != "" {
		rules, err := verifier.ReadRouteRules(m.routesFile)
		if err != nil {
			return exitcode.Usagef("--message-routes: %w", err)
		}
		c.Routes = append(c.Routes, rules...)
	}
	if c.Triggers, err = verifier.ParseTriggerRules(m.triggers); err != nil {
		return exitcode.Usagef("--trigger-url %w", err)
	}
	if err := m.codecs(a, c); err != nil {
		return err
	}
	for _, b := range []struct {
		driver, address, option string
		on                      bool
		dst                     **runner.Endpoint
	}{{"kafka", m.kafkaBrokers, "create_topics", m.createTopics, &c.Kafka}, {"amqp", m.amqpURL, "declare", m.declare, &c.AMQP}} {
		if b.address == "" {
			continue
		}
		t := scenario.Target{Driver: b.driver, Address: b.address, ConnectTimeout: scenario.Duration(f.target.connectTimeout),
			RequestTimeout: scenario.Duration(m.timeout), Options: map[string]string{}, TLS: f.target.tlsSettings()}
		if b.on {
			t.Options[b.option] = "true"
		}
		et, err := t.ExpandEnv(a.LookupEnv)
		if err != nil {
			return exitcode.Usagef("%w", err)
		}
		*b.dst = &runner.Endpoint{Target: et}
	}
	return nil
}

// codecs loads what decodes Avro message contents: --avro-schema with --schema-dep,
// --schema-registry.
func (m *messageFlags) codecs(a *app, cfg *runner.Contract) error {
	if len(m.schemaDeps) > 0 && m.avroSchema == "" {
		return exitcode.Usagef("--schema-dep needs --avro-schema")
	}
	if m.avroSchema != "" {
		c, err := avro.New(formats.Options{Schema: m.avroSchema, SchemaFiles: m.schemaDeps})
		if err != nil {
			return exitcode.Usagef("--avro-schema: %w", err)
		}
		cfg.Avro = c
	}
	if m.schemaRegistry != "" {
		r, err := confluent.NewRegistry(m.schemaRegistry, a.Getenv)
		if err != nil {
			return exitcode.Usagef("--schema-registry: %w", err)
		}
		cfg.Registry = r
	}
	return nil
}
