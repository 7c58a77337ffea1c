package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/httpload"
	"github.com/commbench/commbench/bench/messaging"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/bench/progress"
	"github.com/commbench/commbench/bench/request"
	"github.com/commbench/commbench/bench/stream"
	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/formats/template"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// This file is the one builder of benchmarks: a scenario.Workload against a scenario.Target
// becomes an engine configuration (loadConfig) and an opened operation (openWorkload), which
// measureWorkload runs. `commbench run` and `commbench demo` build every workload here.

// Defaults of the load model, as the bench flags document them.
const (
	defaultConcurrency = 10
	defaultMaxInFlight = 100
	defaultDrain       = 5 * time.Second
)

// loadConfig returns the engine configuration and thresholds of w: the closed model with
// Concurrency workers (default 10) unless Rate or Stages ask for the open model (MaxInFlight
// workers, default 100). Errors are usage errors (exit 2) naming the workload.
func loadConfig(w scenario.Workload) (bench.Config, []threshold.Threshold, error) {
	var cfg bench.Config
	bad := func(err error) (bench.Config, []threshold.Threshold, error) {
		return cfg, nil, exitcode.Usagef("workload %q: %w", w.Name, err)
	}
	var err error
	if w.Rate != "" {
		if cfg.Rate, err = bench.ParseRate(w.Rate); err != nil {
			return bad(fmt.Errorf("rate: %w", err))
		}
	}
	if w.Stages != "" {
		if cfg.Stages, err = bench.ParseStages(w.Stages); err != nil {
			return bad(fmt.Errorf("stages: %w", err))
		}
	}
	if w.Concurrency < 0 || w.MaxInFlight < 0 || w.MaxBacklog < 0 || w.Count < 0 {
		return bad(errors.New("concurrency, max_in_flight, max_backlog and count must not be negative"))
	}
	cfg.Workers = w.Concurrency
	if cfg.Workers == 0 {
		cfg.Workers = defaultConcurrency
	}
	if cfg.Open() {
		cfg.Workers = w.MaxInFlight
		if cfg.Workers == 0 {
			cfg.Workers = defaultMaxInFlight
		}
	}
	cfg.MaxBacklog, cfg.Duration, cfg.Count, cfg.Warmup = w.MaxBacklog, w.Duration.Std(), uint64(w.Count), w.Warmup.Std()
	cfg.Drain = w.Drain.Std()
	if cfg.Drain == 0 {
		cfg.Drain = defaultDrain
	}
	cfg.Info.Name = w.Name
	if err := cfg.Validate(); err != nil {
		return bad(err)
	}
	ths, err := threshold.ParseAll(w.Thresholds)
	if err != nil {
		return bad(fmt.Errorf("thresholds: %w", err))
	}
	integrity := isIntegrityOperation(w.Operation)
	if w.Integrity && !integrity {
		return bad(fmt.Errorf("integrity needs a publish-consume (AMQP) or produce-consume (Kafka) operation, not %q", w.Operation))
	}
	for _, t := range ths {
		if t.NeedsIntegrity() && !integrity {
			return bad(fmt.Errorf("threshold %q: operation %q produces no messaging integrity figures (only publish-consume and produce-consume do)", t.Expr, w.Operation))
		}
	}
	return cfg, ths, nil
}

// isIntegrityOperation reports whether op is checked for order, duplicates and loss.
func isIntegrityOperation(op string) bool {
	return op == messaging.PublishConsume || op == messaging.ProduceConsume
}

