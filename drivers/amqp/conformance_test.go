package amqp

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/internal/tcpproxy"
	"github.com/commbench/commbench/internal/testenv"
)

func TestConformance(t *testing.T) {
	brokerURL := testenv.AMQPURL(t)
	u, err := url.Parse(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	// A replier echoes requests on amq.direct/<echo>; <stall> has a queue nobody consumes.
	echo, stall := unique("echo"), unique("stall")
	setup := open(t, nil)
	replier(t, setup, "amq.direct/"+echo)
	if err := setup.withChannel(func(ch *amqp091.Channel) error {
		if _, err := ch.QueueDeclare(stall, false, true, false, false, nil); err != nil {
			return err
		}
		return ch.QueueBind(stall, stall, "amq.direct", false, nil)
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = setup.withChannel(func(ch *amqp091.Channel) error { _, err := ch.QueueDelete(stall, false, false, false); return err })
	})
	var seq atomic.Int64
	drivertest.Run(t, drivertest.Harness{
		Driver: New(),
		Target: func(*testing.T) drivers.Target { return drivers.Target{Address: brokerURL} },
		RoundTrip: func(ctx context.Context, c drivers.Conn) error {
			body := fmt.Appendf(nil, "ping-%d", seq.Add(1))
			resp, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "amq.direct/" + echo, Body: body})
			if err != nil {
				return err
			}
			if !bytes.Equal(resp.Body, bytes.ToUpper(body)) {
				return fmt.Errorf("reply %q to %q", resp.Body, body)
			}
			return nil
		},
		Stall: func(ctx context.Context, c drivers.Conn) error {
			_, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "amq.direct/" + stall})
			return err
		},
		Address: func(hp string) string { return "amqp://guest:guest@" + hp + "/" },
		TLSTarget: func(t *testing.T, certs *drivertest.Certs) drivers.Target {
			hp := tlsProxy(t, certs.ServerConfig(true), u.Host)
			return drivers.Target{Address: "amqps://" + u.User.String() + "@" + hp + u.Path,
				TLS: drivers.TLS{Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile}}
		},
		MutualTLS: true,
	})
}

// tlsProxy terminates TLS with cfg on a loopback port and forwards the bytes to the plain broker
// at upstream, so the driver's amqps path runs against the real RabbitMQ.
func tlsProxy(t *testing.T, cfg *tls.Config, upstream string) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.Start(ln, upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p.Addr()
}
