package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers"
)

// Collect subscribes to s and sends every received message to the returned channel (buffered,
// 1000 messages); the subscription is closed when the test ends.
func Collect(t testing.TB, c drivers.Subscriber, s drivers.Subscription) <-chan *drivers.Message {
	t.Helper()
	got := make(chan *drivers.Message, 1000)
	sub, err := c.Subscribe(context.Background(), s, func(m *drivers.Message) error { got <- m; return nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return got
}

// Receive returns the next message from got, failing the test when none comes within 5 s.
func Receive(t testing.TB, got <-chan *drivers.Message) *drivers.Message {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
		return nil
	}
}
