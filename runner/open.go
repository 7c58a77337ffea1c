package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/httpload"
	"github.com/commbench/commbench/bench/request"
	"github.com/commbench/commbench/bench/stream"
	"github.com/commbench/commbench/drivers"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/scenario"
)

// This file opens request/response workloads (REST, gRPC) and dispatches the messaging ones to
// messaging.go. An opened workload is the bench operation and what closes it.

// opened is a workload ready to measure.
type opened struct {
	info bench.Info
	// op is a bench.Operation or bench.AsyncOperation (with optional bench hooks).
	op    any
	close func()
}

// openWorkload opens w against t (expanded, see driverTarget) and adjusts cfg to it (workers of
// a messaging workload). The workload is named w.Name, else by what it does ("GET /path", the
// gRPC method path, "kafka produce-consume"). Errors carry their exit code: bad input 2, an unreachable target 3.
func openWorkload(ctx context.Context, lookupEnv func(string) (string, bool), t scenario.Target, w scenario.Workload, cfg *bench.Config) (*opened, error) {
	wl, err := openByDriver(ctx, lookupEnv, t, w, cfg)
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

func openByDriver(ctx context.Context, lookupEnv func(string) (string, bool), t scenario.Target, w scenario.Workload, cfg *bench.Config) (*opened, error) {
	shown := scenario.RedactURL(t.Address)
	switch t.Driver {
	case "rest":
		return openREST(ctx, lookupEnv, t, w, cfg, shown)
	case "grpc":
		return openGRPC(ctx, lookupEnv, t, w, cfg)
	case "amqp", "kafka":
		return openMessaging(ctx, lookupEnv, t, w, cfg, shown)
	}
	return nil, fmt.Errorf("target %q: unknown driver %q: want rest, grpc, amqp or kafka", t.Name, t.Driver)
}

func openREST(ctx context.Context, lookupEnv func(string) (string, bool), t scenario.Target, w scenario.Workload, cfg *bench.Config, shown string) (*opened, error) {
	if w.Operation != "request" {
		return nil, fmt.Errorf("operation %q: a rest target runs the operation \"request\"", w.Operation)
	}
	tg := driverTarget(t, lookupEnv)
	tg.Headers = mergeHeaders(tg.Headers, w.Headers)
	codec, src, err := payloadOf(w.Payload)
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
	return &opened{
		info:  bench.Info{Driver: "rest", Operation: "request", Target: shown, Format: format, Name: method + " " + scenario.RedactURL(path)},
		op:    op,
		close: closeOp,
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
func openGRPC(ctx context.Context, lookupEnv func(string) (string, bool), t scenario.Target, w scenario.Workload, cfg *bench.Config) (*opened, error) {
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
	tg := driverTarget(t, lookupEnv)
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
		op, err = stream.New(stream.Config{Conns: streamers, Route: route, Kind: stream.Kind(operation), Messages: w.MessagesPerStream,
			Body: src, Check: request.GRPCStatus, Timeout: tg.RequestTimeout, Workers: cfg.Workers})
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	return &opened{
		info:  bench.Info{Driver: "grpc", Operation: operation, Target: t.Address, Format: "protobuf", Name: route},
		op:    op,
		close: closeAll,
	}, nil
}
