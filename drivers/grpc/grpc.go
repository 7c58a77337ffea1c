// Package grpc is the gRPC driver (google.golang.org/grpc) with dynamic invocation and no
// generated code: request and response messages travel as already-encoded protobuf bytes (a
// pass-through codec), so the driver needs no descriptors to call a method. A Conn is a
// drivers.Requester (unary calls) and a drivers.Streamer (server, client and bidirectional
// streaming). FindMethod and Reflect give callers the method descriptors to encode and decode
// bodies with formats/protobuf.
//
// Target: Address is host:port; TLS.Enabled selects TLS (credentials/tls with drivers.TLS options),
// otherwise plain text (h2c, insecure credentials). Headers go out as metadata on every call
// (keys lower-cased); Username and Password, when set, send "authorization: Basic ..." unless
// Headers has an authorization. Options:
//
//	max_message_bytes  largest response message accepted, in bytes (default 67108864, 64 MiB;
//	                   grpc-go's own default is 4 MiB)
//	authority          the :authority pseudo-header (default: the address)
package grpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/commbench/commbench/drivers"
)

// Name is the registry name of the driver.
const Name = "grpc"

// deadlineSlack: a DEADLINE_EXCEEDED status that arrives this close to the call's own deadline is
// taken as that deadline passing.
const deadlineSlack = 50 * time.Millisecond

// DefaultMaxMessageBytes is the default of the max_message_bytes option.
const DefaultMaxMessageBytes = 64 << 20

func init() { drivers.Register(New()) }

// New returns the gRPC driver.
func New() drivers.Driver { return driver{} }

type driver struct{}

func (driver) Name() string { return Name }

// Conn is an open gRPC client connection (one HTTP/2 connection, calls multiplexed on it). It is
// safe for concurrent use.
type Conn struct {
	cc         *grpc.ClientConn
	md         metadata.MD // target metadata, read-only; never logged
	reqTimeout time.Duration
	closed     atomic.Bool
}

var (
	_ drivers.Requester = (*Conn)(nil)
	_ drivers.Streamer  = (*Conn)(nil)
)

// rawCodec passes already-encoded message bytes through: Marshal takes []byte or *[]byte,
// Unmarshal fills a *[]byte. Its name is "proto", so the content-type stays application/grpc+proto.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch b := v.(type) {
	case []byte:
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	case *[]byte:
		return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
	}
	return nil, fmt.Errorf("grpc raw codec: cannot marshal %T, want []byte", v)
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("grpc raw codec: cannot unmarshal into %T, want *[]byte", v)
	}
	*b = data.Materialize()
	return nil
}

type options struct {
	maxMsg    int
	authority string
}

func parseOptions(o map[string]string) (options, error) {
	r := drivers.ReadOptions(Name, o, "max_message_bytes", "authority")
	opts := options{
		maxMsg:    r.Int("max_message_bytes", DefaultMaxMessageBytes, 1, math.MaxInt32),
		authority: r.String("authority", ""),
	}
	return opts, r.Err()
}

// Open connects to t.Address and waits until the HTTP/2 connection is ready.
//
// Errors: an address that is not host:port, a bad option, unreadable TLS files, a header
// referencing an unset variable; drivers.ErrUnreachable when nothing answers (connection refused,
// or no HTTP/2 answer within t.ConnectTimeout); a TLS handshake error; a failure after the TCP
// connect (usually plain text against a TLS server or the reverse).
func (driver) Open(ctx context.Context, t drivers.Target) (drivers.Conn, error) {
	t = t.WithDefaults()
	addr, err := drivers.ExpandEnv(t.Address, t.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("grpc address: %w", err)
	}
	t.Address = addr
	if _, _, err := net.SplitHostPort(t.Address); err != nil || strings.Contains(t.Address, "/") {
		return nil, fmt.Errorf("grpc address %q: want host:port", t.Address)
	}
	opts, err := parseOptions(t.Options)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := t.TLS.Config()
	if err != nil {
		return nil, err
	}
	headers, err := t.ExpandHeaders()
	if err != nil {
		return nil, err
	}
	md := metadata.MD{}
	for k, v := range headers {
		md.Append(k, v)
	}
	if len(md.Get("authorization")) == 0 && t.BasicAuth() != "" {
		md.Set("authorization", t.BasicAuth())
	}
	creds := insecure.NewCredentials()
	probeCfg := tlsCfg
	if tlsCfg != nil {
		creds = credentials.NewTLS(tlsCfg)
		probeCfg = tlsCfg.Clone()
		probeCfg.NextProtos = []string{"h2"}
	}
	if err := drivers.CheckReachable(ctx, t.Address, probeCfg, t.ConnectTimeout); err != nil {
		return nil, fmt.Errorf("grpc %s: %w", t.Address, err)
	}
	dialOpts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{}), grpc.MaxCallRecvMsgSize(opts.maxMsg)),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.DefaultConfig, MinConnectTimeout: t.ConnectTimeout}),
	}
	if opts.authority != "" {
		dialOpts = append(dialOpts, grpc.WithAuthority(opts.authority))
	}
	cc, err := grpc.NewClient("passthrough:///"+t.Address, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("grpc %s: %w", t.Address, err)
	}
	if err := waitReady(ctx, cc, t); err != nil {
		cc.Close()
		return nil, err
	}
	return &Conn{cc: cc, md: md, reqTimeout: t.RequestTimeout}, nil
}

