package integrity

import (
	"testing"
	"time"
)

// TestLateDeliveriesAreNotLost: messages acknowledged but delivered after the drain ended (and
// before the consumers closed) are received and counted late, not lost; a duplicate after the
// drain is a duplicate, not late.
func TestLateDeliveriesAreNotLost(t *testing.T) {
	tr, err := New("run-late")
	if err != nil {
		t.Fatal(err)
	}
	p := tr.Producer(0)
	s := tr.Stream("q")
	var stamps []Stamp
	for range 10 {
		st := p.Next(time.Now(), -1)
		p.Acked(st.Seq)
		stamps = append(stamps, st)
	}
	for _, st := range stamps[:7] {
		s.ObserveStamp(st, time.Now())
	}
	if n, _ := tr.Drain(10*time.Millisecond, 0, nil); n != 3 {
		t.Fatalf("outstanding after the drain %d, want 3", n)
	}
	tr.DrainEnded()
	for _, st := range append(stamps[7:], stamps[0]) {
		s.ObserveStamp(st, time.Now())
	}
	in := tr.Reconcile().Integrity
	if in.Lost != 0 || in.Late != 3 || in.Received != 11 || in.Duplicates != 1 {
		t.Fatalf("integrity %+v, want 3 late, none lost, 1 duplicate", in)
	}
}

// TestObserverChecksFirstRun: an observer without a run id checks the first stamped delivery's
// run; gaps are sequence numbers missing between the lowest and highest received per producer.
func TestObserverChecksFirstRun(t *testing.T) {
	tr, err := NewObserver("")
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Stream("q")
	now := time.Now()
	out := []Outcome{
		s.Observe(map[string][]string{"content-type": {"json"}}, now), // unstamped
		s.ObserveStamp(Stamp{Run: "A", Producer: 1, Seq: 10}, now),
		s.ObserveStamp(Stamp{Run: "A", Producer: 1, Seq: 13}, now),
		s.ObserveStamp(Stamp{Run: "B", Producer: 1, Seq: 11}, now), // another run
		s.ObserveStamp(Stamp{Run: "A", Producer: 1, Seq: 12}, now),
		s.ObserveStamp(Stamp{Run: "A", Producer: 1, Seq: 12}, now),
	}
	want := []Outcome{Unexpected, Delivered, Delivered, Unexpected, OutOfOrder, Duplicate}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("outcomes %v, want %v", out, want)
		}
	}
	in := tr.Reconcile().Integrity
	if tr.Run() != "A" || in.Received != 4 || in.Gaps != 1 || in.Unexpected != 2 || in.Duplicates != 1 || in.OutOfOrder != 1 {
		t.Fatalf("run %q integrity %+v, want run A, 4 received, gap 11, 2 unexpected", tr.Run(), in)
	}
}
