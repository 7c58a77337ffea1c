package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"strings"

	"github.com/commbench/commbench/drivers"
	_ "github.com/commbench/commbench/drivers/amqp"  // registers "amqp"
	_ "github.com/commbench/commbench/drivers/grpc"  // registers "grpc"
	_ "github.com/commbench/commbench/drivers/kafka" // registers "kafka"
	_ "github.com/commbench/commbench/drivers/rest"  // registers "rest"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/scenario"
)

// This file opens targets: a scenario.Target (its ${VAR} references expanded) becomes a
// drivers.Target, opened through the driver registry. Errors say whether the target did not
// answer (ErrUnavailable) or the input was wrong (ErrInvalid).

// startHints tell a user how to start a broker that did not answer, per driver.
var startHints = map[string]string{
	"amqp":  "start one with: docker run -d --name rabbitmq -p 5672:5672 rabbitmq:4-management (or docker compose up -d rabbitmq)",
	"kafka": "start one with: docker compose up -d kafka (see compose.yaml)",
}

// driverTarget is the drivers.Target of t, whose ${VAR} references are already expanded
// (scenario.Target.ExpandEnv). The drivers expand header values and addresses with LookupEnv once
// more, so '$' is escaped as "$$" here: a value that holds '$' (a secret) reaches the target as it
// is. Workload headers, merged in later, are expanded there once.
func driverTarget(t scenario.Target, lookupEnv func(string) (string, bool)) drivers.Target {
	var headers map[string]string
	if t.Headers != nil {
		headers = make(map[string]string, len(t.Headers))
		for k, v := range t.Headers {
			headers[k] = strings.ReplaceAll(v, "$", "$$")
		}
	}
	options := make(map[string]string, len(t.Options))
	maps.Copy(options, t.Options)
	return drivers.Target{
		Address: strings.ReplaceAll(t.Address, "$", "$$"), TLS: t.TLS, Username: t.Username, Password: t.Password,
		Headers: headers, LookupEnv: lookupEnv, Options: options,
		ConnectTimeout: t.ConnectTimeout.Std(), RequestTimeout: t.RequestTimeout.Std(),
	}
}

// openDriver opens a connection with the driver registered as name; what names the target in
// errors, which carry ErrUnavailable (unreachable, refused, cancelled) or ErrInvalid.
func openDriver(ctx context.Context, name string, t drivers.Target, what string) (drivers.Conn, error) {
	d, err := drivers.Get(name)
	if err != nil {
		return nil, exitcode.Usagef("%s: %w", what, err)
	}
	c, err := d.Open(ctx, t)
	if err != nil {
		return nil, openError(what, err)
	}
	return c, nil
}

// checkTarget opens and closes a connection to t (expanded); the error is the driver's.
func checkTarget(ctx context.Context, t scenario.Target, lookupEnv func(string) (string, bool)) error {
	d, err := drivers.Get(t.Driver)
	if err != nil {
		return err
	}
	c, err := d.Open(ctx, driverTarget(t, lookupEnv))
	if err != nil {
		return err
	}
	return c.Close()
}

// targetName names scenario target t in errors: "target NAME (DRIVER ADDRESS)", credentials
// removed.
func targetName(t scenario.Target) string {
	return fmt.Sprintf("target %s (%s %s)", t.Name, t.Driver, scenario.RedactURL(t.Address))
}

// SkipReason says why optional target t is skipped because err happened when it was opened, with
// how to start such a target (a RabbitMQ or Kafka broker). Options.Skip takes such reasons.
func SkipReason(t scenario.Target, err error) string {
	reason := fmt.Sprintf("optional target %s (%s) did not answer: %v", t.Name, t.Driver, err)
	if hint := startHints[t.Driver]; hint != "" {
		reason += "; " + hint
	}
	return reason
}

// NotAnswering reports whether err, from opening t, means that t does not answer at all (so an
// optional t may be skipped): err wraps drivers.ErrUnreachable and not drivers.ErrAuth, and no
// address of t accepts a TCP connection within its connect timeout. A target that accepts the
// connection and then fails (refused credentials, a TLS or protocol error) answers.
func NotAnswering(ctx context.Context, t scenario.Target, err error) bool {
	if !errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrAuth) {
		return false
	}
	timeout := t.ConnectTimeout.Std()
	if timeout <= 0 {
		timeout = drivers.DefaultConnectTimeout
	}
	for _, hp := range hostPorts(t) {
		if drivers.CheckReachable(ctx, hp, nil, timeout) == nil {
			return false
		}
	}
	return true
}

// hostPorts lists the host:port addresses of t: the URL's host (default port per scheme: http
// 80, https 443, amqp 5672, amqps 5671), Kafka's comma-separated brokers (default 9092), a gRPC
// address (a scheme such as dns:/// removed).
func hostPorts(t scenario.Target) []string {
	withPort := func(host, port string) string {
		if _, _, err := net.SplitHostPort(host); err == nil {
			return host
		}
		return net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	addr := strings.TrimSpace(t.Address)
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		port := map[string]string{"http": "80", "https": "443", "amqp": "5672", "amqps": "5671"}[u.Scheme]
		if port == "" {
			port = "443"
		}
		return []string{withPort(u.Host, port)}
	}
	var out []string
	for _, a := range strings.Split(addr, ",") {
		a = strings.TrimSpace(a)
		if i := strings.LastIndex(a, "///"); i >= 0 {
			a = a[i+3:]
		}
		if a == "" {
			continue
		}
		port := "443"
		if t.Driver == "kafka" {
			port = "9092"
		}
		out = append(out, withPort(a, port))
	}
	return out
}

// openError classifies an Open failure: unreachable targets, refused credentials and a cancelled
// run are ErrUnavailable; anything else is bad input (ErrInvalid).
func openError(what string, err error) error {
	if errors.Is(err, drivers.ErrUnreachable) || errors.Is(err, drivers.ErrAuth) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return exitcode.Unavailablef("%s: %w", what, err)
	}
	return exitcode.Usagef("%s: %w", what, err)
}
