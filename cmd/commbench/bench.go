package main

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/formats/template"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// benchSubcommands lists the `bench` subcommands, one builder per driver. A new driver adds its
// builder here: it binds its flags to a benchFlags' workload and address, and calls its run.
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
  The target rate is reported beside the achieved throughput (successful operations per second
  of measured time); a run that falls behind says so. The load stops at warm-up + duration;
  operations still in flight after --drain are cancelled and counted as canceled.

Thresholds (--threshold, repeatable; a breach exits 1 after writing the results):
  p99<25ms  p99.9<=1s  service_time.p99<5ms  error_rate<0.1%  throughput>=1000/s
  errors==0  dropped==0  late<1%  lost==0  duplicates==0 (messaging)
  Latency statistics are of successful operations (failed_latency.p99: of the failed ones).
  Defaults, marked [default]: error_rate<1% unless an error_rate threshold is given (relax it
  with e.g. --threshold 'error_rate<5%'); succeeded>0 always; connections_lost==0 (messaging).`

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

// registerLoad binds the load model flags to the workload's fields, as a scenario's workload
// gives them (the runner parses them), and adds the output flags. Rates and stages are checked as
// they are parsed, so a bad one is a usage error naming its flag.
func (b *benchFlags) registerLoad(fs *pflag.FlagSet) {
	w := &b.w
	fs.Var(checked{&w.Rate, func(s string) error { _, err := bench.ParseRate(s); return err }}, "rate", "open model: constant arrival rate, e.g. 5000/s (also /m, /h)")
	fs.Var(checked{&w.Stages, func(s string) error { _, err := bench.ParseStages(s); return err }}, "stages", "open model: DURATION:RATE stages, e.g. 30s:1000,60s:5000,30s:0 (linear ramps)")
	fs.IntVarP(&w.Concurrency, "concurrency", "c", 10, "closed model: workers sending back to back")
	fs.IntVar(&b.maxInFlight, "max-in-flight", 100, "open model: most requests in flight (the worker pool); a send with no free worker at its intended time is late")
	fs.IntVar(&w.MaxBacklog, "max-backlog", 0, "open model: overdue sends beyond which the oldest are dropped (default 10 x the peak rate, at least 1000)")
	fs.DurationVarP((*time.Duration)(&w.Duration), "duration", "d", 0, "measured load duration, after --warmup (default 10s unless --count or --stages)")
	fs.Int64VarP(&w.Count, "count", "n", 0, "stop after this many measured sends")
	fs.DurationVar((*time.Duration)(&w.Warmup), "warmup", 0, "run the load this long first and leave it out of every figure")
	fs.DurationVar((*time.Duration)(&w.Drain), "drain", 5*time.Second, "after the load, wait this long for in-flight operations (and messages) before cancelling them")
	fs.StringArrayVar(&w.Thresholds, "threshold", nil, "pass/fail criterion, e.g. 'p99<25ms' (repeatable)")
	// The output flags are report.go's, defined once for verify, bench, run and report.
	outputs := &cobra.Command{}
	b.outputs.add(outputs, true)
	b.outputs.addStepSummary(outputs)
	fs.AddFlagSet(outputs.Flags())
	fs.StringVar(&w.Name, "name", "", "workload name in the results (default: driver and operation)")
	fs.IntVar(&b.repeat, "repeat", 1, "run the workload this many times in a row, all runs in one results file (for report compare, which tests the noise between runs: 4 or more)")
}

// checkLoad checks what only the flags can get wrong (a flag of the other load model) and fills
// the bench defaults: 10 s unless --count or --stages, --max-in-flight when given.
func (b *benchFlags) checkLoad(fs *pflag.FlagSet) error {
	open := b.w.Rate != "" || b.w.Stages != ""
	switch {
	case open && fs.Changed("concurrency"):
		return exitcode.Usagef("--concurrency is the closed model; with --rate or --stages bound the workers with --max-in-flight")
	case !open && (fs.Changed("max-in-flight") || fs.Changed("max-backlog")):
		return exitcode.Usagef("--max-in-flight and --max-backlog are for the open model (--rate or --stages)")
	case b.repeat < 1:
		return exitcode.Usagef("--repeat must be at least 1")
	case b.w.Concurrency < 1 || b.maxInFlight < 1 || b.w.MaxBacklog < 0:
		return exitcode.Usagef("--concurrency and --max-in-flight must be at least 1, --max-backlog not negative")
	}
	if fs.Changed("max-in-flight") {
		b.w.MaxInFlight = b.maxInFlight // open model workers; messaging: the bound on unacknowledged sends
	}
	if b.w.Duration == 0 && b.w.Count == 0 && b.w.Stages == "" {
		b.w.Duration = scenario.Duration(10 * time.Second)
	}
	return nil
}

// checked is a string flag that parse must accept (cobra then names the flag in the error).
type checked struct {
	dst   *string
	parse func(string) error
}

func (c checked) String() string {
	if c.dst == nil {
		return ""
	}
	return *c.dst
}
func (c checked) Type() string { return "string" }
func (c checked) Set(s string) error {
	if err := c.parse(s); err != nil {
		return err
	}
	*c.dst = s
	return nil
}

// benchFlags are what a bench subcommand fills: the runner's workload, whose fields its flags
// bind to as a scenario file fills them, the target's address and connection flags, the load
// model and the outputs.
type benchFlags struct {
	address     string
	w           scenario.Workload
	tf          targetFlags
	maxInFlight int
	repeat      int
	outputs     reportFlags // --out (results JSON), --html, --junit, --md, --step-summary (report.go)
}

// register adds the payload flags (templateFlag and help name the template; with schema, the
// format and schema flags too), the connection flags (headerHelp names what --header sets) and the
// load flags.
func (b *benchFlags) register(fs *pflag.FlagSet, templateFlag, help, headerHelp string, schema bool) {
	p := &b.w.Payload
	if schema {
		fs.StringVar(&p.Format, "format", "json", "body wire format: json, protobuf or avro")
		fs.StringVar(&p.Schema, "schema", "", "body schema: .proto or protoset (protobuf), .avsc (avro)")
		fs.StringSliceVar(&p.SchemaDeps, "schema-dep", nil, "further schema files (repeatable)")
		fs.StringVar(&p.Message, "message", "", "Protobuf message of the body, e.g. shop.v1.Order")
		fs.StringSliceVarP(&p.ImportPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	}
	fs.StringVar(&p.Template, templateFlag, "", help+" (formats/template syntax: {{.Seq}}, {{uuid}}, {{randInt 1 9}}...)")
	fs.StringVar(&p.DataFile, "data-file", "", "CSV or JSONL rows the template reads as {{.Row.name}}")
	fs.IntVar(&p.Ring, "payload-ring", 0, "pre-generate this many payloads and cycle through them (0: generate each one)")
	fs.IntVar(&p.MaxBytes, "max-payload-bytes", template.DefaultMaxPayloadBytes, "largest payload a template may generate, in bytes (a template past it fails before the load)")
	b.tf.register(fs, headerHelp)
	b.registerLoad(fs)
}

// run runs the workload through runner.Bench: the load flags checked (exit 2 on bad input), the
// target (prepare checks the flags and completes it; its errors carry their exit code), the run
// (bad input 2, unreachable 3, with progress on stderr), then the results file and reports
// (reports.WriteOutputs; a path that cannot be written exits 2) and the summary on stdout (stderr
// when a report goes to stdout as "-"). A breached threshold exits 1 and an interrupted run 3,
// both after the results are written.
func (b *benchFlags) run(cmd *cobra.Command, a *app, driver string, prepare func(*scenario.Target) error) error {
	if err := b.checkLoad(cmd.Flags()); err != nil {
		return err
	}
	t, err := b.tf.target(a, driver, driver, b.address)
	if err != nil {
		return err
	}
	if err := prepare(&t); err != nil {
		return err
	}
	f, runErr := runner.BenchRepeated(cmd.Context(), runner.Workload{Target: t, Workload: b.w}, a.runnerOptions("bench"), b.repeat)
	if f == nil {
		return runErr
	}
	outputs := b.outputs.outputs(a)
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
	reports.WorkloadDetails(summary, &f.Workloads[0])
	return cmp.Or(runErr, runner.Verdict(f))
}

// required is a usage error when any of values is empty.
func required(msg string, values ...string) error {
	if slices.Contains(values, "") {
		return exitcode.Usagef("%s", msg)
	}
	return nil
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
		k, v, ok := scenario.SplitHeader(h, false)
		if !ok {
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

func newBenchRESTCmd(a *app) *cobra.Command {
	b := &benchFlags{w: scenario.Workload{Operation: "request"}}
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
			return b.run(cmd, a, "rest", func(*scenario.Target) error {
				return required("--url is required, e.g. --url http://127.0.0.1:8080", b.address)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&b.address, "url", "", "base URL of the service, e.g. http://127.0.0.1:8080")
	fs.StringVarP(&b.w.Method, "method", "X", "GET", "HTTP method")
	fs.StringVar(&b.w.Path, "path", "/", "request path with query, e.g. /orders?limit=10")
	fs.StringVar(&b.w.HTTPClient, "http-client", "fast", "HTTP client: fast (HTTP/1.1 with fasthttp, the lowest overhead) or net (drivers/rest on net/http: HTTP/2, h2c and --option)")
	fs.StringVar(&b.w.Payload.ContentType, "content-type", "", "Content-Type of request bodies (default: the format's)")
	b.register(fs, "body-template", "request body template file", "HTTP header", true)
	return cmd
}

func newBenchGRPCCmd(a *app) *cobra.Command {
	var (
		b                   benchFlags
		protos, importPaths []string
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
			// No operation: the method's descriptor gives the call type.
			return b.run(cmd, a, "grpc", func(t *scenario.Target) error {
				if b.w.Connections < 1 {
					return exitcode.Usagef("--connections must be at least 1")
				}
				t.Proto, t.ImportPaths = protos, importPaths
				return required("--address, --proto and --method are required", b.address, b.w.Method, strings.Join(protos, ","))
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&b.address, "address", "", "host:port of the gRPC server")
	fs.StringVar(&b.w.Method, "method", "", "method: pkg.Service/Method (or /pkg.Service/Method)")
	fs.StringSliceVar(&protos, "proto", nil, ".proto file(s) or a protoset declaring the method (repeatable)")
	fs.StringSliceVarP(&importPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	fs.IntVar(&b.w.Connections, "connections", 1, "HTTP/2 connections the workers share")
	fs.IntVar(&b.w.MessagesPerStream, "messages-per-stream", 0, "streaming methods: request messages per client-/bidi-stream (default 1), responses after which a server stream is cancelled (default: all)")
	b.register(fs, "message-template", "request message template file (JSON of the input message)", "metadata", false)
	return cmd
}
