package messaging

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

// TestKafkaInjectedFaults runs produce-consume through drivers/kafka on kfake (3 partitions,
// keyed records, streams per partition). kfake ControlKey rejects chosen produce requests (one
// record each: one message in flight), and the consumer path drops, duplicates and delays chosen
// records: unconfirmed, lost, duplicates and out-of-order equal the injected counts exactly.
func TestKafkaInjectedFaults(t *testing.T) {
	cases := []struct {
		name            string
		reject          []int64 // 1-based produce request numbers
		drop, dup, late []uint64
	}{
		{name: "clean"},
		{name: "produce rejects are unconfirmed, not lost", reject: []int64{1, 50, 299}},
		{name: "consumer-path drop, duplicate, delay", reject: []int64{7}, drop: []uint64{3, 150, 299}, dup: []uint64{4, 5, 200}, late: []uint64{10, 11, 100}},
	}
	const count = 300
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, addr := kafkatest.NewCluster(t, 1, 3, "orders")
			rejects := map[int64]bool{}
			for _, r := range tc.reject {
				rejects[r] = true
			}
			var produces atomic.Int64
			c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
				if !rejects[produces.Add(1)] {
					return nil, nil, false
				}
				c.KeepControl()
				req := kr.(*kmsg.ProduceRequest)
				resp := req.ResponseKind().(*kmsg.ProduceResponse)
				for _, rt := range req.Topics {
					st := kmsg.NewProduceResponseTopic()
					st.Topic, st.TopicID = rt.Topic, rt.TopicID
					for _, rp := range rt.Partitions {
						sp := kmsg.NewProduceResponseTopicPartition()
						sp.Partition, sp.ErrorCode = rp.Partition, kerr.InvalidRecord.Code
						st.Partitions = append(st.Partitions, sp)
					}
					resp.Topics = append(resp.Topics, st)
				}
				return resp, nil, true
			})
			f := newFaults(tc.drop, tc.dup, tc.late, nil)
			run := uuid.NewString()
			cfg := Config{Operation: ProduceConsume, RunID: run, Route: "orders", Subscription: drivers.Subscription{Route: "orders"},
				Body: body, Key: func(_ int, seq uint64) []byte { return fmt.Appendf(nil, "k%d", seq%7) }, Drain: 500 * time.Millisecond}
			target := drivers.Target{Address: addr, Options: map[string]string{"acks": "1"}}
			wl := runWorkload(t, &faultDriver{Driver: kafka.New(), f: f}, target, cfg, bench.Config{Count: count, MaxInFlight: 1, Drain: 10 * time.Second})
			in := wl.Integrity
			rej, lost, dups, late := int64(len(tc.reject)), int64(len(tc.drop)), int64(len(tc.dup)), int64(len(tc.late))
			checks := []struct {
				name      string
				got, want int64
			}{
				{"sent", in.Sent, count},
				{"acknowledged", in.Acknowledged, count - rej},
				{"unconfirmed", in.Unconfirmed, rej},
				{"lost", in.Lost, lost},
				{"duplicates", in.Duplicates, dups},
				{"out-of-order", in.OutOfOrder, late},
				{"unexpected", in.Unexpected, 0},
				{"received", in.Received, count - rej - lost + dups},
				{"produce errors", wl.Totals.Errors, rej},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
				}
			}
		})
	}
}
