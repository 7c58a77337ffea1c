package bench

import (
	"context"
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
