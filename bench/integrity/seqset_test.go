package integrity

import (
	"math/rand/v2"
	"testing"
)

func TestSeqSetMatchesMap(t *testing.T) {
	cases := []struct {
		name string
		gen  func(r *rand.Rand) uint64
		n    int
	}{
		{"dense random", func(r *rand.Rand) uint64 { return r.Uint64N(3 * pageBits) }, 150_000},
		{"sparse", func(r *rand.Rand) uint64 { return r.Uint64N(50 * pageBits) }, 20_000},
		{"tiny range", func(r *rand.Rand) uint64 { return r.Uint64N(100) }, 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var a, b seqSet
			ref := map[uint64]bool{}
			refB := map[uint64]bool{}
			for range tc.n {
				v := tc.gen(r)
				if got, want := a.Add(v), !ref[v]; got != want {
					t.Fatalf("Add(%d) = %v, want %v", v, got, want)
				}
				ref[v] = true
				if r.IntN(2) == 0 {
					w := tc.gen(r)
					b.Add(w)
					refB[w] = true
				}
			}
			if a.Len() != int64(len(ref)) {
				t.Fatalf("Len = %d, want %d", a.Len(), len(ref))
			}
			var notIn int64
			for v := range ref {
				if !a.Has(v) {
					t.Fatalf("Has(%d) = false", v)
				}
				if !refB[v] {
					notIn++
				}
			}
			if got := a.CountNotIn(&b); got != notIn {
				t.Fatalf("CountNotIn = %d, want %d", got, notIn)
			}
		})
	}
}

func TestSeqSetFullPagesCollapse(t *testing.T) {
	var s, empty seqSet
	const n = 10 * pageBits
	for i := uint64(0); i < n; i++ {
		s.Add(i)
	}
	for i, p := range s.pages {
		if p != fullPage {
			t.Fatalf("page %d not collapsed", i)
		}
	}
	if s.Add(12345) {
		t.Fatal("Add of a number in a full page reported absent")
	}
	if !s.Has(n-1) || s.Has(n) {
		t.Fatal("Has wrong at the edge")
	}
	if got := s.CountNotIn(&empty); got != n {
		t.Fatalf("CountNotIn(empty) = %d, want %d", got, n)
	}
	if got := empty.CountNotIn(&s); got != 0 {
		t.Fatalf("empty.CountNotIn = %d", got)
	}
	// A full page against a partial one, both ways.
	var part seqSet
	part.Add(5)
	part.Add(pageBits + 7)
	if got := s.CountNotIn(&part); got != n-2 {
		t.Fatalf("full minus partial = %d, want %d", got, n-2)
	}
	if got := part.CountNotIn(&s); got != 0 {
		t.Fatalf("partial minus full = %d", got)
	}
	if b := s.Bytes(); b > 1024 {
		t.Fatalf("10 full pages hold %d bytes, want a page table only", b)
	}
}
