package integrity

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKfakeInjectedFaults proves the figures against a real Kafka-protocol broker (kfake) with
// faults of known counts: the consumer rewinds its offset once (at-least-once redelivery after a
// rebalance: duplicates), and the consumer path drops, duplicates and delays chosen records.
// Every figure equals the injected count. (Produce-side faults through kfake ControlKey are
// proved with the driver in bench/messaging.)
func TestKfakeInjectedFaults(t *testing.T) {
	const topic, count = "orders", 600
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, _ := New("kfake-run")
	p := tr.Producer(0)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	for range count {
		st := p.Next(time.Now(), -1)
		h := map[string][]string{}
		st.Apply(h)
		rec := &kgo.Record{Value: []byte(`{"ok":true}`)}
		for k, v := range h {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(v[0])})
		}
		if err := prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
			t.Fatalf("produce %d: %v", st.Seq, err)
		}
		p.Acked(st.Seq)
	}

	// Consumer-path faults by sequence number, away from the rewind window.
	drop := map[uint64]bool{10: true, 500: true}
	dup := map[uint64]bool{20: true}
	late := map[uint64]bool{30: true, 31: true, 200: true}
	const rewindAtOffset, rewindBy = 400, 25
	cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	s := tr.Stream("partition-0")
	observe := func(r *kgo.Record) {
		h := map[string][]string{}
		for _, rh := range r.Headers {
			h[rh.Key] = []string{string(rh.Value)}
		}
		s.Observe(h, time.Now())
	}
	var held []*kgo.Record
	rewound := false
	lastOffset := int64(count - 1)
	for done := false; !done; {
		fs := cons.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatal("timed out consuming")
		}
		recs := fs.Records()
		for _, r := range recs {
			var seq uint64
			for _, rh := range r.Headers {
				if rh.Key == HeaderSeq {
					seq = parseSeq(t, rh.Value)
				}
			}
			switch {
			case drop[seq]:
				delete(drop, seq)
				continue
			case late[seq]:
				delete(late, seq)
				held = append(held, r)
				continue
			}
			observe(r)
			for _, h := range held {
				observe(h)
			}
			held = nil
			if dup[seq] {
				delete(dup, seq)
				observe(r)
			}
			if r.Offset == rewindAtOffset && !rewound {
				rewound = true
				cons.SetOffsets(map[string]map[int32]kgo.EpochOffset{topic: {0: {Epoch: -1, Offset: rewindAtOffset - rewindBy + 1}}})
				break
			}
			if r.Offset == lastOffset {
				done = true
			}
		}
	}
	r := tr.Reconcile()
	in := r.Integrity
	checks := []struct {
		name      string
		got, want int64
	}{
		{"sent", in.Sent, count},
		{"acknowledged", in.Acknowledged, count},
		{"unconfirmed", in.Unconfirmed, 0},
		{"lost", in.Lost, 2},
		{"duplicates", in.Duplicates, 1 + rewindBy},
		{"out-of-order", in.OutOfOrder, 3},
		{"unexpected", in.Unexpected, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func parseSeq(t *testing.T, b []byte) uint64 {
	t.Helper()
	st, err := Parse(map[string][]string{HeaderRun: {"x"}, HeaderProducer: {"0"}, HeaderSeq: {string(b)}, HeaderSent: {"0"}})
	if err != nil {
		t.Fatal(err)
	}
	return st.Seq
}
