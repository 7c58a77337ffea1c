// Package httpload is the bench.Operation for HTTP/1.1 load on the hot path, with
// github.com/valyala/fasthttp (the client HTTP load tools such as bombardier and plow use): each
// worker reuses one request and one response object, a request runs on the worker's goroutine
// (net/http hands every request to two more goroutines per connection), and nothing is allocated
// per request. Idempotent requests are never retried, so every failure is counted.
//
// It covers HTTP/1.1 over plain TCP or TLS; HTTP/2 and h2c go through drivers/rest
// (bench/request) instead.
package httpload

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
)

func init() {
	bench.RegisterClassifier(func(err error) (string, bool) {
		switch {
		case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout):
			return bench.ClassTimeout, true
		case errors.Is(err, fasthttp.ErrConnectionClosed):
			return bench.ClassConnectionReset, true
		}
		return "", false
	})
}

// Config describes the requests of a run.
type Config struct {
	// Target: Address is the base URL (http://host:port[/prefix] or https://...); Headers go with
	// every request (a "Host" header sets the request host), their ${VAR} references expanded
	// once with LookupEnv (drivers.Target.ExpandHeaders); TLS applies to https:// (CAFile,
	// ServerName, InsecureSkipVerify); RequestTimeout bounds one request (default 30s) and
	// ConnectTimeout the reachability check and each dial (default 5s).
	Target drivers.Target
	// Method (default GET) and Path (with query, default "/") of every request.
	Method, Path string
	// ContentType of request bodies ("" sends none).
	ContentType string
	// Body gives request body seq; nil sends no body.
	Body payload.Source
	// Workers is bench.Config.Workers: one request object and at most one connection each.
	Workers int
}

// Op is the Operation. Close releases its connections.
type Op struct {
	client  *fasthttp.HostClient
	body    payload.Source
	timeout time.Duration
	workers []worker
}

type worker struct {
	req   *fasthttp.Request
	resp  *fasthttp.Response
	buf   []byte
	drain []byte // buffer that streamed response bodies are counted through
}

// bufferedBodyBytes is the largest response body read into memory; a longer or chunked body is
// streamed and counted through a 32 KiB buffer, never held: a load test needs its size only.
const bufferedBodyBytes = 64 << 10

// New checks the configuration, checks that the target accepts a connection within
// ConnectTimeout (drivers.ErrUnreachable wrapped when not), and returns the Operation.
// Errors: a malformed base URL or path, an unreadable CA file, a header naming an unset variable,
// an unreachable target.
func New(ctx context.Context, c Config) (*Op, error) {
	t := c.Target.WithDefaults()
	u, err := url.Parse(t.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("base URL %q: want http://host[:port][/prefix] or https://...", redacted(t.Address))
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.Path[0] != '/' {
		return nil, fmt.Errorf("path %q: want a path starting with '/'", c.Path)
	}
	if c.Workers < 1 {
		return nil, errors.New("httpload: workers must be at least 1")
	}
	if c.Method == "" {
		c.Method = "GET"
	}
	headers, err := t.ExpandHeaders() // ${VAR} references, once
	if err != nil {
		return nil, err
	}
	secure := u.Scheme == "https"
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[secure])
	}
	var tcfg *tls.Config
	if secure {
		tt := t.TLS
		tt.Enabled = true
		if tcfg, err = tt.Config(); err != nil {
			return nil, err
		}
		if tcfg.ServerName == "" {
			tcfg.ServerName = u.Hostname()
		}
	}
	if err := drivers.CheckReachable(ctx, host, tcfg, t.ConnectTimeout); err != nil {
		return nil, err
	}
	dialer := &fasthttp.TCPDialer{Concurrency: 0}
	client := &fasthttp.HostClient{
		Addr:                          host,
		IsTLS:                         secure,
		TLSConfig:                     tcfg,
		MaxConns:                      c.Workers,
		MaxIdemponentCallAttempts:     1,
		RetryIfErr:                    func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		NoDefaultUserAgentHeader:      false,
		DisableHeaderNamesNormalizing: true,
		Dial:                          func(addr string) (net.Conn, error) { return dialer.DialTimeout(addr, t.ConnectTimeout) },
		MaxResponseBodySize:           bufferedBodyBytes,
		StreamResponseBody:            true,
	}
	o := &Op{client: client, body: c.Body, timeout: t.RequestTimeout, workers: make([]worker, c.Workers)}
	uri := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/") + c.Path
	for i := range o.workers {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI(uri)
		req.Header.SetMethod(strings.ToUpper(c.Method))
		if c.ContentType != "" {
			req.Header.SetContentType(c.ContentType)
		}
		for k, v := range headers {
			if strings.EqualFold(k, "Host") {
				req.Header.SetHost(v)
				req.UseHostHeader = true
				continue
			}
			req.Header.Set(k, v)
		}
		if t.Username != "" || t.Password != "" {
			if _, ok := headers["Authorization"]; !ok {
				req.URI().SetUsername(t.Username)
				req.URI().SetPassword(t.Password)
			}
		}
		o.workers[i] = worker{req: req, resp: resp}
	}
	return o, nil
}

// Do sends request seq from worker w and returns the bytes moved (request body plus response
// body). An HTTP status of 400 or more is a *bench.StatusError; transport errors are fasthttp's
// (classified as timeout, connection_reset, connection_refused...). ctx is checked before the
// request; a request in flight ends within the request timeout.
func (o *Op) Do(ctx context.Context, w int, seq uint64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	st := &o.workers[w%len(o.workers)]
	if o.body != nil {
		b, err := o.body.Append(st.buf[:0], seq)
		if err != nil {
			return 0, err
		}
		st.buf = b
		st.req.SetBodyRaw(b)
	}
	if err := o.client.DoTimeout(st.req, st.resp, o.timeout); err != nil {
		return len(st.buf), err
	}
	n := len(st.buf)
	if body := st.resp.BodyStream(); body != nil {
		if st.drain == nil {
			st.drain = make([]byte, 32<<10)
		}
		read, err := io.CopyBuffer(io.Discard, body, st.drain)
		n += int(read)
		if cerr := st.resp.CloseBodyStream(); err == nil {
			err = cerr
		}
		if err != nil {
			return n, err
		}
	} else {
		n += len(st.resp.Body())
	}
	if code := st.resp.StatusCode(); code >= 400 {
		return n, &bench.StatusError{Code: code}
	}
	return n, nil
}

// Close closes idle connections.
func (o *Op) Close() error {
	o.client.CloseIdleConnections()
	return nil
}

func redacted(s string) string { return redact.URL(s) }
