package drivers

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// CheckReachable dials hostport over TCP and, when cfg is not nil, completes a TLS handshake with
// cfg (ServerName defaulting to the host), then closes the connection. Drivers whose clients
// connect lazily (net/http, grpc) call it in Open so an absent target fails fast with its cause.
//
// The whole check is bounded by timeout (and ctx). Errors: a refused or timed-out dial, or a TLS
// peer that never answers, wraps ErrUnreachable and names the address; a TLS handshake that fails
// (unknown authority, wrong name, plain-text peer) is returned as is, with a hint.
func CheckReachable(ctx context.Context, hostport string, cfg *tls.Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		if ctxErr := context.Cause(ctx); ctxErr != nil && !errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("connect %s: %w", hostport, ctxErr)
		}
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, hostport, err)
	}
	defer c.Close()
	if cfg == nil {
		return nil
	}
	if cfg.ServerName == "" {
		host, _, splitErr := net.SplitHostPort(hostport)
		if splitErr == nil {
			cfg = cfg.Clone()
			cfg.ServerName = host
		}
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%w: %s: no TLS handshake answer within %s", ErrUnreachable, hostport, timeout)
		}
		if ctxErr := context.Cause(ctx); ctxErr != nil {
			return fmt.Errorf("TLS handshake with %s: %w", hostport, ctxErr)
		}
		return fmt.Errorf("TLS handshake with %s: %w (is TLS expected there? check ca_file, server_name)", hostport, err)
	}
	return nil
}
