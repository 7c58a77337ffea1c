package integrity

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkTrackMemory tracks 10 million messages (4 producers, 8 streams, every message sent,
// acknowledged and received) per iteration and reports the heap the tracker holds afterwards:
// MB/10M-msgs and bytes/msg. Pattern "every-other-lost" drops every second message so no page
// collapses (the worst case: 2 bits per message). Run with -benchtime=1x.
func BenchmarkTrackMemory(b *testing.B) {
	for _, pattern := range []string{"all-received", "every-other-lost"} {
		b.Run(pattern, func(b *testing.B) {
			const total, producers, streams = 10_000_000, 4, 8
			for range b.N {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				tr, _ := New("mem")
				ss := make([]*Stream, streams)
				for i := range ss {
					ss[i] = tr.Stream(fmt.Sprint("s", i))
				}
				ps := make([]*Producer, producers)
				for i := range ps {
					ps[i] = tr.Producer(uint32(i))
				}
				now := time.Now()
				for i := range total {
					p := ps[i%producers]
					st := p.Next(now, -1)
					p.Acked(st.Seq)
					if pattern == "every-other-lost" && st.Seq%2 == 1 {
						continue
					}
					ss[int(st.Seq)%streams].ObserveStamp(st, now)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				r := tr.Reconcile()
				if r.Integrity.Received == 0 {
					b.Fatal("nothing received")
				}
				held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
				b.ReportMetric(held/1e6, "MB/10M-msgs")
				b.ReportMetric(held/total, "bytes/msg")
				runtime.KeepAlive(tr)
			}
		})
	}
}

// BenchmarkObserve measures the consumer-side cost of one delivery (ns/op), one stream per
// goroutine as drivers call handlers.
func BenchmarkObserve(b *testing.B) {
	tr, _ := New("obs")
	now := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		p := tr.Producer(uint32(time.Now().UnixNano()))
		s := tr.Stream(fmt.Sprint(p.ID()))
		for pb.Next() {
			st := p.Next(now, -1)
			p.Acked(st.Seq)
			s.ObserveStamp(st, now)
		}
	})
}

// BenchmarkParse measures reading a stamp from headers (ns/op).
func BenchmarkParse(b *testing.B) {
	h := map[string][]string{"content-type": {"application/json"}}
	Stamp{Run: "0b8f4c52-5d0e-4f44-9d7a-1e2f3a4b5c6d", Producer: 3, Seq: 123456, Sent: time.Now().UnixNano(), Partition: -1}.Apply(h)
	for b.Loop() {
		if _, err := Parse(h); err != nil {
			b.Fatal(err)
		}
	}
}
