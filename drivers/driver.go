// Package drivers is the transport contract: a Driver opens a connection (Conn) to a Target; what
// a connection can do is discovered by type assertion on small capability interfaces (Requester,
// Publisher, Subscriber), as database/sql does with optional driver interfaces. Drivers move bytes
// and know nothing about payload formats.
//
// Drivers register by name in the database/sql style; each driver package also exports New so
// tests need no registry.
package drivers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Driver opens connections to targets of one transport: "rest", "grpc", "amqp", "kafka".
type Driver interface {
	Name() string
	// Open connects to t. It fails within t.ConnectTimeout with an error wrapping ErrUnreachable
	// when the target does not answer, and ErrAuth when credentials are refused.
	Open(ctx context.Context, t Target) (Conn, error)
}

// Conn is an open connection. Close releases it; it is safe to call more than once. The capability
// methods of a Conn are safe for concurrent use by several goroutines (the bench engine shares one
// Conn between its workers); the conformance suite in drivers/drivertest checks it.
type Conn interface {
	Close() error
}

// Requester sends a request and waits for its response (REST, gRPC unary, broker request/reply).
type Requester interface {
	Request(ctx context.Context, req *Message) (*Message, error)
}

// BodyCounter is a Requester that can read a response body to its end counting its bytes
// instead of keeping them: a benchmark that judges only the status holds no body (drivers/rest).
type BodyCounter interface {
	// RequestCount is Request with the response's Body left nil and its length (bytes) in n.
	RequestCount(ctx context.Context, req *Message) (resp *Message, n int64, err error)
}

// Streamer runs one streaming call (gRPC server, client or bidirectional streaming).
type Streamer interface {
	// Stream opens a call on req.Route with req.Headers as metadata, sends req.Body as the only
	// request when send is nil, else every body send yields (send runs on its own goroutine, so it
	// may block waiting for responses), then half-closes. recv (nil: responses dropped) is called
	// with each response body, which it may keep; an error from recv cancels the call and is
	// returned. Once the call has ended, send's next yield returns false, and Stream returns only
	// after send has returned (a send that blocks must stop when the responses it waits for stop
	// coming). The returned Message carries response headers, trailers, Status, StatusMessage and
	// the last response body; a non-OK status is a result, not an error.
	Stream(ctx context.Context, req *Message, send iter.Seq[[]byte], recv func(body []byte) error) (*Message, error)
}

// Publisher sends messages to a broker.
type Publisher interface {
	// Publish hands m to the client and returns; an error means it was not sent. done, when not nil,
	// is called exactly once, from any goroutine, when the broker acknowledged the message
	// (publisher confirm, Kafka acks) with nil, or refused or returned it with an error.
	Publish(ctx context.Context, m *Message, done func(error)) error
	// Flush waits until every published message has been acknowledged or refused.
	Flush(ctx context.Context) error
}

// Subscriber receives messages from a broker.
type Subscriber interface {
	// Subscribe starts receiving from the route and returns once the subscription is in place, so
	// that messages published afterwards are received. handle is called for each message, from
	// one goroutine per stream (partition or queue); returning an error nacks the message where
	// the transport can (AMQP with requeue), else it is acknowledged.
	Subscribe(ctx context.Context, s Subscription, handle func(*Message) error) (Subscribed, error)
}

// Subscription says what to receive.
type Subscription struct {
	// Route: AMQP "exchange/routing.key" (an exclusive temporary queue is bound) or "queue:NAME";
	// Kafka the topic.
	Route string
	// Group is the Kafka consumer group; empty means assigned partitions with no commits.
	Group string
	// From is where a Kafka subscription starts: "end" (default), "start", or an RFC 3339 time.
	From string
	// Prefetch is the AMQP QoS prefetch count (0: driver default).
	Prefetch int
	// AutoAck turns AMQP manual acknowledgement off.
	AutoAck bool
}

// Subscribed is a running subscription. Close stops it and waits for handlers to return.
type Subscribed interface {
	Close() error
}

// Ending is an optional interface of a Subscribed whose end can be watched: Done is closed when
// the subscription ended, by Close or because its connection was lost (Close then returns the
// cause), so that a workload can subscribe again.
type Ending interface {
	Done() <-chan struct{}
}

// Message is what a driver moves. Requests and published messages set the request fields;
// responses and received messages also carry Status, Properties and Time.
type Message struct {
	// Route: REST path with query ("/orders/1?x=y"); gRPC full method ("/shop.v1.OrderService/GetOrder");
	// AMQP "exchange/routing.key"; Kafka topic.
	Route string `json:"route,omitempty"`
	// Method is the HTTP method (REST only).
	Method string `json:"method,omitempty"`
	// Headers: HTTP headers, gRPC metadata, AMQP headers table, Kafka record headers.
	Headers map[string][]string `json:"headers,omitempty"`
	// Trailers: gRPC trailers.
	Trailers map[string][]string `json:"trailers,omitempty"`
	// Properties are transport attributes: AMQP message-id, correlation-id, reply-to, delivery-mode,
	// routing-key, exchange; Kafka partition, offset.
	Properties map[string]string `json:"properties,omitempty"`
	// Key is the Kafka record key.
	Key []byte `json:"key,omitempty"`
	// Body is the payload bytes.
	Body []byte `json:"body,omitempty"`
	// ContentType is the MIME type of Body.
	ContentType string `json:"content_type,omitempty"`
	// Status: HTTP status code, gRPC status code (0 OK).
	Status int `json:"status,omitempty"`
	// StatusMessage: gRPC status message, HTTP reason.
	StatusMessage string `json:"status_message,omitempty"`
	// Time is the broker timestamp of a received message.
	Time time.Time `json:"time,omitzero"`
}