// waitReady connects cc and waits for the Ready state, at most t.ConnectTimeout.
func waitReady(ctx context.Context, cc *grpc.ClientConn, t drivers.Target) error {
	ctx, cancel := context.WithTimeout(ctx, t.ConnectTimeout)
	defer cancel()
	cc.Connect()
	for {
		s := cc.GetState()
		switch s {
		case connectivity.Ready:
			return nil
		case connectivity.TransientFailure, connectivity.Shutdown:
			return fmt.Errorf("grpc %s: the connection failed after the TCP connect (state %s): is TLS expected there, or is TLS on for a plain-text server?", t.Address, s)
		}
		if !cc.WaitForStateChange(ctx, s) {
			if err := context.Cause(ctx); !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("grpc %s: %w", t.Address, err)
			}
			return fmt.Errorf("%w: grpc %s: no HTTP/2 answer within %s", drivers.ErrUnreachable, t.Address, t.ConnectTimeout)
		}
	}
}

// Close closes the connection; later calls fail with drivers.ErrClosed. Safe to call more than once.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.cc.Close()
}

// fullMethod returns route as "/pkg.Service/Method".
func fullMethod(route string) (string, error) {
	r := strings.TrimPrefix(route, "/")
	svc, m, ok := strings.Cut(r, "/")
	if !ok || svc == "" || m == "" || strings.Contains(m, "/") {
		return "", fmt.Errorf("grpc route %q: want /package.Service/Method", route)
	}
	if len(route) > 0 && route[0] == '/' {
		return route, nil
	}
	return "/" + route, nil
}