// driverTarget is the drivers.Target of t, whose ${VAR} references are already expanded
// (scenario.Target.ExpandEnv, or scenarioTarget for the bench flags). The drivers expand header
// values with LookupEnv once more, so '$' is escaped as "$$" here: a value that holds '$' (a
// secret) reaches the target as it is. Workload headers, merged in later, are expanded there
// once.
func driverTarget(a *app, t scenario.Target) drivers.Target {
	var headers map[string]string
	if t.Headers != nil {
		headers = make(map[string]string, len(t.Headers))
		for k, v := range t.Headers {
			headers[k] = strings.ReplaceAll(v, "$", "$$")
		}
	}
	// t is expanded already: escape '$' so the drivers' own ${NAME} pass leaves values as they are.
	return drivers.Target{
		Address: strings.ReplaceAll(t.Address, "$", "$$"), TLS: t.TLS, Username: t.Username, Password: t.Password,
		Headers: headers, LookupEnv: a.LookupEnv, Options: copyMap(t.Options),
		ConnectTimeout: t.ConnectTimeout.Std(), RequestTimeout: t.RequestTimeout.Std(),
	}
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// scenarioTarget is the scenario target of a bench subcommand's flags (tg from targetFlags, header
// values as written): the bench flags and scenario files build workloads through the same
// openWorkload, which takes expanded targets, so the header values' ${VAR} references are
// expanded here, once, with tg.LookupEnv. Errors are usage errors naming the header.
func scenarioTarget(driver string, tg drivers.Target) (scenario.Target, error) {
	headers, err := tg.ExpandHeaders()
	if err != nil {
		return scenario.Target{}, exitcode.Usagef("--header: %w", err)
	}
	return scenario.Target{
		Name: driver, Driver: driver, Address: tg.Address, TLS: tg.TLS, Username: tg.Username, Password: tg.Password,
		Headers: headers, Options: tg.Options,
		ConnectTimeout: scenario.Duration(tg.ConnectTimeout), RequestTimeout: scenario.Duration(tg.RequestTimeout),
	}, nil
}

// openWorkload opens w against t (expanded, see driverTarget) and adjusts cfg to it (workers of
// a messaging workload). The workload is named w.Name, else by what it does ("GET /path", the
// gRPC method path, "kafka produce-consume"). Errors carry their exit code: bad input 2, an unreachable target 3.
func openWorkload(ctx context.Context, a *app, t scenario.Target, w scenario.Workload, cfg *bench.Config) (*benchWorkload, error) {
	wl, err := openByDriver(ctx, a, t, w, cfg)
	if err != nil {
		var e *exitcode.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, exitcode.Usagef("workload %q: %w", w.Name, err)
	}
	if w.Name != "" {
		wl.info.Name = w.Name
	}
	cfg.Info = wl.info
	return wl, nil
}

func openByDriver(ctx context.Context, a *app, t scenario.Target, w scenario.Workload, cfg *bench.Config) (*benchWorkload, error) {
	shown := scenario.RedactURL(t.Address)
	switch t.Driver {
	case "rest":
		return openREST(ctx, a, t, w, cfg, shown)
	case "grpc":
		return openGRPC(ctx, a, t, w, cfg)
	case "amqp", "kafka":
		return openMessaging(ctx, a, t, w, cfg, shown)
	}
	return nil, fmt.Errorf("target %q: unknown driver %q: want rest, grpc, amqp or kafka", t.Name, t.Driver)
}

func openREST(ctx context.Context, a *app, t scenario.Target, w scenario.Workload, cfg *bench.Config, shown string) (*benchWorkload, error) {
	if w.Operation != "request" {
		return nil, fmt.Errorf("operation %q: a rest target runs the operation \"request\"", w.Operation)
	}
	tg := driverTarget(a, t)
	tg.Headers = mergeHeaders(tg.Headers, w.Headers)
	codec, err := payloadCodec(w.Payload)
	if err != nil {
		return nil, err
	}
	src, err := payloadSource(w.Payload, codec)
	if err != nil {
		return nil, err
	}
	contentType := contentTypeOf(w.Payload, src, codec)
	method, path := strings.ToUpper(w.Method), w.Path
	if method == "" {
		method = "GET"
	}
	if path == "" {
		path = "/"
	}
	client := w.HTTPClient
	if client == "" {
		client = "fast"
		if len(t.Options) > 0 {
			client = "net"
		}
	}
	var (
		op      bench.Operation
		closeOp func()
	)
	switch client {
	case "fast":
		if len(t.Options) > 0 {
			return nil, errors.New("target options are drivers/rest options: use them with http_client net")
		}
		fop, err := httpload.New(ctx, httpload.Config{Target: tg, Method: method, Path: path, ContentType: contentType, Body: src, Workers: cfg.Workers})
		if err != nil {
			return nil, openError("open "+shown, err)
		}
		op, closeOp = fop, func() { fop.Close() }
	case "net":
		if _, ok := tg.Options["max_idle_conns_per_host"]; !ok {
			tg.Options["max_idle_conns_per_host"] = fmt.Sprint(cfg.Workers)
		}
		conn, err := rest.New().Open(ctx, tg)
		if err != nil {
			return nil, openError("open "+shown, err)
		}
		rop, err := request.New([]drivers.Requester{conn.(drivers.Requester)}, drivers.Message{Method: method, Route: path, ContentType: contentType}, src, request.HTTPStatus, cfg.Workers)
		if err != nil {
			conn.Close()
			return nil, err
		}
		op, closeOp = rop, func() { conn.Close() }
	default:
		return nil, fmt.Errorf("http_client %q: want fast or net", client)
	}
	format := formatName(w.Payload)
	return &benchWorkload{
		info:   bench.Info{Driver: "rest", Operation: "request", Target: shown, Format: format, Name: method + " " + path},
		op:     op,
		config: map[string]any{"driver": "rest", "url": shown, "method": method, "path": path, "format": format, "http_client": client},
		close:  closeOp,
	}, nil
}

// grpcOperation is the workload operation of a method: "unary", "server-stream",
// "client-stream" or "bidi-stream", from its descriptor.
func grpcOperation(md protoreflect.MethodDescriptor) string {
	switch {
	case md.IsStreamingClient() && md.IsStreamingServer():
		return string(stream.Bidi)
	case md.IsStreamingClient():
		return string(stream.Client)
	case md.IsStreamingServer():
		return string(stream.Server)
	}
	return "unary"
}

// openGRPC opens a gRPC workload: unary calls (bench/request) or, for a streaming method, one
// whole stream per operation (bench/stream). The call type comes from the method descriptor;
// w.Operation, when set, must agree with it.
func openGRPC(ctx context.Context, a *app, t scenario.Target, w scenario.Workload, cfg *bench.Config) (*benchWorkload, error) {
	if w.Method == "" || len(t.Proto) == 0 {
		return nil, fmt.Errorf("a grpc workload needs method (pkg.Service/Method) and its target's proto files")
	}
	connections := w.Connections
	if connections == 0 {
		connections = 1
	}
	if connections < 0 {
		return nil, errors.New("connections must be at least 1")
	}
	files, err := protobuf.LoadSchema(ctx, formats.Options{Schema: t.Proto[0], SchemaFiles: t.Proto[1:], ImportPaths: t.ImportPaths})
	if err != nil {
		return nil, fmt.Errorf("target %q proto: %w", t.Name, err)
	}
	md, err := cgrpc.FindMethod(files, w.Method)
	if err != nil {
		return nil, fmt.Errorf("method: %w", err)
	}
	operation := grpcOperation(md)
	switch {
	case w.Operation != "" && w.Operation != operation:
		return nil, fmt.Errorf("operation %q: method %s is %s (operation %q)", w.Operation, w.Method, map[bool]string{true: "a unary method", false: "a " + operation + "ing method"}[operation == "unary"], operation)
	case w.MessagesPerStream < 0:
		return nil, errors.New("messages_per_stream must not be negative")
	case w.MessagesPerStream > 0 && operation == "unary":
		return nil, fmt.Errorf("messages_per_stream: method %s is unary (one message each way)", w.Method)
	}
	src, err := payloadSource(w.Payload, protobuf.NewCodec(md.Input(), files))
	if err != nil {
		return nil, err
	}
	tg := driverTarget(a, t)
	tg.Headers = mergeHeaders(tg.Headers, w.Headers)
	conns := make([]drivers.Conn, 0, connections)
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for range connections {
		c, err := cgrpc.New().Open(ctx, tg)
		if err != nil {
			closeAll()
			return nil, openError("open "+t.Address, err)
		}
		conns = append(conns, c)
	}
	route := cgrpc.MethodPath(md)
	config := map[string]any{"driver": "grpc", "address": t.Address, "method": route, "operation": operation, "connections": connections}
	var op bench.Operation
	if operation == "unary" {
		reqs := make([]drivers.Requester, len(conns))
		for i, c := range conns {
			reqs[i] = c.(drivers.Requester)
		}
		op, err = request.New(reqs, drivers.Message{Route: route}, src, request.GRPCStatus, cfg.Workers)
	} else {
		streamers := make([]drivers.Streamer, len(conns))
		for i, c := range conns {
			streamers[i] = c.(drivers.Streamer)
		}
		config["messages_per_stream"] = w.MessagesPerStream
		op, err = stream.New(stream.Config{Conns: streamers, Route: route, Kind: stream.Kind(operation), Messages: w.MessagesPerStream,
			Body: src, Check: request.GRPCStatus, Timeout: tg.RequestTimeout, Workers: cfg.Workers})
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	return &benchWorkload{
		info:   bench.Info{Driver: "grpc", Operation: operation, Target: t.Address, Format: "protobuf", Name: route},
		op:     op,
		config: config,
		close:  closeAll,
	}, nil
}

func openMessaging(ctx context.Context, a *app, t scenario.Target, w scenario.Workload, cfg *bench.Config, shown string) (*benchWorkload, error) {
	d := drivers.Driver(amqp.New())
	if t.Driver == "kafka" {
		d = kafka.New()
	}
	tg := driverTarget(a, t)
	subscribe := w.Subscribe
	if subscribe == "" {
		subscribe = w.Route
	}
	runID := w.RunID
	if runID == "" {
		runID = uuid.NewString()
	}
	mc := messaging.Config{
		Operation: w.Operation, RunID: runID, Route: w.Route,
		Subscription: drivers.Subscription{Route: subscribe, Prefetch: w.Prefetch, AutoAck: w.AutoAck, Group: w.Group, From: w.From},
		Producers:    w.Producers, Consumers: w.Consumers, Drain: cfg.Drain,
	}
	// Message headers: their ${VAR} references expanded once, as the drivers do for requests.
	tg.Headers = mergeHeaders(tg.Headers, w.Headers)
	headers, err := tg.ExpandHeaders()
	if err != nil {
		return nil, err
	}
	mc.Headers, tg.Headers = headers, nil
	switch t.Driver {
	case "amqp":
		mc.IsReturned = func(err error) bool { return errors.Is(err, amqp.ErrReturned) }
		if w.Operation != messaging.Publish && w.Consumers > 1 && !strings.HasPrefix(subscribe, "queue:") {
			return nil, fmt.Errorf("consumers %d with subscribe %q would give each consumer its own temporary queue (every message %d times): subscribe to a shared queue:NAME", w.Consumers, subscribe, w.Consumers)
		}
	case "kafka":
		if w.Keys < 0 {
			return nil, errors.New("keys must not be negative")
		}
		if keys := uint64(w.Keys); keys > 0 {
			mc.Key = func(_ int, seq uint64) []byte { return fmt.Appendf(nil, "key-%d", seq%keys) }
		}
		if mc.Subscription.Group == "" && w.Consumers > 1 {
			mc.Subscription.Group = "commbench-" + runID
		}
	}
	codec, err := payloadCodec(w.Payload)
	if err != nil {
		return nil, err
	}
	src, err := payloadSource(w.Payload, codec)
	if err != nil {
		return nil, err
	}
	if src != nil {
		mc.Body = func(_ int, seq uint64) ([]byte, error) { return src.Append(nil, seq) }
		mc.ContentType = contentTypeOf(w.Payload, src, codec)
	}
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	mw, err := messaging.Open(ctx, d, tg, mc)
	if err != nil {
		return nil, openError("open "+shown, err)
	}
	cfg.Workers = mw.Workers()
	cfg.MaxInFlight = w.MaxInFlight
	format := formatName(w.Payload)
	return &benchWorkload{
		info: bench.Info{Driver: t.Driver, Operation: w.Operation, Target: shown, Format: format, Name: t.Driver + " " + w.Operation},
		op:   mw.Operation(),
		config: map[string]any{"driver": t.Driver, "address": shown, "route": w.Route, "subscribe": subscribe,
			"operation": w.Operation, "format": format, "run_id": runID},
		close: func() { _ = mw.Close() },
	}, nil
}

// mergeHeaders returns the target's headers overlaid with the workload's.
func mergeHeaders(target, workload map[string]string) map[string]string {
	if len(workload) == 0 {
		return target
	}
	out := make(map[string]string, len(target)+len(workload))
	for k, v := range target {
		out[k] = v
	}
	for k, v := range workload {
		out[k] = v
	}
	return out
}

// contentTypeOf is the Content-Type of bodies from src: p's, else the codec's, else JSON's; ""
// without bodies.
func contentTypeOf(p scenario.Payload, src payload.Source, codec formats.Codec) string {
	switch {
	case p.ContentType != "":
		return p.ContentType
	case src == nil:
		return ""
	case codec != nil:
		return codec.ContentType()
	}
	return "application/json"
}

func formatName(p scenario.Payload) string {
	if p.Format == "" {
		return "json"
	}
	return p.Format
}

// payloadCodec returns the codec of p's format: nil for JSON (templates are JSON text already).
func payloadCodec(p scenario.Payload) (formats.Codec, error) {
	if p.Format == "" || p.Format == "json" {
		return nil, nil
	}
	codec, err := formats.New(p.Format, formats.Options{Schema: p.Schema, SchemaFiles: p.SchemaDeps, ImportPaths: p.ImportPaths, Message: p.Message})
	if err != nil {
		return nil, fmt.Errorf("payload format %s: %w", p.Format, err)
	}
	return codec, nil
}

// payloadSource compiles p's template (file, or inline body) into a payload source encoded by
// codec (nil: JSON text). No template gives nil: empty bodies. A template that does not encode
// fails here, before any load.
func payloadSource(p scenario.Payload, codec formats.Codec) (payload.Source, error) {
	opts := template.Options{DataFile: p.DataFile}
	var (
		t    *template.Template
		err  error
		name = p.Template
	)
	switch {
	case p.Template != "" && p.Body != "":
		return nil, errors.New("payload: set template (a file) or body (inline), not both")
	case p.Template != "":
		t, err = template.CompileFile(p.Template, opts)
	case p.Body != "":
		name = "payload body"
		t, err = template.Compile(name, p.Body, opts)
	default:
		if p.DataFile != "" {
			return nil, errors.New("payload: data_file needs a template")
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if p.Ring < 0 {
		return nil, errors.New("payload: ring must not be negative")
	}
	src, err := payload.FromTemplate(t, codec, p.Ring)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if p.Ring == 0 {
		if _, err := src.Append(nil, 0); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	return src, nil
}

// measureWorkload runs an opened workload under cfg with progress on stderr and evaluates the
// thresholds into the returned results. The error is what stopped the load, if anything; the
// results are then partial (Interrupted).
func measureWorkload(ctx context.Context, a *app, cfg bench.Config, wl *benchWorkload, ths []threshold.Threshold) (*results.Workload, error) {
	eng, err := bench.New(cfg, wl.op)
	if err != nil {
		return nil, exitcode.Usagef("workload %q: %w", wl.info.Name, err)
	}
	mode := progress.Plain
	switch {
	case a.quiet:
		mode = progress.None
	case isTerminal(a.stderr):
		mode = progress.Bar
	}
	a.log.Info("bench starting", "workload", wl.info.Name, "target", wl.info.Target, "model", map[bool]string{true: "open", false: "closed"}[cfg.Open()], "workers", cfg.Workers)
	stop := progress.Start(a.stderr, progress.Options{Mode: mode, Name: wl.info.Name}, eng.Snapshot)
	w, runErr := eng.Run(ctx)
	stop()
	if w != nil {
		threshold.Evaluate(ths, w)
	}
	return w, runErr
}
