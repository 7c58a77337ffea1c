package bench

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestStatusCode(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("get: %w", &StatusError{Code: 503}), "HTTP 503"},
		{status.Error(codes.Unavailable, "down"), "gRPC UNAVAILABLE"},
		{status.Error(codes.DeadlineExceeded, "slow"), "gRPC DEADLINE_EXCEEDED"},
		{fmt.Errorf("publish: %w", ErrNack), ""},
		{errors.New("boom"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := StatusCode(tt.err); got != tt.want {
			t.Errorf("StatusCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