// outgoing attaches the target metadata and the message headers to ctx.
func (c *Conn) outgoing(ctx context.Context, h map[string][]string) context.Context {
	if len(h) == 0 {
		if len(c.md) == 0 {
			return ctx
		}
		return metadata.NewOutgoingContext(ctx, c.md)
	}
	md := c.md.Copy()
	for k, v := range h {
		md.Set(k, v...)
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// Request makes a unary call: req.Body (encoded request message) to req.Route
// ("/pkg.Service/Method"; the leading '/' may be left out) with req.Headers as metadata, bounded
// by the target's RequestTimeout and ctx. The response carries Body (encoded response message),
// Headers (response header metadata), Trailers, Status (gRPC code, 0 OK) and StatusMessage; a
// non-OK status from the server is a response, not an error.
//
// Errors: a malformed route; the context error wrapped (context.DeadlineExceeded,
// context.Canceled) when the timeout or ctx ended the call; drivers.ErrUnreachable wrapped when the
// connection is down; drivers.ErrClosed after Close.
func (c *Conn) Request(ctx context.Context, req *drivers.Message) (*drivers.Message, error) {
	method, err := fullMethod(req.Route)
	if err != nil {
		return nil, err
	}
	if c.closed.Load() {
		return nil, fmt.Errorf("grpc %s: %w", method, drivers.ErrClosed)
	}
	ctx, cancel := context.WithTimeout(ctx, c.reqTimeout)
	defer cancel()
	ctx = c.outgoing(ctx, req.Headers)
	out := &drivers.Message{Route: method}
	var header, trailer metadata.MD
	callErr := c.cc.Invoke(ctx, method, req.Body, &out.Body, grpc.Header(&header), grpc.Trailer(&trailer))
	out.Headers, out.Trailers = header, trailer
	if err := c.finish(ctx, method, callErr, out); err != nil {
		return nil, err
	}
	out.ContentType = first(header, "content-type")
	return out, nil
}

// finish sets out's status from a call error, or returns the error that stopped the call. out's
// Headers and Trailers are those received: an UNAVAILABLE status with neither comes from the
// client's transport (connection lost or refused), not from the server.
func (c *Conn) finish(ctx context.Context, method string, callErr error, out *drivers.Message) error {
	if callErr == nil {
		return nil
	}
	if c.closed.Load() {
		return fmt.Errorf("grpc %s: %w", method, drivers.ErrClosed)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("grpc %s: no answer within the request timeout (%s) or the caller's deadline: %w", method, c.reqTimeout, ctxErr)
		}
		return fmt.Errorf("grpc %s: %w", method, ctxErr)
	}
	st, ok := status.FromError(callErr)
	if !ok {
		return fmt.Errorf("grpc %s: %w", method, callErr)
	}
	if st.Code() == codes.DeadlineExceeded {
		// The server saw the propagated deadline (grpc-timeout) pass and said so just before the
		// client's own timer fired (timers run late on a loaded machine): that is the timeout.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineSlack {
			<-ctx.Done()
			return c.finish(ctx, method, callErr, out)
		}
	}
	if st.Code() == codes.Unavailable && len(out.Headers) == 0 && len(out.Trailers) == 0 {
		return fmt.Errorf("grpc %s: %w: %s", method, drivers.ErrUnreachable, st.Message())
	}
	out.Status, out.StatusMessage = int(st.Code()), st.Message()
	return nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// streamDesc lets one stream serve every call shape: the client decides by how many bodies it sends.
var streamDesc = &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}

// Stream makes a streaming call (server, client or bidirectional) on req.Route with req.Headers
// as metadata: it sends req.Body as the only request when send is nil, else each body send yields,
// from its own goroutine (so send may wait for responses, as a ping-pong does), then half-closes;
// recv (nil: responses are dropped) gets each response body. The call is bounded by ctx only (not
// RequestTimeout: streams may be long-lived). Once the call has ended, send's next yield returns
// false, and Stream returns only after send has returned: a send that blocks must also watch ctx.
//
// The result carries Headers, Trailers, Status, StatusMessage and the last response Body; a
// non-OK status from the server is a result, not an error. Errors: those of Request, and the
// error recv returned (the call is cancelled).
func (c *Conn) Stream(ctx context.Context, req *drivers.Message, send iter.Seq[[]byte], recv func(body []byte) error) (*drivers.Message, error) {
	method, err := fullMethod(req.Route)
	if err != nil {
		return nil, err
	}
	if c.closed.Load() {
		return nil, fmt.Errorf("grpc %s: %w", method, drivers.ErrClosed)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ctx = c.outgoing(ctx, req.Headers)
	out := &drivers.Message{Route: method}
	cs, err := c.cc.NewStream(ctx, streamDesc, method)
	if err != nil { // NewStream fails only before anything was received
		if err := c.finish(ctx, method, err, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	var ended atomic.Bool
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if send == nil {
			if cs.SendMsg(req.Body) == nil {
				_ = cs.CloseSend()
			}
			return
		}
		for b := range send {
			if ended.Load() || cs.SendMsg(b) != nil {
				return // the call ended; RecvMsg reports its status
			}
		}
		_ = cs.CloseSend()
	}()
	var callErr, recvErr error
	for {
		var b []byte
		if err := cs.RecvMsg(&b); err != nil {
			if err != io.EOF {
				callErr = err
			}
			break
		}
		out.Body = b
		if recv != nil {
			if recvErr = recv(b); recvErr != nil {
				break
			}
		}
	}
	// The call is over (or abandoned): stop the sender and wait for it, so that nothing of send
	// runs after Stream returns.
	ended.Store(true)
	if recvErr != nil {
		cancel()
		<-sent
		return nil, fmt.Errorf("grpc %s: %w", method, recvErr)
	}
	<-sent
	out.Headers, _ = cs.Header()
	out.Trailers = cs.Trailer()
	if err := c.finish(ctx, method, callErr, out); err != nil {
		return nil, err
	}
	out.ContentType = first(out.Headers, "content-type")
	return out, nil
}
