// Package drivertest is the conformance suite every driver's tests run: connect and close, a
// round trip, concurrent round trips on one connection, the request timeout, cancellation, an
// unreachable target, a peer that accepts connections but never answers, and TLS (valid CA,
// missing CA, insecure-skip-verify, wrong server name, missing client certificate).
//
// A driver's test fills a Harness with the driver, a live peer (httptest server, in-process gRPC
// server, RabbitMQ, kfake) and one round trip for the driver's capability, then calls Run.
package drivertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers"
)

// slack is how much later than its bound an operation may return (shared, loaded CI machines).
const slack = 2 * time.Second

// Harness describes one driver for Run.
type Harness struct {
	// Driver under test.
	Driver drivers.Driver
	// Target returns a live plain-text target that RoundTrip and Stall work against. Run calls it
	// once per case and overrides the timeouts where a case needs it.
	Target func(t *testing.T) drivers.Target
	// RoundTrip performs one exchange on c (a request and its response, a publish and its
	// delivery...) and returns an error when it failed or its outcome is wrong.
	RoundTrip func(ctx context.Context, c drivers.Conn) error
	// Stall starts an operation the live target never completes (a request the server holds, a
	// request/reply nobody answers); it must return when ctx ends or the target's RequestTimeout
	// passes. Nil skips the timeout and cancellation cases.
	Stall func(ctx context.Context, c drivers.Conn) error
	// Address formats a loopback host:port as the driver's Target.Address, e.g. "http://" + hp,
	// hp, "amqp://guest:guest@" + hp + "/". Run uses it for the unreachable and mute peers.
	Address func(hostport string) string
	// TLSTarget returns a live TLS target served with certs.ServerConfig, whose TLS has Enabled
	// and CAFile (and, with MutualTLS, ClientCertFile and ClientKeyFile) set. Nil skips the TLS cases.
	TLSTarget func(t *testing.T, certs *Certs) drivers.Target
	// MutualTLS says the TLS target requires a client certificate.
	MutualTLS bool
	// Concurrency is the number of goroutines sharing one Conn in the concurrent case (default 4),
	// each doing 10 round trips.
	Concurrency int
}

