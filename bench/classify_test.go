package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

type kafkaErr struct{ name string }

func (e kafkaErr) Error() string { return e.name }

func TestClassify(t *testing.T) {
	RegisterClassifier(func(err error) (string, bool) {
		var k kafkaErr
		if errors.As(err, &k) {
			return "kafka_" + k.name, true
		}
		return "", false
	})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"deadline", fmt.Errorf("rest GET /: %w", context.DeadlineExceeded), ClassTimeout},
		{"os deadline", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, ClassTimeout},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), ClassCanceled},
		{"refused", &net.OpError{Op: "dial", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, ClassConnectionRefused},
		{"reset", &net.OpError{Op: "read", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, ClassConnectionReset},
		{"http 503", fmt.Errorf("x: %w", &StatusError{Code: 503}), "http_5xx"},
		{"http 404", &StatusError{Code: 404}, "http_4xx"},
		{"grpc unavailable", status.Error(codes.Unavailable, "down"), "grpc_UNAVAILABLE"},
		{"grpc resource exhausted", fmt.Errorf("wrapped: %w", status.Error(codes.ResourceExhausted, "")), "grpc_RESOURCE_EXHAUSTED"},
		{"grpc deadline", status.Error(codes.DeadlineExceeded, ""), ClassTimeout},
		{"nack", fmt.Errorf("publish: %w", ErrNack), ClassBrokerNack},
		{"driver nack", fmt.Errorf("amqp publish: %w: message 7 (publisher confirm)", drivers.ErrNack), ClassBrokerNack},
		{"returned", fmt.Errorf("publish: %w", ErrReturned), ClassReturned},
		{"registered kafka", fmt.Errorf("produce: %w", kafkaErr{"NOT_LEADER_FOR_PARTITION"}), "kafka_NOT_LEADER_FOR_PARTITION"},
		{"other", errors.New("boom"), ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Fatalf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// TestLatencyRoundTrip: the encoded histogram decodes to the same distribution, and two
// halves merge exactly into the whole.
func TestLatencyRoundTrip(t *testing.T) {
	all, a, b := newHist(), newHist(), newHist()
	for i := int64(1); i <= 10000; i++ {
		all.RecordValue(i * 7)
		if i%2 == 0 {
			a.RecordValue(i * 7)
		} else {
			b.RecordValue(i * 7)
		}
	}
	la, lb := Latency(a), Latency(b)
	ha, err := DecodeLatency(la)
	if err != nil {
		t.Fatal(err)
	}
	hb, err := DecodeLatency(lb)
	if err != nil {
		t.Fatal(err)
	}
	ha.Merge(hb)
	if !ha.Equals(all) {
		t.Fatal("merged decoded halves differ from the whole")
	}
	l := Latency(all)
	if l.Count != 10000 || l.P50MS != usToMS(all.ValueAtQuantile(50)) || l.MaxMS != usToMS(all.Max()) {
		t.Fatalf("summary %+v", l)
	}
	if _, err := DecodeLatency(&results.Latency{}); err == nil {
		t.Fatal("empty histogram decoded")
	}
}
