// Package grpctest is an in-process gRPC test server for commbench's tests, benchmarks and demo:
// services described by protobuf descriptors (no generated code) served with handlers on
// dynamicpb messages, with server reflection, on 127.0.0.1:0, plain text or TLS. Shop adds the
// handlers of testdata/schemas/shop.proto's shop.v1.OrderService and of the streaming test
// service shop.v1test.OrderStreamService.
package grpctest

import (
	"crypto/tls"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/reflection"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Handler serves one method for every call: it reads requests with s.Recv and writes responses
// with s.Send (once for unary and client-streaming methods). A returned status error
// (google.golang.org/grpc/status) is sent to the client as is.
type Handler func(s *Stream) error

// Stream is one call as a Handler sees it. The embedded grpc.ServerStream gives Context,
// SetHeader, SendHeader and SetTrailer.
type Stream struct {
	grpc.ServerStream
	// Method is the descriptor of the called method.
	Method protoreflect.MethodDescriptor
}

// Recv reads the next request message; io.EOF when the client has half-closed.
func (s *Stream) Recv() (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(s.Method.Input())
	if err := s.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Send writes one response message (of the method's output type).
func (s *Stream) Send(m proto.Message) error { return s.SendMsg(m) }

// Options configure a Server.
type Options struct {
	// TLS, when not nil, serves TLS with this configuration (drivertest.Certs.ServerConfig).
	TLS *tls.Config
	// NoReflection leaves the server reflection service out.
	NoReflection bool
	// Addr is the listen address (default "127.0.0.1:0").
	Addr string
}

// Server is a running test server.
type Server struct {
	// Addr is the host:port the server listens on.
	Addr string
	srv  *grpc.Server
	done chan struct{}
}

// New serves handlers, keyed by method name ("/pkg.Service/Method" or "pkg.Service/Method"), for
// the services of files that hold them; other methods of those services answer Unimplemented.
//
// Errors: a handler for a method files does not describe; the listen error.
func New(files *protoregistry.Files, handlers map[string]Handler, opts Options) (*Server, error) {
	byService := map[protoreflect.FullName]*grpc.ServiceDesc{}
	names := make([]string, 0, len(handlers))
	for name := range handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		svcName, method, ok := strings.Cut(strings.TrimPrefix(name, "/"), "/")
		if !ok {
			return nil, fmt.Errorf("grpctest: handler name %q: want /pkg.Service/Method", name)
		}
		d, err := files.FindDescriptorByName(protoreflect.FullName(svcName))
		if err != nil {
			return nil, fmt.Errorf("grpctest: handler %s: %w", name, err)
		}
		svc, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("grpctest: handler %s: %s is not a service", name, svcName)
		}
		md := svc.Methods().ByName(protoreflect.Name(method))
		if md == nil {
			return nil, fmt.Errorf("grpctest: handler %s: service %s has no method %s", name, svcName, method)
		}
		desc := byService[svc.FullName()]
		if desc == nil {
			desc = &grpc.ServiceDesc{ServiceName: string(svc.FullName()), HandlerType: (*any)(nil), Metadata: svc.ParentFile().Path()}
			byService[svc.FullName()] = desc
		}
		h := handlers[name]
		desc.Streams = append(desc.Streams, grpc.StreamDesc{
			StreamName:    string(md.Name()),
			ServerStreams: md.IsStreamingServer(),
			ClientStreams: md.IsStreamingClient(),
			Handler: func(_ any, ss grpc.ServerStream) error {
				return h(&Stream{ServerStream: ss, Method: md})
			},
		})
	}
	var sopts []grpc.ServerOption
	if opts.TLS != nil {
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	srv := grpc.NewServer(sopts...)
	for _, desc := range byService {
		srv.RegisterService(desc, nil)
	}
	if !opts.NoReflection {
		reflectionpb.RegisterServerReflectionServer(srv, reflection.NewServerV1(reflection.ServerOptions{
			Services:           srv,
			DescriptorResolver: files,
		}))
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("grpctest: %w", err)
	}
	s := &Server{Addr: l.Addr().String(), srv: srv, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = srv.Serve(l) // returns when Close stops the server
	}()
	return s, nil
}

// Start is New for tests: it fails t on error and stops the server when the test ends.
func Start(t testing.TB, files *protoregistry.Files, handlers map[string]Handler, opts Options) *Server {
	t.Helper()
	s, err := New(files, handlers, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server at once (open calls end with Unavailable) and waits for it.
func (s *Server) Close() {
	s.srv.Stop()
	<-s.done
}
