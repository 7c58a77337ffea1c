package amqp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
)

func init() { drivers.Register(New()) }

// Driver opens AMQP 0-9-1 connections.
type Driver struct{}

// New returns the driver.
func New() Driver { return Driver{} }

// Name returns "amqp".
func (Driver) Name() string { return "amqp" }

// Open connects to the broker at t.Address and completes the AMQP handshake within
// t.ConnectTimeout. Errors wrap drivers.ErrUnreachable (nothing answers, handshake timeout, the
// broker hung up: is TLS expected?) or drivers.ErrAuth (credentials or vhost refused).
func (Driver) Open(ctx context.Context, t drivers.Target) (drivers.Conn, error) {
	t = t.WithDefaults()
	o, err := readOptions(t.Options)
	if err != nil {
		return nil, err
	}
	raw, err := drivers.ExpandEnv(t.Address, t.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("amqp: address: %w", err)
	}
	uri, err := amqp091.ParseURI(raw)
	if err != nil {
		return nil, fmt.Errorf("amqp: address is not an AMQP URI (amqp://user:pass@host:5672/vhost): %s", redactErr(err, raw))
	}
	if t.Username != "" {
		uri.Username, uri.Password = t.Username, t.Password
	}
	tlsCfg, err := t.TLS.Config()
	if err != nil {
		return nil, fmt.Errorf("amqp: %w", err)
	}
	if tlsCfg != nil && uri.Scheme == "amqp" {
		uri.Scheme = "amqps"
		if uri.Port == 5672 {
			uri.Port = 5671
		}
	}
	if tlsCfg != nil && tlsCfg.ServerName == "" {
		tlsCfg.ServerName = uri.Host
	}
	where := fmt.Sprintf("%s://%s/%s", uri.Scheme, net.JoinHostPort(uri.Host, strconv.Itoa(uri.Port)), strings.TrimPrefix(uri.Vhost, "/"))
	timeout := t.ConnectTimeout
	cfg := amqp091.Config{
		SASL:            []amqp091.Authentication{&amqp091.PlainAuth{Username: uri.Username, Password: uri.Password}},
		Vhost:           uri.Vhost,
		Heartbeat:       o.heartbeat,
		TLSClientConfig: tlsCfg,
		Locale:          "en_US",
		Properties:      amqp091.Table{"connection_name": "commbench"},
		Dial: func(network, addr string) (net.Conn, error) {
			dctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			conn, err := (&net.Dialer{}).DialContext(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Bounds the TLS and AMQP handshakes; amqp091 clears it once the connection is open.
			_ = conn.SetDeadline(time.Now().Add(timeout))
			return conn, nil
		},
	}
	conn, err := amqp091.DialConfig(uri.String(), cfg)
	if err != nil {
		return nil, openError(err, where, uri.Username, timeout)
	}
	c := &Conn{conn: conn, opts: o, where: where, requestTimeout: t.RequestTimeout, closeDone: make(chan struct{})}
	closes := conn.NotifyClose(make(chan *amqp091.Error, 1))
	go func() {
		defer close(c.closeDone)
		if e, ok := <-closes; ok && e != nil {
			c.closeErr.Store(e)
		}
	}()
	return c, nil
}

// openError classifies a failed dial or handshake.
func openError(err error, where, user string, timeout time.Duration) error {
	var ae *amqp091.Error
	switch {
	case errors.Is(err, amqp091.ErrCredentials):
		return fmt.Errorf("amqp %s: %w: the broker refused user %q: wrong username or password (403 ACCESS_REFUSED)", where, drivers.ErrAuth, user)
	case errors.Is(err, amqp091.ErrVhost):
		return fmt.Errorf("amqp %s: %w: user %q may not access this vhost: check the vhost in the URI and the user's permissions", where, drivers.ErrAuth, user)
	case errors.Is(err, amqp091.ErrSASL):
		return fmt.Errorf("amqp %s: %w: the broker offers no PLAIN authentication", where, drivers.ErrAuth)
	case errors.As(err, &ae) && ae.Code == amqp091.NotAllowed:
		return fmt.Errorf("amqp %s: %w: the vhost does not exist or user %q may not use it: %s", where, drivers.ErrAuth, user, redact.String(ae.Reason))
	case errors.As(err, &ae) && ae.Server:
		return fmt.Errorf("amqp %s: %w", where, brokerError("connection", ae))
	}
	// What is left is local: amqp091 reports read failures during the handshake as a client-side
	// 501 FRAME_ERROR whose reason is the I/O error's text.
	msg := err.Error()
	if ae != nil {
		msg = ae.Reason
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(msg, "i/o timeout"):
		return fmt.Errorf("amqp %s: %w: no AMQP handshake within %s", where, drivers.ErrUnreachable, timeout)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, amqp091.ErrClosed) ||
		strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset"):
		return fmt.Errorf("amqp %s: %w: the broker closed the connection during the handshake: is TLS expected (amqps://) or is this not an AMQP port?", where, drivers.ErrUnreachable)
	default:
		return fmt.Errorf("amqp %s: %w: %s", where, drivers.ErrUnreachable, redact.String(msg))
	}
}

