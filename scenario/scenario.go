// Package scenario is the one serializable configuration of a commbench run: targets, contracts,
// workloads and outputs, read from a YAML scenario file (`commbench run scenario.yaml`). Decoding is
// strict: an unknown field or a wrong type is an error with file:line. A JSON Schema of the format is
// kept in scenario/scenario.schema.json for editors (regenerate: go test ./scenario -update).
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/drivers"
)

// Scenario is a whole run.
type Scenario struct {
	// Name labels the run in reports.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Targets are the systems under test, referenced by name from contracts and workloads.
	Targets []Target `yaml:"targets" json:"targets"`
	// Contracts are the Pact verifications, run before the workloads.
	Contracts []Contract `yaml:"contracts,omitempty" json:"contracts,omitempty"`
	// Workloads are the benchmarks, run in order after the contracts.
	Workloads []Workload `yaml:"workloads,omitempty" json:"workloads,omitempty"`
	// Outputs are the files to write.
	Outputs Outputs `yaml:"outputs,omitempty" json:"outputs,omitempty"`
}

// Target is a system under test reached through one driver.
type Target struct {
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// Driver is rest, grpc, amqp or kafka.
	Driver string `yaml:"driver" json:"driver" jsonschema:"required,enum=rest,enum=grpc,enum=amqp,enum=kafka"`
	// Address: REST base URL, gRPC host:port, AMQP URL, Kafka seed brokers (comma-separated).
	// ${VAR} references are expanded from the environment when the run starts.
	Address string `yaml:"address" json:"address" jsonschema:"required"`
	// Username and Password: use ${VAR} references; never written to results or reports.
	Username string            `yaml:"username,omitempty" json:"username,omitempty"`
	Password string            `yaml:"password,omitempty" json:"password,omitempty"`
	Headers  map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	TLS      drivers.TLS       `yaml:"tls,omitempty" json:"tls,omitempty"`
	// ConnectTimeout and RequestTimeout as Go durations ("5s").
	ConnectTimeout Duration `yaml:"connect_timeout,omitempty" json:"connect_timeout,omitempty"`
	RequestTimeout Duration `yaml:"request_timeout,omitempty" json:"request_timeout,omitempty"`
	// Options are driver-specific settings (see each driver's documentation).
	Options map[string]string `yaml:"options,omitempty" json:"options,omitempty"`
	// Proto and ImportPaths give gRPC method descriptors (.proto or protoset files).
	Proto       []string `yaml:"proto,omitempty" json:"proto,omitempty"`
	ImportPaths []string `yaml:"import_paths,omitempty" json:"import_paths,omitempty"`
	// Optional: when the target does not answer, its contracts and workloads are reported as
	// skipped (with the reason) instead of stopping the run with exit 3.
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// Contract is one `verify` of pact sources against targets.
type Contract struct {
	// Pacts are files, directories or URLs (required unless Broker is set).
	Pacts []string `yaml:"pacts,omitempty" json:"pacts,omitempty"`
	// Broker fetches pacts to verify from a Pact Broker (besides Pacts) and may publish the
	// verification results.
	Broker *Broker `yaml:"broker,omitempty" json:"broker,omitempty"`
	// HTTP names the rest target for HTTP interactions; GRPC the grpc target for gRPC
	// interactions; Kafka and AMQP the broker targets for message interactions.
	HTTP  string `yaml:"http,omitempty" json:"http,omitempty"`
	GRPC  string `yaml:"grpc,omitempty" json:"grpc,omitempty"`
	Kafka string `yaml:"kafka,omitempty" json:"kafka,omitempty"`
	AMQP  string `yaml:"amqp,omitempty" json:"amqp,omitempty"`
	// StateChangeURL is POSTed {"state","params","action"} before each interaction.
	StateChangeURL string `yaml:"state_change_url,omitempty" json:"state_change_url,omitempty"`
	StateTeardown  bool   `yaml:"state_teardown,omitempty" json:"state_teardown,omitempty"`
	// MessageRoutes map interaction descriptions to routes: "REGEX=kafka://topic" or
	// "REGEX=amqp://exchange/routing.key".
	MessageRoutes  []string `yaml:"message_routes,omitempty" json:"message_routes,omitempty"`
	MessageTimeout Duration `yaml:"message_timeout,omitempty" json:"message_timeout,omitempty"`
	// Filters.
	Consumer    string `yaml:"consumer,omitempty" json:"consumer,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	State       string `yaml:"state,omitempty" json:"state,omitempty"`
	// SetHeadersIfPresent replaces, on the HTTP requests that carry the header, its value (a
	// fresh token for a recorded Authorization); values may reference ${VAR}.
	SetHeadersIfPresent map[string]string `yaml:"set_headers_if_present,omitempty" json:"set_headers_if_present,omitempty"`
	// SkipTransports are transports not to verify: "http", "grpc", "kafka", "amqp", "message".
	// An interaction whose transport has no target fails the run unless skipped here.
	SkipTransports []string `yaml:"skip_transports,omitempty" json:"skip_transports,omitempty"`
	// MessageFirstMatch passes an asynchronous message interaction on the first matching
	// message; by default every message received on its route while it is verified must match.
	MessageFirstMatch bool `yaml:"message_first_match,omitempty" json:"message_first_match,omitempty"`
}

// Broker is a Pact Broker (or PactFlow) to take pacts from, with the names of Pact's reference
// verifier (pact_verifier_cli flags in parentheses). ${VAR} references in url, username,
// password, token, provider_version, provider_branch and build_url come from the environment;
// without credentials, PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD are used.
type Broker struct {
	URL      string `yaml:"url" json:"url" jsonschema:"required"`           // --broker-url
	Provider string `yaml:"provider" json:"provider" jsonschema:"required"` // --provider-name
	Username string `yaml:"username,omitempty" json:"username,omitempty"`   // --user
	Password string `yaml:"password,omitempty" json:"password,omitempty"`   // --password
	Token    string `yaml:"token,omitempty" json:"token,omitempty"`         // --token
	// ConsumerVersionSelectors, e.g. [{mainBranch: true}, {deployedOrReleased: true}]
	// (--consumer-version-selectors); ConsumerVersionTags when no selector is given.
	ConsumerVersionSelectors []map[string]any `yaml:"consumer_version_selectors,omitempty" json:"consumer_version_selectors,omitempty"`
	ConsumerVersionTags      []string         `yaml:"consumer_version_tags,omitempty" json:"consumer_version_tags,omitempty"`
	EnablePending            bool             `yaml:"enable_pending,omitempty" json:"enable_pending,omitempty"`
	// IncludeWIPPactsSince is a date, e.g. "2024-01-31" (--include-wip-pacts-since).
	IncludeWIPPactsSince string   `yaml:"include_wip_pacts_since,omitempty" json:"include_wip_pacts_since,omitempty"`
	ProviderBranch       string   `yaml:"provider_branch,omitempty" json:"provider_branch,omitempty"`
	ProviderTags         []string `yaml:"provider_tags,omitempty" json:"provider_tags,omitempty"`
	IgnoreNoPactsError   bool     `yaml:"ignore_no_pacts_error,omitempty" json:"ignore_no_pacts_error,omitempty"`
	// Publish sends the verification results to the broker; ProviderVersion is then required.
	Publish         bool   `yaml:"publish,omitempty" json:"publish,omitempty"`
	ProviderVersion string `yaml:"provider_version,omitempty" json:"provider_version,omitempty"`
	BuildURL        string `yaml:"build_url,omitempty" json:"build_url,omitempty"`
}

// Workload is one benchmark against a target.
type Workload struct {
	Name   string `yaml:"name" json:"name" jsonschema:"required"`
	Target string `yaml:"target" json:"target" jsonschema:"required"`
	// Operation: rest "request"; grpc "unary", "server-stream", "client-stream", "bidi-stream";
	// amqp "publish", "consume", "publish-consume"; kafka "produce", "consume", "produce-consume".
	Operation string `yaml:"operation" json:"operation" jsonschema:"required"`
	// Method: HTTP method (rest) or gRPC method "pkg.Service/Method".
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Path: REST path with query. Route: AMQP "exchange/routing.key", Kafka topic.
	Path  string `yaml:"path,omitempty" json:"path,omitempty"`
	Route string `yaml:"route,omitempty" json:"route,omitempty"`
	// Headers sent with each request or message.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Payload Payload           `yaml:"payload,omitempty" json:"payload,omitempty"`
	// Load model: Rate ("5000/s") or Stages ("30s:1000,60s:5000") for the open model,
	// Concurrency for the closed model (default 10 workers).
	Rate        string `yaml:"rate,omitempty" json:"rate,omitempty"`
	Stages      string `yaml:"stages,omitempty" json:"stages,omitempty"`
	Concurrency int    `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	// MaxInFlight: open model, most requests in flight (default 100); messaging, most
	// unacknowledged messages (default 1000). MaxBacklog: open model, overdue sends beyond which
	// the oldest are dropped (default 10 x the peak rate, at least 1000).
	MaxInFlight int `yaml:"max_in_flight,omitempty" json:"max_in_flight,omitempty"`
	MaxBacklog  int `yaml:"max_backlog,omitempty" json:"max_backlog,omitempty"`
	// Duration, or Count operations; Warmup excluded from results.
	Duration Duration `yaml:"duration,omitempty" json:"duration,omitempty"`
	Count    int64    `yaml:"count,omitempty" json:"count,omitempty"`
	Warmup   Duration `yaml:"warmup,omitempty" json:"warmup,omitempty"`
	// Messaging: producers, consumers, integrity checks and the drain period.
	Producers int      `yaml:"producers,omitempty" json:"producers,omitempty"`
	Consumers int      `yaml:"consumers,omitempty" json:"consumers,omitempty"`
	Integrity bool     `yaml:"integrity,omitempty" json:"integrity,omitempty"`
	Drain     Duration `yaml:"drain,omitempty" json:"drain,omitempty"`
	// Subscribe is what consumers receive (default: Route): AMQP "exchange/routing.key" (an
	// exclusive temporary queue) or "queue:NAME" (a queue the consumers share), Kafka topic.
	Subscribe string `yaml:"subscribe,omitempty" json:"subscribe,omitempty"`
	// Kafka: consumer Group (default none for one consumer, commbench-RUN for several), From
	// ("end" default, "start" or an RFC 3339 time), Keys (record keys key-0..key-N-1; 0: none).
	Group string `yaml:"group,omitempty" json:"group,omitempty"`
	From  string `yaml:"from,omitempty" json:"from,omitempty"`
	Keys  int    `yaml:"keys,omitempty" json:"keys,omitempty"`
	// AMQP: consumer QoS Prefetch (0: the driver's default) and AutoAck.
	Prefetch int  `yaml:"prefetch,omitempty" json:"prefetch,omitempty"`
	AutoAck  bool `yaml:"auto_ack,omitempty" json:"auto_ack,omitempty"`
	// Connections: gRPC HTTP/2 connections the workers share (default 1).
	Connections int `yaml:"connections,omitempty" json:"connections,omitempty"`
	// MessagesPerStream (gRPC streaming, one operation = one whole stream): request messages a
	// client-stream or bidi-stream call sends (default 1); for server-stream, the responses after
	// which the call is cancelled (0: until the server ends it).
	MessagesPerStream int `yaml:"messages_per_stream,omitempty" json:"messages_per_stream,omitempty"`
	// HTTPClient (rest): "fast" (HTTP/1.1 on fasthttp, the lowest overhead; the default when the
	// target sets no driver options) or "net" (drivers/rest on net/http: HTTP/2, h2c, options).
	HTTPClient string `yaml:"http_client,omitempty" json:"http_client,omitempty" jsonschema:"enum=fast,enum=net"`
	// RunID is stamped on every message of a messaging workload (default: a new UUID).
	RunID string `yaml:"run_id,omitempty" json:"run_id,omitempty"`
	// Thresholds like "p99<25ms", "error_rate<0.1%", "lost==0".
	Thresholds []string `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`
}

// Payload says how message bodies are made.
type Payload struct {
	// Format: json, protobuf, avro.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// Schema: .proto, protoset or .avsc file; Message: protobuf message name.
	Schema  string `yaml:"schema,omitempty" json:"schema,omitempty"`
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// Template: a payload template file (JSON with template functions); Body: an inline one.
	Template string `yaml:"template,omitempty" json:"template,omitempty"`
	Body     string `yaml:"body,omitempty" json:"body,omitempty"`
	// SchemaDeps are further schema files (Avro named types across files); ImportPaths are
	// .proto import paths.
	SchemaDeps  []string `yaml:"schema_deps,omitempty" json:"schema_deps,omitempty"`
	ImportPaths []string `yaml:"import_paths,omitempty" json:"import_paths,omitempty"`
	// DataFile: CSV or JSONL rows the template reads as {{.Row.name}}. Ring: pre-generate this
	// many payloads and cycle through them (0: generate each one).
	DataFile string `yaml:"data_file,omitempty" json:"data_file,omitempty"`
	Ring     int    `yaml:"ring,omitempty" json:"ring,omitempty"`
	// ContentType of bodies (default: the format's).
	ContentType string `yaml:"content_type,omitempty" json:"content_type,omitempty"`
	// MaxBytes bounds one generated payload in bytes of JSON text (default 16 MiB, see
	// formats/template.DefaultMaxPayloadBytes): a template past it fails before the load.
	MaxBytes int `yaml:"max_bytes,omitempty" json:"max_bytes,omitempty"`
}

// Outputs are report files written at the end; empty paths are skipped.
type Outputs struct {
	HTML  string `yaml:"html,omitempty" json:"html,omitempty"`
	JUnit string `yaml:"junit,omitempty" json:"junit,omitempty"`
	JSON  string `yaml:"json,omitempty" json:"json,omitempty"`
	MD    string `yaml:"md,omitempty" json:"md,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("1m30s").
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: invalid duration %q: want a Go duration like 500ms, 10s or 1m30s", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// MarshalText writes the duration string (JSON too).
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Load reads and checks the scenario file at path, applying overrides ("key=value", see Set).
// Errors name the file and line: unknown fields, wrong types, invalid values, dangling target names.
func Load(path string, overrides []string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path, overrides)
}

var lineRe = regexp.MustCompile(`^line (\d+): `)

// Parse decodes a scenario from YAML; name is used in error messages.
func Parse(data []byte, name string, overrides []string) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if g := flowErr.FindStringSubmatch(msg); g != nil {
			if line := unclosedFlowLine(data, g[1][0]); line > 0 {
				open := map[string]string{"]": "[", "}": "{"}[g[1]]
				return nil, fmt.Errorf("%s:%d: the %s opened on this line is not closed with %s", name, line, open, g[1])
			}
		}
		if lineRe.MatchString(msg) {
			return nil, fmt.Errorf("%s:%s", name, lineRe.ReplaceAllString(msg, "$1: "))
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty scenario", name)
	}
	if errs := checkShape(&root, name); len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	for _, o := range overrides {
		if err := Set(&root, o); err != nil {
			return nil, fmt.Errorf("--set %s: %w", o, err)
		}
		if errs := checkShape(&root, ""); len(errs) > 0 {
			return nil, fmt.Errorf("--set %s: %s", o, strings.Join(errs, "; "))
		}
	}
	if len(overrides) > 0 {
		// Report mistakes in the file with the file's own line numbers, before the overrides
		// re-encode it (which drops comments and moves lines).
		if _, err := decodeStrict(data, name); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	src := data
	if len(overrides) > 0 {
		src = buf.Bytes()
	}
	s, err := decodeStrict(src, name)
	if err != nil {
		if len(overrides) > 0 {
			return nil, fmt.Errorf("after --set: %w", err)
		}
		return nil, err
	}
	if err := s.validate(name, &root); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeStrict decodes src into a Scenario, failing on unknown fields and wrong types with
// name:line errors.
func decodeStrict(src []byte, name string) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i] = name + ":" + lineRe.ReplaceAllString(m, "$1: ")
			}
			return nil, errors.New(strings.Join(msgs, "\n"))
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if lineRe.MatchString(msg) {
			return nil, fmt.Errorf("%s:%s", name, lineRe.ReplaceAllString(msg, "$1: "))
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	return &s, nil
}

func (s *Scenario) validate(name string, root *yaml.Node) error {
	var errs []string
	bad := func(path, format string, a ...any) {
		line := lineOf(root, path)
		errs = append(errs, fmt.Sprintf("%s:%d: %s: %s", name, line, path, fmt.Sprintf(format, a...)))
	}
	targets := map[string]string{}
	for i, t := range s.Targets {
		p := "targets." + strconv.Itoa(i)
		switch t.Driver {
		case "rest", "grpc", "amqp", "kafka":
		default:
			bad(p+".driver", "unknown driver %q: want rest, grpc, amqp or kafka", t.Driver)
		}
		if t.Name == "" {
			bad(p+".name", "missing target name")
		} else if _, dup := targets[t.Name]; dup {
			bad(p+".name", "duplicate target name %q", t.Name)
		}
		if t.Address == "" {
			bad(p+".address", "missing address")
		}
		targets[t.Name] = t.Driver
	}
	ref := func(path, target, want string) {
		if target == "" {
			return
		}
		d, ok := targets[target]
		if !ok {
			bad(path, "no target named %q", target)
		} else if want != "" && d != want {
			bad(path, "target %q uses driver %s, want %s", target, d, want)
		}
	}
	for i, c := range s.Contracts {
		p := "contracts." + strconv.Itoa(i)
		if len(c.Pacts) == 0 && c.Broker == nil {
			bad(p+".pacts", "no pact sources (give pacts or a broker)")
		}
		if b := c.Broker; b != nil {
			if b.URL == "" {
				bad(p+".broker.url", "missing broker URL")
			}
			if b.Provider == "" {
				bad(p+".broker.provider", "missing provider name")
			}
			if b.Publish && b.ProviderVersion == "" {
				bad(p+".broker.provider_version", "publish needs the provider version")
			}
		}
		ref(p+".http", c.HTTP, "rest")
		ref(p+".grpc", c.GRPC, "grpc")
		ref(p+".kafka", c.Kafka, "kafka")
		ref(p+".amqp", c.AMQP, "amqp")
		for _, re := range []struct{ field, v string }{{"description", c.Description}, {"state", c.State}} {
			if _, err := regexp.Compile(re.v); err != nil {
				bad(p+"."+re.field, "invalid regular expression: %v", err)
			}
		}
	}
	for i, w := range s.Workloads {
		p := "workloads." + strconv.Itoa(i)
		if w.Name == "" {
			bad(p+".name", "missing workload name")
		}
		ref(p+".target", w.Target, "")
		if w.Target == "" {
			bad(p+".target", "missing target")
		}
		models := 0
		for _, set := range []bool{w.Rate != "", w.Stages != "", w.Concurrency > 0} {
			if set {
				models++
			}
		}
		if models > 1 {
			bad(p, "set one of rate, stages or concurrency")
		}
		if w.Duration == 0 && w.Count == 0 && w.Stages == "" {
			bad(p, "set duration, count or stages")
		}
		if w.Rate != "" {
			if _, err := bench.ParseRate(w.Rate); err != nil {
				bad(p+".rate", "%v", err)
			}
		}
		if w.Stages != "" {
			if _, err := bench.ParseStages(w.Stages); err != nil {
				bad(p+".stages", "%v", err)
			}
		}
		for j, th := range w.Thresholds {
			if _, err := threshold.Parse(th); err != nil {
				bad(p+".thresholds."+strconv.Itoa(j), "%v", err)
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// lineOf returns the line of the node at a dotted path ("workloads.0.rate"), or of its nearest
// existing parent.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		next := child(n, part)
		if next == nil {
			break
		}
		n = next
		line = n.Line
	}
	return line
}

// child returns the value node under a mapping key or sequence index (a number, or the name of an
// element whose `name` field equals part).
func child(n *yaml.Node, part string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(part); err == nil {
			if i >= 0 && i < len(n.Content) {
				return n.Content[i]
			}
			return nil
		}
		for _, e := range n.Content {
			if nm := child(e, "name"); nm != nil && nm.Value == part {
				return e
			}
		}
	}
	return nil
}

// Set applies one override "path=value" to a decoded YAML document: path is dotted, with sequence
// elements by index or by name ("workloads.get-order.rate=200/s", "targets.0.address=http://x").
// The value is parsed as YAML (so numbers, booleans and lists keep their types). A missing final
// key in a mapping is added; a missing intermediate path is an error.
func Set(doc *yaml.Node, override string) error {
	path, value, ok := strings.Cut(override, "=")
	if !ok || path == "" {
		return errors.New("want key=value, e.g. workloads.0.duration=5s")
	}
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ""}
	if len(v.Content) > 0 {
		val = v.Content[0]
	}
	n := doc
	if n.Kind == yaml.DocumentNode {
		n = n.Content[0]
	}
	parts := strings.Split(path, ".")
	for i, part := range parts {
		last := i == len(parts)-1
		next := child(n, part)
		if next == nil {
			if last && n.Kind == yaml.MappingNode {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: part}, val)
				return nil
			}
			where := "the top level"
			if i > 0 {
				where = strings.Join(parts[:i], ".")
			}
			return fmt.Errorf("no %q in %s", part, where)
		}
		if last {
			*next = *val
			return nil
		}
		n = next
	}
	return nil
}
