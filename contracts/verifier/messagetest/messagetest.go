// Package messagetest provides in-process message providers for tests of message contract
// verification: an HTTP endpoint (state change or trigger URL) that publishes a message to a
// real broker when called, and a replier answering request/reply messages as Spring Kafka and
// RabbitMQ RPC servers do.
package messagetest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/commbench/commbench/drivers"
)

// PublishOnPost returns a handler that, on each POST, publishes msg() through pub and answers
// 200 once the broker acknowledged it (500 with the error otherwise). A nil message publishes
// nothing. It stands for a provider that publishes when a provider state is set up or when its
// trigger URL is called.
func PublishOnPost(pub drivers.Publisher, msg func() *drivers.Message) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		m := msg()
		if m == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		done := make(chan error, 1)
		if err := pub.Publish(r.Context(), m, func(err error) { done <- err }); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := <-done; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = fmt.Fprintln(w, "{}")
	})
}

// Conn is a broker connection that can both receive requests and publish replies.
type Conn interface {
	drivers.Subscriber
	drivers.Publisher
}

// Reply subscribes to route and answers each request with answer(request): on Kafka to the topic
// in the kafka_replyTopic header with the kafka_correlationId header copied (Spring Kafka's
// ReplyingKafkaTemplate convention), on AMQP to the reply_to queue through the default exchange
// with the correlation_id property copied. A nil answer sends nothing. The caller closes the
// subscription.
func Reply(ctx context.Context, c Conn, route string, kafka bool, answer func(*drivers.Message) *drivers.Message) (drivers.Subscribed, error) {
	return c.Subscribe(ctx, drivers.Subscription{Route: route, AutoAck: true}, func(req *drivers.Message) error {
		resp := answer(req)
		if resp == nil {
			return nil
		}
		if kafka {
			resp.Route = req.Header("kafka_replyTopic")
			if resp.Headers == nil {
				resp.Headers = map[string][]string{}
			}
			resp.Headers["kafka_correlationId"] = []string{req.Header("kafka_correlationId")}
		} else {
			resp.Route = "/" + req.Properties["reply_to"]
			if resp.Properties == nil {
				resp.Properties = map[string]string{}
			}
			resp.Properties["correlation_id"] = req.Properties["correlation_id"]
		}
		return c.Publish(ctx, resp, nil)
	})
}
