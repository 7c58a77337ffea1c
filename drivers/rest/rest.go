// Package rest is the HTTP driver (net/http): HTTP/1.1 with keep-alive, HTTP/2 over TLS (ALPN)
// and HTTP/2 over clear text with prior knowledge (h2c, net/http's Protocols.UnencryptedHTTP2).
// A Conn is a drivers.Requester: Message.Method, Route (path with query), Headers and Body go out;
// the response Status, StatusMessage (reason phrase), Headers, ContentType and the whole Body come
// back. Redirects are not followed and bodies are not decompressed, so callers see exactly what
// the server sent.
//
// Target: Address is the base URL ("http://127.0.0.1:8080", "https://host/api"); an https://
// address turns TLS on whatever TLS.Enabled says. Username and Password, when set, send HTTP Basic
// authentication (RFC 7617) unless Headers has an Authorization. Options:
//
//	protocol                 auto (default: HTTP/1.1 on http://, HTTP/2 or HTTP/1.1 by ALPN on https://),
//	                         http1, http2 (https:// only), h2c (http:// only, HTTP/2 prior knowledge)
//	max_idle_conns_per_host  idle keep-alive connections kept per host (default 100; size it to the
//	                         bench concurrency; net/http's own default is 2)
//	max_body_bytes           largest response body read, in bytes (default 67108864, 64 MiB)
package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
)

// Name is the registry name of the driver.
const Name = "rest"

func init() { drivers.Register(New()) }

// Defaults of the driver options.
const (
	DefaultMaxIdleConnsPerHost = 100
	DefaultMaxBodyBytes        = 64 << 20
)

// New returns the REST driver.
func New() drivers.Driver { return driver{} }

type driver struct{}

func (driver) Name() string { return Name }

// Conn is an open REST connection pool to one base URL. It is safe for concurrent use.
type Conn struct {
	base       string // scheme://host[:port][/prefix], no trailing slash
	tr         *http.Transport
	header     http.Header // sent with every request; never logged
	reqTimeout time.Duration
	maxBody    int64
	closed     atomic.Bool
}

var _ drivers.Requester = (*Conn)(nil)

type options struct {
	protocol string
	maxIdle  int
	maxBody  int64
}

func parseOptions(o map[string]string) (options, error) {
	r := drivers.ReadOptions(Name, o, "protocol", "max_idle_conns_per_host", "max_body_bytes")
	opts := options{
		protocol: r.Enum("protocol", "auto", "auto", "http1", "http2", "h2c"),
		maxIdle:  r.Int("max_idle_conns_per_host", DefaultMaxIdleConnsPerHost, 1, 1<<20),
		maxBody:  int64(r.Int("max_body_bytes", DefaultMaxBodyBytes, 1, math.MaxInt)),
	}
	return opts, r.Err()
}

