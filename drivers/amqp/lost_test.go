package amqp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/internal/tcpproxy"
	"github.com/commbench/commbench/internal/testenv"
)

// proxied opens a connection to the test broker through a TCP proxy the test can cut.
func proxied(t *testing.T) (*Conn, *tcpproxy.Proxy) {
	t.Helper()
	addr, p := testenv.ProxiedAMQPURL(t)
	conn, err := New().Open(context.Background(), drivers.Target{Address: addr, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn.(*Conn), p
}

// TestConnectionLostMidSubscription loses the connection while a subscription runs, either
// closed by the broker (only this test's connection: an unknown exchange type is a connection
// error in RabbitMQ, 503 COMMAND_INVALID) or cut on the network by the proxy in front of the
// broker. Every later operation and the subscription's Close report drivers.ErrUnreachable,
// with the broker's reply code when it closed the connection.
func TestConnectionLostMidSubscription(t *testing.T) {
	tests := []struct {
		name string
		lose func(t *testing.T, c *Conn, p *tcpproxy.Proxy)
		code int // the broker's reply code; 0 when the network failed
		want string
	}{
		{"broker closes the connection", func(t *testing.T, c *Conn, _ *tcpproxy.Proxy) {
			err := c.withChannel(func(ch *amqp091.Channel) error {
				return ch.ExchangeDeclare(unique("bad-type"), "x-commbench-no-such-type", false, true, false, false, nil)
			})
			if err == nil {
				t.Fatal("declaring an exchange of an unknown type succeeded")
			}
		}, amqp091.CommandInvalid, "broker closed the connection: 503 COMMAND_INVALID"},
		{"network cut", func(t *testing.T, _ *Conn, p *tcpproxy.Proxy) {
			if p.Cut() == 0 {
				t.Fatal("no connection to cut")
			}
		}, 0, "connection lost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, p := proxied(t)
			route := "amq.topic/" + unique("lost")
			got := make(chan *drivers.Message, 10)
			sub, err := c.Subscribe(context.Background(), drivers.Subscription{Route: route, AutoAck: true},
				func(m *drivers.Message) error { got <- m; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Publish(context.Background(), &drivers.Message{Route: route, Body: []byte("before")}, nil); err != nil {
				t.Fatal(err)
			}
			if m := drivertest.Receive(t, got); string(m.Body) != "before" {
				t.Fatalf("got %q", m.Body)
			}

			tc.lose(t, c, p)
			deadline := time.Now().Add(5 * time.Second)
			for !c.conn.IsClosed() {
				if time.Now().After(deadline) {
					t.Fatal("the connection is still open 5s after it was lost")
				}
				time.Sleep(10 * time.Millisecond)
			}

			_, subscribeErr := c.Subscribe(context.Background(), drivers.Subscription{Route: route}, func(*drivers.Message) error { return nil })
			_, requestErr := c.Request(context.Background(), &drivers.Message{Route: route})
			for op, err := range map[string]error{
				"subscription close": sub.Close(),
				"subscribe":          subscribeErr,
				"publish":            c.Publish(context.Background(), &drivers.Message{Route: route, Body: []byte("after")}, nil),
				"request":            requestErr,
			} {
				t.Logf("%s: %v", op, err)
				if !errors.Is(err, drivers.ErrUnreachable) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: err = %v, want drivers.ErrUnreachable and %q", op, err, tc.want)
					continue
				}
				var ae *amqp091.Error
				if tc.code != 0 && (!errors.As(err, &ae) || ae.Code != tc.code || !ae.Server) {
					t.Errorf("%s: errors.As *amqp091.Error = %+v, want the broker's reply code %d", op, ae, tc.code)
				}
			}
			if err := c.Close(); err != nil {
				t.Errorf("Close after the loss: %v", err)
			}
			if err := c.Publish(context.Background(), &drivers.Message{Route: route}, nil); !errors.Is(err, drivers.ErrClosed) {
				t.Errorf("publish after Close: %v, want drivers.ErrClosed", err)
			}
		})
	}
}
