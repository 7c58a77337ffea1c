package progress

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

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
		{"plain", Plain, []string{"orders: 3s/10s sent 300 ok 298 errors 2 rate 99.5/s p99 4.20 ms\n"}},
		{"bar", Bar, []string{"orders", "3s/10s", "99.5/s", "err 2", "p99 4.20 ms"}},
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

// TestBarFits80Columns: at 80 columns, with a long name and large figures, the bar line keeps a
// bar and every figure (p99 in plain decimals, no exponent), and the line is at most 80 wide.
func TestBarFits80Columns(t *testing.T) {
	snap := func() bench.Snapshot {
		return bench.Snapshot{Elapsed: 12 * time.Minute, Total: 30 * time.Minute, Sent: 123456789, Succeeded: 123456000, Errors: 12345, RatePerS: 123456.7, P99MS: 10200}
	}
	var out syncBuf
	stop := Start(&out, Options{Mode: Bar, Name: "kafka-order-placed-avro-produce-consume", Width: 80}, snap)
	time.Sleep(500 * time.Millisecond)
	stop()
	var bar, final string
	for _, l := range strings.Split(ansi.ReplaceAllString(out.String(), ""), "\n") {
		l = strings.TrimRight(l, " \r")
		if strings.Contains(l, "12m0s/30m0s") && strings.Contains(l, "[") {
			bar = l
		} else if strings.Contains(l, "12m0s/30m0s") {
			final = l
		}
	}
	if w := utf8.RuneCountInString(final); w == 0 || w > 80 || !strings.Contains(final, "p99 10200 ms") {
		t.Errorf("final line (%d columns): %q", w, final)
	}
	if bar == "" {
		t.Fatalf("no bar line in %q", out.String())
	}
	if w := utf8.RuneCountInString(bar); w > 80 {
		t.Errorf("bar line is %d columns: %q", w, bar)
	}
	for _, want := range []string{"kafka-order-pla…", "[", "123457/s", "err 12345", "p99 10200 ms"} {
		if !strings.Contains(bar, want) {
			t.Errorf("bar line lacks %q: %q", want, bar)
		}
	}
	if strings.Contains(out.String(), "e+") {
		t.Errorf("an exponent in %q", out.String())
	}
}

// TestDrainAndFinalLine: past the planned duration the display says it is draining, and stopping
// the bar leaves exactly one final plain line.
func TestDrainAndFinalLine(t *testing.T) {
	s := bench.Snapshot{Elapsed: 33 * time.Second, Total: 30 * time.Second, Sent: 10, Succeeded: 10}
	if got := line("w", s, 5*time.Second); !strings.HasPrefix(got, "w: draining up to 5s after 30s sent 10") {
		t.Fatalf("plain line while draining: %q", got)
	}
	var out syncBuf
	stop := Start(&out, Options{Mode: Bar, Name: "w", Width: 80, Drain: 5 * time.Second}, func() bench.Snapshot { return s })
	time.Sleep(300 * time.Millisecond)
	stop()
	text := ansi.ReplaceAllString(out.String(), "")
	if !strings.Contains(text, "draining") {
		t.Errorf("the bar does not say it is draining: %q", text)
	}
	if n := strings.Count(text, "w: 30s done sent 10 "); n != 1 || !strings.HasSuffix(text, "\n") {
		t.Errorf("%d final lines, want 1: %q", n, text)
	}
}

// ansi matches terminal control sequences (mpb's cursor moves and line clears).
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