// Header returns the first value of header name (case-insensitive), or "".
func (m *Message) Header(name string) string {
	for k, v := range m.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Target says where and how to connect.
type Target struct {
	// Address: REST base URL, gRPC host:port, AMQP URL, Kafka seed brokers (comma-separated).
	Address string `json:"address" yaml:"address"`
	TLS     TLS    `json:"tls,omitzero" yaml:"tls"`
	// Username and Password are credentials (SASL, AMQP); never written to results or logs.
	Username string `json:"-" yaml:"username"`
	Password string `json:"-" yaml:"password"`
	// Headers are sent with every request (REST headers, gRPC metadata); values may be secret and
	// may reference variables as ${NAME}, resolved by LookupEnv (see ExpandHeaders).
	Headers map[string]string `json:"-" yaml:"headers"`
	// LookupEnv resolves ${NAME} in Headers values and addresses (the CLI passes its environment
	// lookup); nil resolves from the process environment (os.LookupEnv). Never serialized.
	LookupEnv func(name string) (string, bool) `json:"-" yaml:"-"`
	// ConnectTimeout bounds Open (default 5s); RequestTimeout bounds one request (default 30s).
	ConnectTimeout time.Duration `json:"connect_timeout,omitempty" yaml:"connect_timeout"`
	RequestTimeout time.Duration `json:"request_timeout,omitempty" yaml:"request_timeout"`
	// Options are driver-specific settings (e.g. "acks": "all", "protocol": "h2c"); each driver
	// documents its own and rejects unknown ones.
	Options map[string]string `json:"options,omitempty" yaml:"options"`
}

// TLS configures transport security.
type TLS struct {
	Enabled            bool   `json:"enabled,omitempty" yaml:"enabled"`
	CAFile             string `json:"ca_file,omitempty" yaml:"ca_file"`
	CertFile           string `json:"cert_file,omitempty" yaml:"cert_file"`
	KeyFile            string `json:"key_file,omitempty" yaml:"key_file"`
	ServerName         string `json:"server_name,omitempty" yaml:"server_name"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty" yaml:"insecure_skip_verify"`
}

// Config builds a *tls.Config from t: CAFile (PEM) replaces the system roots, CertFile and KeyFile
// (PEM, both or neither) give the client certificate. It returns nil, nil when t is not Enabled.
// Errors name the file and what was wrong with it.
func (t TLS) Config() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // skip-verify is an explicit user choice
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificate found", t.CAFile)
		}
		c.RootCAs = pool
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, errors.New("tls: cert_file and key_file must be given together")
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls client certificate %s / %s: %w", t.CertFile, t.KeyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// Default timeouts applied when a Target leaves them zero.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultRequestTimeout = 30 * time.Second
)

// WithDefaults returns t with zero timeouts set to the defaults.
func (t Target) WithDefaults() Target {
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = DefaultConnectTimeout
	}
	if t.RequestTimeout <= 0 {
		t.RequestTimeout = DefaultRequestTimeout
	}
	return t
}

// Errors callers test with errors.Is.
var (
	// ErrUnreachable: the target did not answer (refused, DNS, connect timeout).
	ErrUnreachable = errors.New("target unreachable")
	// ErrAuth: the target refused the credentials.
	ErrAuth = errors.New("authentication refused")
	// ErrUnsupported: the connection lacks the capability asked for.
	ErrUnsupported = errors.New("operation not supported by this driver")
	// ErrClosed: the connection was used after Close.
	ErrClosed = errors.New("use of a closed connection")
	// ErrNack: the broker refused a published message (AMQP basic.nack on a publisher confirm);
	// Publish's done callback receives an error wrapping it.
	ErrNack = errors.New("broker nack")
)

var (
	mu      sync.RWMutex
	drivers = map[string]Driver{}
)

// Register makes a driver available by its name. It panics on a nil driver or a duplicate name.
func Register(d Driver) {
	mu.Lock()
	defer mu.Unlock()
	if d == nil {
		panic("drivers: Register of nil driver")
	}
	if _, dup := drivers[d.Name()]; dup {
		panic("drivers: Register called twice for driver " + d.Name())
	}
	drivers[d.Name()] = d
}

// Get returns the driver registered under name; an unknown name is an error listing the known ones.
func Get(name string) (Driver, error) {
	mu.RLock()
	d, ok := drivers[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown driver %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return d, nil
}

// Names returns the registered driver names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(drivers))
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