// redactErr renders err without the URI's user info (internal/redact, and the literal user info
// of raw, which a parse error may quote without its scheme).
func redactErr(err error, raw string) string {
	msg := redact.String(err.Error())
	if at := strings.LastIndex(raw, "@"); at > 0 {
		if i := strings.Index(raw, "://"); i >= 0 && i+3 < at {
			msg = strings.ReplaceAll(msg, raw[i+3:at], "***")
		}
	}
	return msg
}

// Conn is an open AMQP connection. Publish, Flush, Request and Subscribe are safe for concurrent use.
type Conn struct {
	conn           *amqp091.Connection
	opts           options
	where          string
	requestTimeout time.Duration
	closeErr       atomic.Pointer[amqp091.Error]
	closeDone      chan struct{} // closed once the connection's closure cause (if any) is in closeErr

	mu        sync.Mutex
	pub       atomic.Pointer[publisher]
	req       *requester
	exchanges sync.Map // exchange name -> struct{}: known to exist or declared
	returned  atomic.Int64
	closed    atomic.Bool
}

// Returned counts the messages the broker returned as unroutable (mandatory flag) since Open.
func (c *Conn) Returned() int64 { return c.returned.Load() }

// Close closes the connection, which closes its channels and subscriptions; pending publishes
// fail. It is safe to call more than once.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	err := c.conn.Close()
	if errors.Is(err, amqp091.ErrClosed) {
		return nil
	}
	return err
}

// connError is the reason the connection is unusable (see lost), naming the broker.
func (c *Conn) connError() error {
	return fmt.Errorf("amqp %s: %w", c.where, c.lost())
}

// lostCauseWait bounds the wait for amqp091 to hand over the closure cause: it marks the
// connection closed just before it notifies the cause.
const lostCauseWait = time.Second

// lost is why the connection is unusable: drivers.ErrClosed after Close; otherwise the connection
// was lost, an error wrapping drivers.ErrUnreachable that carries, when the broker closed it
// (connection.close), its reply code and text (errors.As *amqp091.Error), and when the network
// failed (reset, EOF, missed heartbeats), the I/O error's text. Call it once the connection is
// closed (c.conn.IsClosed).
func (c *Conn) lost() error {
	if c.closed.Load() {
		return drivers.ErrClosed
	}
	select {
	case <-c.closeDone:
	case <-time.After(lostCauseWait):
	}
	e := c.closeErr.Load()
	switch {
	case e != nil && e.Server:
		return fmt.Errorf("%w: %w", drivers.ErrUnreachable, brokerError("connection", e))
	case e != nil:
		return fmt.Errorf("%w: connection lost (the network failed or the broker stopped): %s", drivers.ErrUnreachable, e.Reason)
	}
	return fmt.Errorf("%w: connection closed", drivers.ErrUnreachable)
}

// closeError describes the closure of one of the connection's channels with e: the connection's
// loss (see lost) when the whole connection went, else the broker's closure of the channel.
func (c *Conn) closeError(e *amqp091.Error) error {
	if c.conn.IsClosed() {
		return c.lost()
	}
	return brokerError("channel", e)
}

// channel opens a channel, reporting a closed connection with its cause.
func (c *Conn) channel() (*amqp091.Channel, error) {
	ch, err := c.conn.Channel()
	if err != nil {
		if c.conn.IsClosed() {
			return nil, c.connError()
		}
		return nil, fmt.Errorf("amqp %s: open channel: %w", c.where, err)
	}
	return ch, nil
}

// withChannel runs fn on a short-lived channel (passive checks and declarations close the
// channel when they fail).
func (c *Conn) withChannel(fn func(ch *amqp091.Channel) error) error {
	ch, err := c.channel()
	if err != nil {
		return err
	}
	defer func() { _ = ch.Close() }()
	return fn(ch)
}

// ensureExchange checks once that exchange exists, declaring it when the declare option is on.
func (c *Conn) ensureExchange(exchange string) error {
	if exchange == "" || strings.HasPrefix(exchange, "amq.") {
		return nil
	}
	if _, ok := c.exchanges.Load(exchange); ok {
		return nil
	}
	err := c.withChannel(func(ch *amqp091.Channel) error {
		if c.opts.declare {
			return ch.ExchangeDeclare(exchange, c.opts.exchangeType, true, false, false, false, nil)
		}
		return ch.ExchangeDeclarePassive(exchange, c.opts.exchangeType, true, false, false, false, nil)
	})
	if err != nil {
		return fmt.Errorf("amqp %s: exchange %q: %w", c.where, exchange, c.opError(err))
	}
	c.exchanges.Store(exchange, struct{}{})
	return nil
}

// opError describes a failed channel operation: an error already saying the connection is
// gone is kept; a connection closed meanwhile is reported as lost (see lost); an
// *amqp091.Error is the broker's channel closure (brokerError); others are left alone.
func (c *Conn) opError(err error) error {
	if errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrClosed) {
		return err
	}
	if c.conn.IsClosed() {
		return c.lost()
	}
	var ae *amqp091.Error
	if errors.As(err, &ae) {
		return brokerError("channel", ae)
	}
	return err
}

// splitRoute splits "exchange/routing.key" at the first slash; no slash is an exchange with an
// empty routing key.
func splitRoute(route string) (exchange, key string) {
	exchange, key, _ = strings.Cut(route, "/")
	return exchange, key
}
