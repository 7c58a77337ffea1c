package integrity

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type key struct {
	p   uint32
	seq uint64
}

// injection describes the faults fed to a tracker; the expected figures are derived from it.
type injection struct {
	producers, perProducer, streams int
	drop                            []key // acknowledged, never delivered: lost
	dupNow                          []key // delivered twice back to back: duplicate
	dupEnd                          []key // delivered again at the end of its stream: duplicate, not out of order
	late                            []key // delivered after the next message of its producer on its stream: out of order
	unacked                         []key // never acknowledged, never delivered: unconfirmed, not lost
	unackedDelivered                []key // never acknowledged but delivered: unconfirmed, not lost
	notSent                         []key // Publish failed: not sent, never delivered
	returned                        []key // returned unroutable, never delivered
	foreign                         int   // deliveries stamped by another run: ignored
	unknownProducer                 int   // this run, unregistered producer: unexpected
	beyondSeq                       int   // this run, sequence not yet issued: unexpected
}

func set(ks []key) map[key]bool {
	m := map[key]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

type delivery struct {
	stream int
	st     Stamp
}

// plan sends every message through the tracker's producers and returns the deliveries, per
// stream, in the order a faulty broker would hand them over.
func (in injection) plan(t *testing.T, tr *Tracker) [][]Stamp {
	t.Helper()
	drop, dupNow, dupEnd, late := set(in.drop), set(in.dupNow), set(in.dupEnd), set(in.late)
	unacked, unackedDel, notSent, returned := set(in.unacked), set(in.unackedDelivered), set(in.notSent), set(in.returned)
	perStream := make([][]Stamp, in.streams)
	held := make([]map[uint32][]Stamp, in.streams)
	tail := make([][]Stamp, in.streams)
	for i := range held {
		held[i] = map[uint32][]Stamp{}
	}
	base := time.Unix(1_700_000_000, 0)
	for i := range in.perProducer {
		for p := range uint32(in.producers) {
			pr := tr.Producer(p)
			st := pr.Next(base.Add(time.Duration(i)*time.Millisecond), -1)
			k := key{p, st.Seq}
			switch {
			case notSent[k]:
				pr.NotSent(st.Seq)
				continue
			case returned[k]:
				pr.Done(st.Seq, fmt.Errorf("returned"), func(error) bool { return true })
				continue
			case unacked[k]:
				continue
			case unackedDel[k]:
			default:
				pr.Done(st.Seq, nil, nil)
			}
			if drop[k] {
				continue
			}
			s := int(st.Seq) % in.streams
			if late[k] {
				held[s][p] = append(held[s][p], st)
				continue
			}
			perStream[s] = append(perStream[s], st)
			perStream[s] = append(perStream[s], held[s][p]...)
			held[s][p] = nil
			if dupNow[k] {
				perStream[s] = append(perStream[s], st)
			}
			if dupEnd[k] {
				tail[s] = append(tail[s], st)
			}
		}
	}
	for s := range perStream {
		for p, h := range held[s] {
			if len(h) > 0 {
				t.Fatalf("bad injection: late messages of producer %d on stream %d have no later message", p, s)
			}
		}
		perStream[s] = append(perStream[s], tail[s]...)
	}
	for i := range in.foreign {
		perStream[0] = append(perStream[0], Stamp{Run: "other-run", Producer: 0, Seq: uint64(i), Sent: base.UnixNano()})
	}
	for i := range in.unknownProducer {
		perStream[0] = append(perStream[0], Stamp{Run: tr.Run(), Producer: uint32(in.producers + 100), Seq: uint64(i), Sent: base.UnixNano()})
	}
	for i := range in.beyondSeq {
		perStream[0] = append(perStream[0], Stamp{Run: tr.Run(), Producer: 0, Seq: uint64(in.perProducer + i), Sent: base.UnixNano()})
	}
	return perStream
}

func TestReconcileInjectedFaults(t *testing.T) {
	cases := []struct {
		name string
		in   injection
	}{
		{"clean", injection{producers: 3, perProducer: 1000, streams: 2}},
		{"drops", injection{producers: 2, perProducer: 500, streams: 1, drop: []key{{0, 0}, {0, 17}, {1, 499}, {1, 250}}}},
		{"duplicates back to back and at the end are not out of order", injection{producers: 2, perProducer: 300, streams: 3,
			dupNow: []key{{0, 5}, {1, 299}}, dupEnd: []key{{0, 10}, {1, 0}, {1, 1}}}},
		{"late deliveries", injection{producers: 1, perProducer: 300, streams: 2,
			late: []key{{0, 0}, {0, 7}, {0, 9}, {0, 100}, {0, 102}}}},
		{"unconfirmed, returned and not sent are not lost", injection{producers: 2, perProducer: 200, streams: 1,
			unacked: []key{{0, 3}, {1, 4}}, unackedDelivered: []key{{0, 8}}, returned: []key{{1, 9}, {1, 10}}, notSent: []key{{0, 199}}}},
		{"other runs ignored, unknown producer and future sequence unexpected", injection{producers: 1, perProducer: 100, streams: 1,
			foreign: 7, unknownProducer: 3, beyondSeq: 2}},
		{"everything at once", injection{producers: 4, perProducer: 2000, streams: 3,
			drop:    []key{{0, 1}, {1, 1999}, {2, 1000}, {3, 64}},
			dupNow:  []key{{0, 2}, {3, 3}},
			dupEnd:  []key{{1, 5}, {2, 1500}, {2, 1501}},
			late:    []key{{0, 30}, {0, 33}, {1, 40}, {3, 1000}},
			unacked: []key{{2, 7}}, unackedDelivered: []key{{3, 8}}, returned: []key{{0, 9}}, notSent: []key{{1, 10}},
			foreign: 5, unknownProducer: 2, beyondSeq: 1}},
		{"many pages", injection{producers: 1, perProducer: 3*pageBits + 10, streams: 2,
			drop:   []key{{0, 0}, {0, pageBits - 1}, {0, pageBits}, {0, 2*pageBits + 1}},
			dupEnd: []key{{0, 5}, {0, 2*pageBits + 6}},
			late:   []key{{0, pageBits - 2}, {0, 3 * pageBits}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New("run-1")
			if err != nil {
				t.Fatal(err)
			}
			in := tc.in
			streams := in.plan(t, tr)
			now := time.Unix(1_700_000_100, 0)
			for s, ds := range streams {
				st := tr.Stream(fmt.Sprint("s", s))
				for _, d := range ds {
					st.ObserveStamp(d, now)
				}
			}
			got := tr.Reconcile()
			total := int64(in.producers * in.perProducer)
			sent := total - int64(len(in.notSent))
			acked := sent - int64(len(in.unacked)+len(in.unackedDelivered)+len(in.returned))
			dups := int64(len(in.dupNow) + len(in.dupEnd))
			unexpected := int64(in.unknownProducer + in.beyondSeq)
			received := acked - int64(len(in.drop)) + int64(len(in.unackedDelivered)) + dups + unexpected
			want := map[string][2]int64{
				"sent":         {got.Integrity.Sent, sent},
				"acknowledged": {got.Integrity.Acknowledged, acked},
				"unconfirmed":  {got.Integrity.Unconfirmed, sent - acked},
				"returned":     {got.Integrity.Returned, int64(len(in.returned))},
				"received":     {got.Integrity.Received, received},
				"lost":         {got.Integrity.Lost, int64(len(in.drop))},
				"duplicates":   {got.Integrity.Duplicates, dups},
				"out_of_order": {got.Integrity.OutOfOrder, int64(len(in.late))},
				"unexpected":   {got.Integrity.Unexpected, unexpected},
				"ignored":      {got.Integrity.Ignored, int64(in.foreign)},
				"e2e count":    {got.EndToEnd.TotalCount(), received - dups - unexpected},
			}
			for name, gw := range want {
				if gw[0] != gw[1] {
					t.Errorf("%s = %d, want %d", name, gw[0], gw[1])
				}
			}
			if lr := float64(len(in.drop)) / float64(acked); got.Integrity.LossRate != lr {
				t.Errorf("loss rate = %v, want %v", got.Integrity.LossRate, lr)
			}
		})
	}
}

func TestObserveOutcomes(t *testing.T) {
	tr, _ := New("r")
	p := tr.Producer(1)
	s := tr.Stream("q")
	sent := time.Unix(100, 0)
	var st [4]Stamp
	for i := range st {
		st[i] = p.Next(sent, -1)
		p.Acked(st[i].Seq)
	}
	h := map[string][]string{}
	st[2].Apply(h)
	steps := []struct {
		name string
		out  Outcome
		do   func() Outcome
	}{
		{"seq 2 from headers", Delivered, func() Outcome { return s.Observe(h, sent.Add(3*time.Millisecond)) }},
		{"seq 0 after 2", OutOfOrder, func() Outcome { return s.ObserveStamp(st[0], sent) }},
		{"seq 2 again", Duplicate, func() Outcome { return s.Observe(h, sent) }},
		{"seq 3", Delivered, func() Outcome { return s.ObserveStamp(st[3], sent) }},
		{"seq 4 never issued", Unexpected, func() Outcome { st := st[3]; st.Seq = 4; return s.ObserveStamp(st, sent) }},
		{"unstamped", Ignored, func() Outcome { return s.Observe(map[string][]string{"x": {"y"}}, sent) }},
		{"malformed", Ignored, func() Outcome {
			return s.Observe(map[string][]string{HeaderRun: {"r"}, HeaderSeq: {"x"}, HeaderProducer: {"1"}, HeaderSent: {"1"}}, sent)
		}},
	}
	for _, step := range steps {
		if got := step.do(); got != step.out {
			t.Fatalf("%s: %v, want %v", step.name, got, step.out)
		}
	}
	r := tr.Reconcile()
	if r.Integrity.Lost != 1 || r.Integrity.Ignored != 2 || r.Integrity.OutOfOrder != 1 {
		t.Fatalf("report %+v ignored %d", r.Integrity, r.Integrity.Ignored)
	}
	if got := r.EndToEnd.Max(); got < 2990 || got > 3010 {
		t.Fatalf("e2e max %d µs, want about 3000", got)
	}
	if Outcome(9).String() != "outcome(9)" || Duplicate.String() != "duplicate" {
		t.Fatal("Outcome.String")
	}
}

func TestNewRejectsBadRunID(t *testing.T) {
	for _, id := range []string{"", "has space", string(make([]byte, MaxRunIDLen+1))} {
		if _, err := New(id); err == nil {
			t.Errorf("New(%q) accepted", id)
		}
	}
}

// TestConcurrentExact drives producers, acknowledgements and streams from separate goroutines
// (run with -race) and still gets exact figures.
func TestConcurrentExact(t *testing.T) {
	const producers, per, streams = 4, 20_000, 3
	tr, _ := New("conc")
	chans := make([]chan Stamp, streams)
	for i := range chans {
		chans[i] = make(chan Stamp, 256)
	}
	var cons sync.WaitGroup
	for i, ch := range chans {
		cons.Add(1)
		go func() {
			defer cons.Done()
			s := tr.Stream(fmt.Sprint("s", i))
			for st := range ch {
				s.ObserveStamp(st, time.Now())
			}
		}()
	}
	var prod sync.WaitGroup
	dropped := 0
	for p := range uint32(producers) {
		dropped += per / 1000 // every 1000th message, from seq 999
		prod.Add(1)
		go func() {
			defer prod.Done()
			pr := tr.Producer(p)
			acks := make(chan uint64, 64)
			var ackers sync.WaitGroup
			ackers.Add(1)
			go func() {
				defer ackers.Done()
				for seq := range acks {
					pr.Acked(seq)
				}
			}()
			for range per {
				st := pr.Next(time.Now(), -1)
				acks <- st.Seq
				if st.Seq%1000 == 999 {
					continue
				}
				ch := chans[int(st.Seq)%streams]
				ch <- st
				if st.Seq%500 == 0 {
					ch <- st // duplicate
				}
			}
			close(acks)
			ackers.Wait()
		}()
	}
	prod.Wait()
	for _, ch := range chans {
		close(ch)
	}
	cons.Wait()
	r := tr.Reconcile()
	if r.Integrity.Lost != int64(dropped) || r.Integrity.Duplicates != producers*per/500 || r.Integrity.OutOfOrder != 0 || r.Integrity.Acknowledged != producers*per {
		t.Fatalf("got %+v, want lost %d, duplicates %d", r.Integrity, dropped, producers*per/500)
	}
}

func TestDrain(t *testing.T) {
	tr, _ := New("drain")
	p := tr.Producer(0)
	var sts []Stamp
	for range 10 {
		st := p.Next(time.Now(), -1)
		p.Acked(st.Seq)
		sts = append(sts, st)
	}
	s := tr.Stream("q")
	go func() {
		for _, st := range sts {
			time.Sleep(2 * time.Millisecond)
			s.ObserveStamp(st, time.Now())
		}
	}()
	n, err := tr.Drain(5*time.Second, 0, nil)
	if n != 0 || err != nil {
		t.Fatalf("Drain = %d, %v; want everything received", n, err)
	}
	// A settle period waits for a trailing duplicate.
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.ObserveStamp(sts[0], time.Now())
	}()
	if n, err := tr.Drain(5*time.Second, 60*time.Millisecond, nil); n != 0 || err != nil {
		t.Fatalf("Drain with settle = %d, %v", n, err)
	}
	if d := tr.Reconcile().Integrity.Duplicates; d != 1 {
		t.Fatalf("duplicates after settle = %d, want the trailing one", d)
	}
	p.Acked(p.Next(time.Now(), -1).Seq) // never delivered
	start := time.Now()
	if n, _ := tr.Drain(30*time.Millisecond, 0, nil); n != 1 {
		t.Fatalf("Drain after grace = %d, want 1 outstanding", n)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("Drain returned before the grace period")
	}
	stop := make(chan struct{})
	close(stop)
	if _, err := tr.Drain(time.Minute, 0, stop); err != ErrDrainStopped {
		t.Fatalf("stopped Drain err = %v", err)
	}
}

// TestSequenceSetsStayCompact checks the memory bound the sets promise, in the Report.Bytes
// accounting: 2 bits per message at worst (every other message lost: no page collapses), a page
// table only when everything arrives.
func TestSequenceSetsStayCompact(t *testing.T) {
	const n = 1 << 18
	cases := []struct {
		name     string
		lose     func(seq uint64) bool
		maxBytes int64
	}{
		{"everything received", func(uint64) bool { return false }, 2 * 8 * 2 * (n / pageBits)},
		{"every other lost", func(seq uint64) bool { return seq%2 == 1 }, 2*n/8 + 2*8*(n/pageBits)*3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := New("mem")
			p, s := tr.Producer(0), tr.Stream("s")
			now := time.Now()
			for range n {
				st := p.Next(now, -1)
				p.Acked(st.Seq)
				if !tc.lose(st.Seq) {
					s.ObserveStamp(st, now)
				}
			}
			r := tr.Reconcile()
			if r.Bytes > tc.maxBytes {
				t.Fatalf("sets hold %d bytes for %d messages, want at most %d", r.Bytes, n, tc.maxBytes)
			}
			if r.Integrity.Received == 0 {
				t.Fatal("nothing received")
			}
		})
	}
}