// Open checks the options, connects once to the target (TCP, and the TLS handshake on https://)
// and returns a Conn whose pool dials on demand.
//
// Errors: a malformed address or option, unreadable TLS files, a header referencing an unset
// variable; drivers.ErrUnreachable when nothing answers within t.ConnectTimeout; a TLS handshake
// error (unknown authority, wrong server name).
func (driver) Open(ctx context.Context, t drivers.Target) (drivers.Conn, error) {
	t = t.WithDefaults()
	addr, err := drivers.ExpandEnv(t.Address, t.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("rest address: %w", err)
	}
	t.Address = addr
	u, err := url.Parse(t.Address)
	if err != nil {
		return nil, fmt.Errorf("rest address: want http://host[:port][/prefix] or https://...: %w", redact.Error(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rest address %q: want http://host[:port][/prefix] or https://...", redact.URL(u.String()))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("rest address %q: a base URL has no query or fragment", redact.URL(u.String()))
	}
	opts, err := parseOptions(t.Options)
	if err != nil {
		return nil, err
	}
	secure := u.Scheme == "https"
	var protos http.Protocols
	switch opts.protocol {
	case "auto":
		protos.SetHTTP1(true)
		protos.SetHTTP2(secure)
	case "http1":
		protos.SetHTTP1(true)
	case "http2":
		if !secure {
			return nil, fmt.Errorf("rest option protocol http2 needs an https:// address; use h2c for clear-text HTTP/2 with prior knowledge")
		}
		protos.SetHTTP2(true)
	case "h2c":
		if secure {
			return nil, fmt.Errorf("rest option protocol h2c needs an http:// address; use http2 over https://")
		}
		protos.SetUnencryptedHTTP2(true)
	}
	tlsSettings := t.TLS
	tlsSettings.Enabled = tlsSettings.Enabled || secure
	if tlsSettings.Enabled && !secure {
		return nil, fmt.Errorf("rest address %q: TLS is enabled, use an https:// address", redact.URL(u.String()))
	}
	tlsCfg, err := tlsSettings.Config()
	if err != nil {
		return nil, err
	}
	headers, err := t.ExpandHeaders()
	if err != nil {
		return nil, err
	}
	header := make(http.Header, len(headers)+1)
	for k, v := range headers {
		header[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
	}
	if _, set := header["Authorization"]; !set && t.BasicAuth() != "" {
		header["Authorization"] = []string{t.BasicAuth()}
	}
	hostport := u.Host
	if u.Port() == "" {
		hostport = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[secure])
	}
	probeCfg := tlsCfg
	if tlsCfg != nil && opts.protocol == "http2" {
		probeCfg = tlsCfg.Clone()
		probeCfg.NextProtos = []string{"h2"}
	}
	if err := drivers.CheckReachable(ctx, hostport, probeCfg, t.ConnectTimeout); err != nil {
		return nil, fmt.Errorf("rest %s: %w", redact.URL(u.String()), err)
	}
	dialer := &net.Dialer{Timeout: t.ConnectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   t.ConnectTimeout,
		MaxIdleConnsPerHost:   opts.maxIdle,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		Protocols:             &protos,
	}
	u.User = nil
	return &Conn{
		base:       strings.TrimSuffix(u.String(), "/"),
		tr:         tr,
		header:     header,
		reqTimeout: t.RequestTimeout,
		maxBody:    opts.maxBody,
	}, nil
}

// Close closes the idle connections; later requests fail with drivers.ErrClosed. Safe to call
// more than once.
func (c *Conn) Close() error {
	c.closed.Store(true)
	c.tr.CloseIdleConnections()
	return nil
}

// Request sends one HTTP request and reads the whole response. req.Method defaults to GET and
// req.Route to "/"; req.Headers add to and override the target headers; a non-empty
// req.ContentType sets Content-Type; a "Host" header sets the request host. The request is bounded
// by the target's RequestTimeout and by ctx.
//
// Every HTTP status is a response, not an error. Errors: a route that is not a path
// ("/orders?id=1"); drivers.ErrUnreachable wrapped when the connection cannot be made; the context
// error (context.DeadlineExceeded, context.Canceled) wrapped when the request timeout or ctx ends
// it; a body larger than max_body_bytes; drivers.ErrClosed after Close.
func (c *Conn) Request(ctx context.Context, req *drivers.Message) (*drivers.Message, error) {
	out, _, err := c.roundTrip(ctx, req, true)
	return out, err
}

// RequestCount is Request (drivers.BodyCounter) with the response body read to its end and
// counted, not kept: the Message's Body is nil and n is the body's length in bytes.
// max_body_bytes does not apply, since nothing is held. Errors are Request's.
func (c *Conn) RequestCount(ctx context.Context, req *drivers.Message) (resp *drivers.Message, n int64, err error) {
	return c.roundTrip(ctx, req, false)
}

// roundTrip sends req and reads the response body: kept when keep (n is then its length), else
// counted and dropped.
func (c *Conn) roundTrip(ctx context.Context, req *drivers.Message, keep bool) (*drivers.Message, int64, error) {
	if c.closed.Load() {
		return nil, 0, fmt.Errorf("rest request: %w", drivers.ErrClosed)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	route := req.Route
	if route == "" {
		route = "/"
	} else if route[0] != '/' {
		return nil, 0, fmt.Errorf("rest route %q: want a path starting with '/'", route)
	}
	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	ctx, cancel := context.WithTimeout(ctx, c.reqTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, method, c.base+route, body)
	if err != nil {
		return nil, 0, fmt.Errorf("rest request %s %s: %w", method, route, err)
	}
	for k, v := range c.header { // hr.Header is the empty map NewRequest made
		hr.Header[k] = v
	}
	for k, v := range req.Headers {
		k = textproto.CanonicalMIMEHeaderKey(k)
		if k == "Host" {
			if len(v) > 0 {
				hr.Host = v[0]
			}
			continue
		}
		hr.Header[k] = v
	}
	if req.ContentType != "" {
		hr.Header["Content-Type"] = []string{req.ContentType}
	}
	resp, err := c.tr.RoundTrip(hr)
	if err != nil {
		return nil, 0, c.wrap(ctx, method, route, err)
	}
	defer resp.Body.Close()
	var b []byte
	var n int64
	switch {
	case method == http.MethodHead: // a HEAD response's Content-Length describes a body it does not carry
	case keep:
		b, err = readBody(resp, c.maxBody)
		n = int64(len(b))
	default:
		n, err = io.Copy(io.Discard, resp.Body)
		if err != nil {
			err = fmt.Errorf("read response body: %w", err)
		}
	}
	if err != nil {
		return nil, n, c.wrap(ctx, method, route, err)
	}
	out := &drivers.Message{
		Route:       route,
		Method:      method,
		Headers:     resp.Header,
		Body:        b,
		ContentType: resp.Header.Get("Content-Type"),
		Status:      resp.StatusCode,
	}
	_, out.StatusMessage, _ = strings.Cut(resp.Status, " ")
	return out, n, nil
}

// wrap classifies a request error: context end, unreachable target, or other.
func (c *Conn) wrap(ctx context.Context, method, route string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("rest %s %s: no complete response within the request timeout (%s) or the caller's deadline: %w", method, route, c.reqTimeout, ctxErr)
		}
		return fmt.Errorf("rest %s %s: %w", method, route, ctxErr)
	}
	if c.closed.Load() {
		return fmt.Errorf("rest %s %s: %w", method, route, drivers.ErrClosed)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return fmt.Errorf("rest %s %s: %w: %w", method, redact.URL(route), drivers.ErrUnreachable, redact.Error(err))
	}
	return fmt.Errorf("rest %s %s: %w", method, redact.URL(route), redact.Error(err))
}

// errBodyTooLarge is returned when a response body exceeds max_body_bytes.
var errBodyTooLarge = errors.New("response body exceeds max_body_bytes")

// readBody reads the whole body, to EOF so that the connection returns to the pool.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w (%d > %d bytes)", errBodyTooLarge, resp.ContentLength, limit)
	}
	if resp.ContentLength == 0 {
		var one [1]byte
		if _, err := resp.Body.Read(one[:]); err != nil && err != io.EOF {
			return nil, fmt.Errorf("read response body: %w", err)
		}
		return nil, nil
	}
	if resp.ContentLength > 0 {
		b := make([]byte, resp.ContentLength+1)
		n, err := io.ReadFull(resp.Body, b)
		if err == io.ErrUnexpectedEOF && int64(n) == resp.ContentLength {
			return b[:n:n], nil
		}
		if err != nil {
			return nil, fmt.Errorf("read response body: %w", err)
		}
		return nil, fmt.Errorf("read response body: more than the %d bytes of Content-Length", resp.ContentLength)
	}
	// Unknown length (chunked): read in chunks of up to 1 MiB, then join them into one slice of
	// the exact size, so a large body costs its size twice while read and once after, instead of
	// a doubling buffer's up to three times and twice.
	var chunks [][]byte
	var n int64
	r := io.LimitReader(resp.Body, limit+1)
	for size := 4 << 10; ; size = min(size*2, 1<<20) {
		c := make([]byte, size)
		m, err := io.ReadFull(r, c)
		if m > 0 {
			chunks = append(chunks, c[:m])
			n += int64(m)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read response body: %w", err)
		}
	}
	if n > limit {
		return nil, fmt.Errorf("%w (%d bytes)", errBodyTooLarge, limit)
	}
	switch len(chunks) {
	case 0:
		return nil, nil
	case 1:
		return chunks[0], nil
	}
	out := make([]byte, 0, n)
	for i, c := range chunks {
		out = append(out, c...)
		chunks[i] = nil // each chunk may go as soon as it is copied
	}
	return out, nil
}