// Run runs the conformance cases as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Driver == nil || h.Target == nil || h.RoundTrip == nil || h.Address == nil {
		t.Fatal("drivertest: Harness needs Driver, Target, RoundTrip and Address")
	}
	t.Run("Registered", func(t *testing.T) {
		d, err := drivers.Get(h.Driver.Name())
		if err != nil {
			t.Fatal(err)
		}
		if d.Name() != h.Driver.Name() {
			t.Fatalf("registry returned driver %q for %q", d.Name(), h.Driver.Name())
		}
	})
	t.Run("ConnectRoundTripClose", func(t *testing.T) {
		c := open(t, h, h.Target(t))
		if err := h.RoundTrip(context.Background(), c); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		_ = c.Close() // a second Close must not panic
		err := within(t, slack, func() error { return h.RoundTrip(context.Background(), c) })
		if err == nil {
			t.Fatal("round trip after Close succeeded; want an error")
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		c := open(t, h, h.Target(t))
		n := h.Concurrency
		if n <= 0 {
			n = 4
		}
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				for range 10 {
					if err := h.RoundTrip(context.Background(), c); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent round trip: %v", err)
		}
	})
	t.Run("RequestTimeout", func(t *testing.T) {
		if h.Stall == nil {
			t.Skip("driver harness has no Stall operation")
		}
		tg := h.Target(t)
		tg.RequestTimeout = 300 * time.Millisecond
		c := open(t, h, tg)
		start := time.Now()
		err := within(t, tg.RequestTimeout+slack, func() error { return h.Stall(context.Background(), c) })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("stalled operation: err = %v, want one wrapping context.DeadlineExceeded", err)
		}
		if el := time.Since(start); el < tg.RequestTimeout*3/4 {
			t.Fatalf("stalled operation returned after %s, before the %s request timeout", el, tg.RequestTimeout)
		}
		if err := h.RoundTrip(context.Background(), c); err != nil {
			t.Fatalf("round trip after a timed-out operation: %v", err)
		}
	})
	t.Run("Cancellation", func(t *testing.T) {
		if h.Stall == nil {
			t.Skip("driver harness has no Stall operation")
		}
		c := open(t, h, h.Target(t))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		err := within(t, slack, func() error { return h.Stall(ctx, c) })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled operation: err = %v, want one wrapping context.Canceled", err)
		}
		if err := h.RoundTrip(context.Background(), c); err != nil {
			t.Fatalf("round trip after a cancelled operation: %v", err)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		tg := h.Target(t)
		tg.Address = h.Address(ClosedPort(t))
		tg.TLS = drivers.TLS{}
		tg.ConnectTimeout = time.Second
		err := within(t, tg.ConnectTimeout+slack, func() error {
			c, err := h.Driver.Open(context.Background(), tg)
			if err == nil {
				c.Close()
				return errors.New("Open succeeded")
			}
			return err
		})
		if !errors.Is(err, drivers.ErrUnreachable) {
			t.Fatalf("Open of %s: err = %v, want one wrapping drivers.ErrUnreachable", tg.Address, err)
		}
	})
	t.Run("MutePeer", func(t *testing.T) {
		tg := h.Target(t)
		tg.Address = h.Address(MutePeer(t))
		tg.TLS = drivers.TLS{}
		tg.ConnectTimeout = 500 * time.Millisecond
		tg.RequestTimeout = 500 * time.Millisecond
		var c drivers.Conn
		err := within(t, tg.ConnectTimeout+slack, func() error {
			var err error
			c, err = h.Driver.Open(context.Background(), tg)
			return err
		})
		if err != nil {
			if !errors.Is(err, drivers.ErrUnreachable) {
				t.Fatalf("Open of a mute peer: err = %v, want nil or one wrapping drivers.ErrUnreachable", err)
			}
			return
		}
		defer c.Close()
		err = within(t, tg.RequestTimeout+slack, func() error { return h.RoundTrip(context.Background(), c) })
		if err == nil {
			t.Fatal("round trip with a peer that never answers succeeded")
		}
	})
	if h.TLSTarget == nil {
		return
	}
	certs := NewCerts(t)
	tlsCases := []struct {
		name   string
		edit   func(*drivers.TLS)
		wantOK bool
		skip   bool
	}{
		{name: "ValidCA", edit: func(*drivers.TLS) {}, wantOK: true},
		{name: "MissingCA", edit: func(c *drivers.TLS) { c.CAFile = "" }},
		{name: "InsecureSkipVerify", edit: func(c *drivers.TLS) { c.CAFile, c.InsecureSkipVerify = "", true }, wantOK: true},
		{name: "WrongServerName", edit: func(c *drivers.TLS) { c.ServerName = "wrong.invalid" }},
		{name: "MissingClientCert", edit: func(c *drivers.TLS) { c.CertFile, c.KeyFile = "", "" }, skip: !h.MutualTLS},
	}
	for _, tc := range tlsCases {
		t.Run("TLS/"+tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("the TLS target does not require a client certificate")
			}
			tg := h.TLSTarget(t, certs)
			if !tg.TLS.Enabled {
				t.Fatal("TLSTarget returned a target with TLS.Enabled false")
			}
			tc.edit(&tg.TLS)
			tg.ConnectTimeout, tg.RequestTimeout = 2*time.Second, 2*time.Second
			err := within(t, tg.ConnectTimeout+tg.RequestTimeout+slack, func() error {
				c, err := h.Driver.Open(context.Background(), tg)
				if err != nil {
					return fmt.Errorf("open: %w", err)
				}
				defer c.Close()
				return h.RoundTrip(context.Background(), c)
			})
			if tc.wantOK && err != nil {
				t.Fatalf("want success, got %v", err)
			}
			if !tc.wantOK && err == nil {
				t.Fatal("want a TLS failure, the round trip succeeded")
			}
		})
	}
}

// open opens t with the harness driver and closes the connection when the test ends.
func open(t *testing.T, h Harness, tg drivers.Target) drivers.Conn {
	t.Helper()
	c, err := h.Driver.Open(context.Background(), tg)
	if err != nil {
		t.Fatalf("Open %s: %v", tg.Address, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// within runs f and fails the test when it has not returned after d.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("no return within %s", d)
		return nil
	}
}

// ClosedPort returns a loopback host:port nobody listens on (connections are refused).
func ClosedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// MutePeer returns the host:port of a listener that accepts connections and never writes to them.
func MutePeer(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}
