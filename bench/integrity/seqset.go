package integrity

import "math/bits"

// Page geometry of a seqSet: 65 536 sequence numbers per page, 8 KiB of bits.
const (
	pageShift = 16
	pageBits  = 1 << pageShift
	pageWords = pageBits / 64
)

// page is 8 KiB of bits plus its population count.
type page struct {
	n    int
	bits [pageWords]uint64
}

// fullPage stands for every completely set page, so a run of consecutive sequence numbers costs
// one pointer per 65 536 numbers instead of 8 KiB. It is never written: a bit already set in it
// is reported as present before any write.
var fullPage = func() *page {
	p := &page{n: pageBits}
	for i := range p.bits {
		p.bits[i] = ^uint64(0)
	}
	return p
}()

// seqSet is a compact set of sequence numbers: a paged bitmap whose completely set pages collapse
// into one shared page, so the usual case (consecutive numbers from 0) costs 8 bytes per 65 536
// numbers, and the worst case (every other number missing) 1 bit per number. It is not safe for
// concurrent use; callers hold a lock. Memory grows with the highest number added, so callers
// bound numbers from the wire (a received sequence beyond what its producer sent is never added).
type seqSet struct {
	pages []*page
	n     int64
}

// Add inserts seq and reports whether it was absent.
func (s *seqSet) Add(seq uint64) bool {
	pi := seq >> pageShift
	if pi >= uint64(len(s.pages)) {
		grown := make([]*page, pi+1, max(pi+1, uint64(2*len(s.pages))))
		copy(grown, s.pages)
		s.pages = grown
	}
	p := s.pages[pi]
	if p == fullPage {
		return false
	}
	if p == nil {
		p = new(page)
		s.pages[pi] = p
	}
	w, b := (seq%pageBits)/64, seq%64
	if p.bits[w]&(1<<b) != 0 {
		return false
	}
	p.bits[w] |= 1 << b
	p.n++
	s.n++
	if p.n == pageBits {
		s.pages[pi] = fullPage
	}
	return true
}

// Has reports whether seq is in the set.
func (s *seqSet) Has(seq uint64) bool {
	pi := seq >> pageShift
	if pi >= uint64(len(s.pages)) || s.pages[pi] == nil {
		return false
	}
	return s.pages[pi].bits[(seq%pageBits)/64]&(1<<(seq%64)) != 0
}

// Len is the number of sequence numbers in the set.
func (s *seqSet) Len() int64 { return s.n }

// CountNotIn returns how many numbers of s are absent from other (|s \ other|).
func (s *seqSet) CountNotIn(other *seqSet) int64 {
	var n int64
	for i, p := range s.pages {
		if p == nil {
			continue
		}
		var q *page
		if i < len(other.pages) {
			q = other.pages[i]
		}
		switch {
		case q == nil:
			n += int64(p.n)
		case q == fullPage:
		case p == fullPage:
			n += int64(pageBits - q.n)
		default:
			for w := range p.bits {
				n += int64(bits.OnesCount64(p.bits[w] &^ q.bits[w]))
			}
		}
	}
	return n
}

// Bytes is the memory the set holds, in bytes (pages and page table; the shared full page is
// not counted).
func (s *seqSet) Bytes() int64 {
	b := int64(cap(s.pages)) * 8
	for _, p := range s.pages {
		if p != nil && p != fullPage {
			b += int64(8 + 8*pageWords)
		}
	}
	return b
}
