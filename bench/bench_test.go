package bench

import (
	"context"
	"errors"
	"testing"
)

// BenchmarkEngineClosedNoop measures the engine's own cost per operation (claim, clock reads,
// recording into the HDR histograms and the series) with an operation that does nothing; it
// must not allocate per operation.
func BenchmarkEngineClosedNoop(b *testing.B) {
	op := OperationFunc(func(context.Context, int, uint64) (int, error) { return 100, nil })
	e, err := New(Config{Workers: 2, Count: uint64(b.N)}, op)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	w, err := e.Run(context.Background())
	if err != nil || w.Totals.Succeeded != int64(b.N) {
		b.Fatalf("%v %+v", err, w.Totals)
	}
}

// BenchmarkEngineOpenNoop is the same in the open model at an arrival rate far above what the
// engine sustains, so every send is overdue: claim with the schedule and backlog check.
func BenchmarkEngineOpenNoop(b *testing.B) {
	op := OperationFunc(func(context.Context, int, uint64) (int, error) { return 100, nil })
	e, err := New(Config{Rate: 1e9, Workers: 2, Count: uint64(b.N), MaxBacklog: 1 << 62}, op)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	w, err := e.Run(context.Background())
	if err != nil || w.Totals.Requests != int64(b.N) {
		b.Fatalf("%v %+v", err, w.Totals)
	}
}

func BenchmarkScheduleAt(b *testing.B) {
	s := newSchedule([]Stage{{1e10, 1000}, {6e10, 5000}, {3e10, 0}})
	for i := 0; b.Loop(); i++ {
		s.at(uint64(i) % 300000)
	}
}

// countingOp moves seq%3 messages out and one in per operation and fails every fifth.
type countingOp struct{ sent, received []int }

func (o *countingOp) Do(_ context.Context, w int, seq uint64) (int, error) {
	o.sent[w], o.received[w] = int(seq%3), 1
	if seq%5 == 4 {
		return 0, errors.New("refused")
	}
	return 10, nil
}

func (o *countingOp) Messages(w int) (int, int) { return o.sent[w], o.received[w] }

// TestMessageCounter: the messages of measured, successful operations add up in the totals.
func TestMessageCounter(t *testing.T) {
	op := &countingOp{sent: make([]int, 1), received: make([]int, 1)}
	e, err := New(Config{Workers: 1, Count: 100}, op)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var sent int64
	for seq := range uint64(100) {
		if seq%5 != 4 {
			sent += int64(seq % 3)
		}
	}
	if w.Totals.Succeeded != 80 || w.Totals.MessagesSent != sent || w.Totals.MessagesReceived != 80 || w.Totals.Bytes != 800 {
		t.Fatalf("totals %+v, want 80 succeeded, %d messages sent, 80 received", w.Totals, sent)
	}
}
