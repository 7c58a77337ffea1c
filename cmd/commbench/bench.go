package main

import (
	"cmp"
	"github.com/commbench/commbench/runner"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/formats/template"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/internal/redact"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/scenario"
)

// benchSubcommands lists the `bench` subcommands, one builder per driver. A new driver adds its
// builder here: it registers its own flags plus loadFlags, and calls runBench with a function
// mapping its flags to the runner's workload.
var benchSubcommands = []func(*app) *cobra.Command{
	newBenchRESTCmd,
	newBenchGRPCCmd,
	newBenchAMQPCmd, newBenchKafkaCmd, // bench_messaging.go
}

const loadFlagsHelp = `Load models:
  closed (default): --concurrency workers send back to back (maximum throughput).
  open: --rate 5000/s, or --stages 30s:1000,60s:5000,30s:0 (linear ramps of the arrival rate
  from the previous target, the first from 0, as k6's ramping-arrival-rate; a 0s stage jumps).
  Latency is measured from the intended send time (coordinated-omission free) and reported
  beside service time and schedule delay; sends that leave more than one interval late are
  counted as late, and beyond --max-backlog overdue sends the oldest are dropped and counted.

Thresholds (--threshold, repeatable; a breach exits 1 after writing the results):
  p99<25ms  p99.9<=1s  service_time.p99<5ms  error_rate<0.1%  throughput>=1000/s
  errors==0  dropped==0  lost==0  duplicates==0 (messaging)`

func newBenchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark a service: throughput, latency percentiles, errors (and messaging integrity)",
		Long: `Apply load to a service through one driver and measure throughput, latency percentiles
(HdrHistogram, 1 µs to 60 s, 3 significant digits), a per-second time series and classified
errors. Results go to --out as a commbench.results/v1 file, reports to --html (self-contained
page), --junit (one testcase per threshold) and --md; a summary table is printed at the end.

` + loadFlagsHelp,
		Example: `  # REST, closed model: 8 workers for 10 s, fail when p99 exceeds 25 ms
  commbench bench rest --url http://127.0.0.1:8080 --path /orders/o-1 -c 8 -d 10s --threshold 'p99<25ms'

  # gRPC unary at a constant arrival rate, results and an HTML report
  commbench bench grpc --address 127.0.0.1:50051 --proto shop.proto --method shop.v1.OrderService/GetOrder \
    --rate 500/s -d 30s -o grpc.json --html grpc.html

  # Kafka produce+consume with loss and duplicate checks
  commbench bench kafka --brokers 127.0.0.1:9092 --topic orders --rate 2000/s -d 30s \
    --threshold 'lost==0' --threshold 'duplicates==0'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	for _, build := range benchSubcommands {
		cmd.AddCommand(build(a))
	}
	return cmd
}

// loadFlags are the flags every bench subcommand shares: load model, thresholds and outputs.
type loadFlags struct {
	rate, stages string
	concurrency  int
	maxInFlight  int
	maxBacklog   int
	duration     time.Duration
	count        uint64
	warmup       time.Duration
	drain        time.Duration
	thresholds   []string
	outputs      reportFlags // --out (results JSON), --html, --junit, --md, --step-summary (report.go)
	name         string
	repeat       int
}

func (l *loadFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.rate, "rate", "", "open model: constant arrival rate, e.g. 5000/s (also /m, /h)")
	fs.StringVar(&l.stages, "stages", "", "open model: DURATION:RATE stages, e.g. 30s:1000,60s:5000,30s:0 (linear ramps)")
	fs.IntVarP(&l.concurrency, "concurrency", "c", 10, "closed model: workers sending back to back")
	fs.IntVar(&l.maxInFlight, "max-in-flight", 100, "open model: most requests in flight (the worker pool); a send with no free worker at its intended time is late")
	fs.IntVar(&l.maxBacklog, "max-backlog", 0, "open model: overdue sends beyond which the oldest are dropped (default 10 x the peak rate, at least 1000)")
	fs.DurationVarP(&l.duration, "duration", "d", 0, "measured load duration, after --warmup (default 10s unless --count or --stages)")
	fs.Uint64VarP(&l.count, "count", "n", 0, "stop after this many measured sends")
	fs.DurationVar(&l.warmup, "warmup", 0, "run the load this long first and leave it out of every figure")
	fs.DurationVar(&l.drain, "drain", 5*time.Second, "after the load, wait this long for in-flight operations (and messages) before cancelling them")
	fs.StringArrayVar(&l.thresholds, "threshold", nil, "pass/fail criterion, e.g. 'p99<25ms' (repeatable)")
	// The output flags are report.go's, defined once for verify, bench, run and report.
	outputs := &cobra.Command{}
	l.outputs.add(outputs, true)
	l.outputs.addStepSummary(outputs)
	fs.AddFlagSet(outputs.Flags())
	fs.StringVar(&l.name, "name", "", "workload name in the results (default: driver and operation)")
	fs.IntVar(&l.repeat, "repeat", 1, "run the workload this many times in a row, all runs in one results file (for report compare, which tests the noise between runs: 4 or more)")
}

// config returns the engine configuration and thresholds the flags describe; errors are usage
// errors (exit 2).
func (l *loadFlags) config(fs *pflag.FlagSet) (bench.Config, []threshold.Threshold, error) {
	var cfg bench.Config
	var err error
	if l.rate != "" {
		if cfg.Rate, err = bench.ParseRate(l.rate); err != nil {
			return cfg, nil, exitcode.Usagef("--rate: %w", err)
		}
	}
	if l.stages != "" {
		if cfg.Stages, err = bench.ParseStages(l.stages); err != nil {
			return cfg, nil, exitcode.Usagef("--stages: %w", err)
		}
	}
	if cfg.Open() && fs.Changed("concurrency") {
		return cfg, nil, exitcode.Usagef("--concurrency is the closed model; with --rate or --stages bound the workers with --max-in-flight")
	}
	if !cfg.Open() && (fs.Changed("max-in-flight") || fs.Changed("max-backlog")) {
		return cfg, nil, exitcode.Usagef("--max-in-flight and --max-backlog are for the open model (--rate or --stages)")
	}
	if l.repeat < 1 {
		return cfg, nil, exitcode.Usagef("--repeat must be at least 1")
	}
	if l.concurrency < 1 || l.maxInFlight < 1 || l.maxBacklog < 0 {
		return cfg, nil, exitcode.Usagef("--concurrency and --max-in-flight must be at least 1, --max-backlog not negative")
	}
	cfg.Workers = l.concurrency
	if cfg.Open() {
		cfg.Workers = l.maxInFlight
	}
	cfg.MaxBacklog, cfg.Duration, cfg.Count, cfg.Warmup, cfg.Drain = l.maxBacklog, l.duration, l.count, l.warmup, l.drain
	if cfg.Duration == 0 && cfg.Count == 0 && len(cfg.Stages) == 0 {
		cfg.Duration = 10 * time.Second
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, exitcode.Usagef("%w", err)
	}
	ths, err := threshold.ParseAll(l.thresholds)
	if err != nil {
		return cfg, nil, exitcode.Usagef("--threshold: %w", err)
	}
	return cfg, ths, nil
}

// runBench runs one workload through runner.Bench: flags to the load model (exit 2 on bad input),
// build (its errors carry their exit code), the run (bad input 2, unreachable 3, with progress on
// stderr), then the results file and reports (reports.WriteOutputs; a path that cannot be
// written exits 2) and the summary on stdout (stderr when a report goes to stdout as "-"). A
// breached threshold exits 1 and an interrupted run 3, both after the results are written.
func runBench(cmd *cobra.Command, a *app, l *loadFlags, build func() (runner.Workload, error)) error {
	cfg, ths, err := l.config(cmd.Flags())
	if err != nil {
		return err
	}
	w, err := build()
	if err != nil {
		return err
	}
	w.Load, w.Thresholds, w.Workload.Name = &cfg, ths, l.name
	f, runErr := runner.BenchRepeated(cmd.Context(), w, a.runnerOptions("bench"), l.repeat)
	if f == nil {
		return runErr
	}
	res := &f.Workloads[0]
	outputs := l.outputs.outputs(a)
	if err := reports.WriteOutputs(f, outputs); err != nil {
		return exitcode.Usagef("write reports: %w", err)
	}
	summary := a.stdout
	if slices.Contains([]string{outputs.JSON, outputs.HTML, outputs.JUnit, outputs.Markdown}, "-") {
		summary = a.stderr // stdout carries a report
	}
	if err := reports.Text(summary, f, a.Color(summary)); err != nil {
		return err
	}
	reports.WorkloadDetails(summary, res)
	return cmp.Or(runErr, runner.Verdict(f))
}

// targetFlags are the connection flags of the request/response drivers.
type targetFlags struct {
	headers        []string
	options        []string
	requestTimeout time.Duration
	connectTimeout time.Duration
	tls            drivers.TLS
}

func (t *targetFlags) register(fs *pflag.FlagSet, headerHelp string) {
	fs.StringArrayVarP(&t.headers, "header", "H", nil, headerHelp+` "Name: value" (repeatable; ${VAR} expands from the environment; values are never written to results)`)
	fs.StringArrayVar(&t.options, "option", nil, "driver option key=value (repeatable; see the driver's documentation)")
	fs.DurationVar(&t.requestTimeout, "request-timeout", drivers.DefaultRequestTimeout, "bound on one request")
	fs.DurationVar(&t.connectTimeout, "connect-timeout", drivers.DefaultConnectTimeout, "bound on connecting")
	fs.BoolVar(&t.tls.Enabled, "tls", false, "connect with TLS (implied by https:// and amqps:// addresses and by the other TLS flags)")
	fs.StringVar(&t.tls.CAFile, "ca-file", "", "PEM file of the certificate authorities to trust (default: the system's)")
	fs.StringVar(&t.tls.CertFile, "cert-file", "", "PEM client certificate for mutual TLS (with --key-file)")
	fs.StringVar(&t.tls.KeyFile, "key-file", "", "PEM private key of --cert-file")
	fs.StringVar(&t.tls.ServerName, "server-name", "", "name to verify the server's certificate against (default: the address's host)")
	fs.BoolVar(&t.tls.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the server's certificate (testing only: anyone can impersonate the server)")
}

// target is the runner's target the flags describe for driver at address (name: what errors
// call it, "" for the runner's defaults). Its ${VAR} and ${VAR:-default} references are expanded
// once, here (scenario.Target.ExpandEnv), so a value containing '$' (a secret) arrives intact;
// header values are checked first, so that an unset variable is a usage error naming the flag.
func (t *targetFlags) target(a *app, name, driver, address string) (scenario.Target, error) {
	st := scenario.Target{Name: name, Driver: driver, Address: address, TLS: t.tlsSettings(),
		ConnectTimeout: scenario.Duration(t.connectTimeout), RequestTimeout: scenario.Duration(t.requestTimeout)}
	for _, h := range t.headers {
		k, v, ok := strings.Cut(h, ":")
		if k, v = strings.TrimSpace(k), strings.TrimSpace(v); !ok || k == "" {
			return st, exitcode.Usagef("--header %q: want \"Name: value\"", h)
		}
		if _, err := drivers.ExpandEnv(v, a.LookupEnv); err != nil {
			return st, exitcode.Usagef("--header %s: %w", k, err)
		}
		if st.Headers == nil {
			st.Headers = map[string]string{}
		}
		st.Headers[k] = v
	}
	for _, o := range t.options {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return st, exitcode.Usagef("--option %q: want key=value", o)
		}
		if st.Options == nil {
			st.Options = map[string]string{}
		}
		st.Options[k] = v
	}
	st, err := st.ExpandEnv(a.LookupEnv)
	if err != nil {
		return st, exitcode.Usagef("%w", err)
	}
	return st, nil
}

// tlsSettings returns the TLS flags, TLS turned on when any of them is given.
func (t *targetFlags) tlsSettings() drivers.TLS {
	s := t.tls
	s.Enabled = s.Enabled || s.CAFile != "" || s.CertFile != "" || s.ServerName != "" || s.InsecureSkipVerify
	return s
}

// redactURL is internal/redact's URL: no user info or query value reaches results or logs.
func redactURL(s string) string { return redact.URL(s) }

// payloadFlags select the body template and data file of requests or messages.
type payloadFlags struct {
	template string
	dataFile string
	ring     int
	maxBytes int
}

func (p *payloadFlags) register(fs *pflag.FlagSet, name, help string) {
	fs.StringVar(&p.template, name, "", help+" (formats/template syntax: {{.Seq}}, {{uuid}}, {{randInt 1 9}}...)")
	fs.StringVar(&p.dataFile, "data-file", "", "CSV or JSONL rows the template reads as {{.Row.name}}")
	fs.IntVar(&p.ring, "payload-ring", 0, "pre-generate this many payloads and cycle through them (0: generate each one)")
	fs.IntVar(&p.maxBytes, "max-payload-bytes", template.DefaultMaxPayloadBytes, "largest payload a template may generate, in bytes (a template past it fails before the load)")
}

// payload is the scenario payload the flags describe (built by workload.go's payloadSource).
func (p *payloadFlags) payload(format, schema, message string, deps, importPaths []string, contentType string) scenario.Payload {
	return scenario.Payload{Format: format, Schema: schema, Message: message, SchemaDeps: deps, ImportPaths: importPaths,
		Template: p.template, DataFile: p.dataFile, Ring: p.ring, ContentType: contentType, MaxBytes: p.maxBytes}
}

func newBenchRESTCmd(a *app) *cobra.Command {
	var (
		l                        loadFlags
		tf                       targetFlags
		pf                       payloadFlags
		baseURL, method, path    string
		format, schema, message  string
		contentType, client      string
		importPaths, schemaFiles []string
	)
	cmd := &cobra.Command{
		Use:   "rest",
		Short: "Benchmark an HTTP endpoint",
		Long: `Send HTTP requests to --url + --path (HTTP/1.1 keep-alive with fasthttp by default; with
--http-client net through drivers/rest on net/http, for HTTP/2 over TLS or h2c via --option), with a body generated per request from --body-template, encoded as
--format (json, protobuf with --schema and --message, avro with --schema). Responses with an
HTTP status of 400 or more count as errors (classes http_4xx, http_5xx).

