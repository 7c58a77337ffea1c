package bench

import (
	"context"
	"sync"
	"testing"
	"time"
)

// intendedRecorder acknowledges at once and keeps each send's intended time.
type intendedRecorder struct {
	mu sync.Mutex
	at map[uint64]time.Time
}

func (r *intendedRecorder) Send(_ context.Context, _ int, seq uint64, c Completion) error {
	r.mu.Lock()
	r.at[seq] = c.Intended()
	r.mu.Unlock()
	time.Sleep(3 * time.Millisecond) // slower than the schedule: sends fall behind it
	c.Done(0, nil)
	return nil
}

// TestCompletionIntended: in the open model Intended follows the schedule (1 ms apart at
// 1000/s) even when the one worker falls behind it, so a stamped send time is the intended one.
func TestCompletionIntended(t *testing.T) {
	r := &intendedRecorder{at: map[uint64]time.Time{}}
	e, err := New(Config{Rate: 1000, Count: 40, Workers: 1, MaxBacklog: 1000, Drain: time.Second}, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(r.at) != 40 {
		t.Fatalf("%d sends, want 40", len(r.at))
	}
	for seq := uint64(1); seq < 40; seq++ {
		if d := r.at[seq].Sub(r.at[seq-1]); d < 900*time.Microsecond || d > 1100*time.Microsecond {
			t.Fatalf("intended %d - %d = %v, want 1ms", seq, seq-1, d)
		}
	}
	if (Completion{}).Intended() != (time.Time{}) {
		t.Fatal("zero Completion has an intended time")
	}
}
