// Package payload produces the body of request or message number seq for a benchmark: JSON
// text from a formats/template Template, or that value encoded by a formats.Codec (Protobuf,
// Avro), optionally from a ring of pre-generated payloads when generating per message would
// cost more than the transport.
package payload

import (
	"fmt"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/template"
)

// Source appends payload number seq to dst and returns the extended slice. A Source is safe
// for concurrent use when each goroutine passes its own dst.
type Source interface {
	Append(dst []byte, seq uint64) ([]byte, error)
}

// Static is a Source returning the same bytes for every seq.
type Static []byte

// Append appends s.
func (s Static) Append(dst []byte, _ uint64) ([]byte, error) { return append(dst, s...), nil }

// templateSource renders JSON text, encoded by codec unless codec is nil.
type templateSource struct {
	t     *template.Template
	codec formats.Codec
}

func (s templateSource) Append(dst []byte, seq uint64) ([]byte, error) {
	if s.codec == nil {
		return s.t.AppendGenerate(dst, seq)
	}
	v, err := s.t.Value(seq)
	if err != nil {
		return dst, fmt.Errorf("payload %d: %w", seq, err)
	}
	b, err := s.codec.Encode(v)
	if err != nil {
		return dst, fmt.Errorf("payload %d: %w", seq, err)
	}
	return append(dst, b...), nil
}

// FromTemplate returns a Source rendering t for each seq: the JSON text itself when codec is
// nil (or is the "json" codec), else the value encoded by codec. With ring > 0 it pre-generates
// payloads 0..ring-1 once and returns payload seq % ring, so the per-message cost is a copy;
// the error of a payload that does not encode is returned then, naming its number.
func FromTemplate(t *template.Template, codec formats.Codec, ring int) (Source, error) {
	if codec != nil && codec.Name() == "json" {
		codec = nil
	}
	src := templateSource{t: t, codec: codec}
	if ring <= 0 {
		return src, nil
	}
	return NewRing(src, ring)
}

// Ring is a Source cycling over pre-generated payloads.
type Ring [][]byte

// NewRing generates payloads 0..n-1 of src.
func NewRing(src Source, n int) (Ring, error) {
	r := make(Ring, n)
	for i := range r {
		b, err := src.Append(nil, uint64(i))
		if err != nil {
			return nil, err
		}
		r[i] = b
	}
	return r, nil
}

// Append appends payload seq % len(r).
func (r Ring) Append(dst []byte, seq uint64) ([]byte, error) {
	return append(dst, r[seq%uint64(len(r))]...), nil
}