` + loadFlagsHelp,
		Example: `  # closed model, 50 connections, 30 s
  commbench bench rest --url http://127.0.0.1:8080 --path /orders/1 -c 50 -d 30s

  # open model at 5000/s with a JSON body and thresholds, results to a file
  commbench bench rest --url http://127.0.0.1:8080 --method POST --path /orders \
    --body-template order.json --rate 5000/s -d 1m --threshold 'p99<25ms' --out results.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd, a, &l, func() (runner.Workload, error) {
				if baseURL == "" {
					return runner.Workload{}, exitcode.Usagef("--url is required, e.g. --url http://127.0.0.1:8080")
				}
				st, err := tf.target(a, "rest", "rest", baseURL)
				if err != nil {
					return runner.Workload{}, err
				}
				w := scenario.Workload{
					Operation: "request", Method: method, Path: path, HTTPClient: client,
					Payload: pf.payload(format, schema, message, schemaFiles, importPaths, contentType),
				}
				return runner.Workload{Target: st, Workload: w}, nil
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&baseURL, "url", "", "base URL of the service, e.g. http://127.0.0.1:8080")
	fs.StringVarP(&method, "method", "X", "GET", "HTTP method")
	fs.StringVar(&path, "path", "/", "request path with query, e.g. /orders?limit=10")
	fs.StringVar(&client, "http-client", "fast", "HTTP client: fast (HTTP/1.1 with fasthttp, the lowest overhead) or net (drivers/rest on net/http: HTTP/2, h2c and --option)")
	fs.StringVar(&contentType, "content-type", "", "Content-Type of request bodies (default: the format's)")
	fs.StringVar(&format, "format", "json", "body wire format: json, protobuf or avro")
	fs.StringVar(&schema, "schema", "", "body schema: .proto or protoset (protobuf), .avsc (avro)")
	fs.StringSliceVar(&schemaFiles, "schema-dep", nil, "further schema files (repeatable)")
	fs.StringVar(&message, "message", "", "Protobuf message of the body, e.g. shop.v1.Order")
	fs.StringSliceVarP(&importPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	pf.register(fs, "body-template", "request body template file")
	tf.register(fs, "HTTP header")
	l.register(fs)
	return cmd
}

