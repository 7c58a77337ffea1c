package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commbench/commbench/bench"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestModes(t *testing.T) {
	snap := func() bench.Snapshot {
		return bench.Snapshot{Elapsed: 3 * time.Second, Total: 10 * time.Second, Sent: 300, Succeeded: 298, Errors: 2, RatePerS: 99.5, P99MS: 4.2}
	}
	tests := []struct {
		name  string
		mode  Mode
		wants []string
	}{
		{"none", None, nil},
		{"plain", Plain, []string{"orders: 3s/10s sent 300 ok 298 errors 2 rate 99.5/s p99 4.2ms\n"}},
		{"bar", Bar, []string{"orders", "3s elapsed, 7s left", "sent 300", "errors 2", "p99 4.2ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuf
			stop := Start(&out, Options{Mode: tt.mode, Every: 50 * time.Millisecond, Name: "orders", Width: 160}, snap)
			time.Sleep(500 * time.Millisecond)
			stop()
			got := out.String()
			if tt.wants == nil && got != "" {
				t.Fatalf("mode none wrote %q", got)
			}
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			n := len(got)
			time.Sleep(100 * time.Millisecond)
			if len(out.String()) != n {
				t.Error("output continued after stop")
			}
		})
	}
}

func TestLineWarmup(t *testing.T) {
	if got := Line("w", bench.Snapshot{Warmup: true}); got != "w: warming up" {
		t.Fatal(got)
	}
	if got := Line("w", bench.Snapshot{Elapsed: 2500 * time.Millisecond, Sent: 5}); !strings.HasPrefix(got, "w: 2s sent 5 ") {
		t.Fatal(got)
	}
}