func newBenchGRPCCmd(a *app) *cobra.Command {
	var (
		l                   loadFlags
		tf                  targetFlags
		pf                  payloadFlags
		address, method     string
		protos, importPaths []string
		connections         int
		messagesPerStream   int
	)
	cmd := &cobra.Command{
		Use:   "grpc",
		Short: "Benchmark a gRPC method: unary, server-, client- or bidi-streaming",
		Long: `Call a gRPC method (drivers/grpc, dynamic invocation: no generated code) with request
messages generated from --message-template (JSON text of the method's input message, encoded
with the schema from --proto). Calls with a non-OK status count as errors (classes
grpc_UNAVAILABLE, grpc_RESOURCE_EXHAUSTED...). Workers share --connections HTTP/2 connections.

The call type comes from the method's descriptor. For a streaming method one operation is one
whole stream: latency is per stream, and the messages sent and received are counted.
--messages-per-stream N: a client- or bidi-streaming call sends N request messages (default 1;
message k of stream s is template sequence number s*N+k); a server-streaming call sends one and
is cancelled after N responses (default 0: read until the server ends the stream).

` + loadFlagsHelp,
		Example: `  commbench bench grpc --address 127.0.0.1:50051 --proto shop.proto \
    --method shop.v1.OrderService/GetOrder --message-template get.json -c 50 -d 30s

  # server streaming: one WatchOrders stream per operation, read to its end
  commbench bench grpc --address 127.0.0.1:50051 --proto shop.proto \
    --method shop.v1.OrderService/WatchOrders --message-template watch.json -c 20 -d 30s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd, a, &l, func() (runner.Workload, error) {
				if address == "" || method == "" || len(protos) == 0 {
					return runner.Workload{}, exitcode.Usagef("--address, --proto and --method are required")
				}
				if connections < 1 {
					return runner.Workload{}, exitcode.Usagef("--connections must be at least 1")
				}
				t, err := tf.target(a, "grpc", "grpc", address)
				if err != nil {
					return runner.Workload{}, err
				}
				t.Proto, t.ImportPaths = protos, importPaths
				// No operation: the method's descriptor gives the call type.
				w := scenario.Workload{Method: method, Connections: connections, MessagesPerStream: messagesPerStream, Payload: pf.payload("", "", "", nil, nil, "")}
				return runner.Workload{Target: t, Workload: w}, nil
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&address, "address", "", "host:port of the gRPC server")
	fs.StringVar(&method, "method", "", "method: pkg.Service/Method (or /pkg.Service/Method)")
	fs.StringSliceVar(&protos, "proto", nil, ".proto file(s) or a protoset declaring the method (repeatable)")
	fs.StringSliceVarP(&importPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	fs.IntVar(&connections, "connections", 1, "HTTP/2 connections the workers share")
	fs.IntVar(&messagesPerStream, "messages-per-stream", 0, "streaming methods: request messages per client-/bidi-stream (default 1), responses after which a server stream is cancelled (default: all)")
	pf.register(fs, "message-template", "request message template file (JSON of the input message)")
	tf.register(fs, "metadata")
	l.register(fs)
	return cmd
}
