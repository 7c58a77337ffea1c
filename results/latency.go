package results

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry every commbench latency histogram uses: values in µs, 1 µs to 60 s, 3
// significant digits (hdrhistogram-go).
const (
	HistogramLowestUS  = 1
	HistogramHighestUS = 60_000_000
	HistogramSigFigs   = 3
)

// NewHistogram returns an empty latency histogram with the standard geometry (values in µs).
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistogramLowestUS, HistogramHighestUS, HistogramSigFigs)
}

// NewLatency summarises h (values in µs) as a Latency in ms, with h encoded (hdrhistogram-go V2
// compressed, base64) in Histogram so that files merge exactly. It returns an error only when the
// encoding fails.
func NewLatency(h *hdrhistogram.Histogram) (*Latency, error) {
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("encode latency histogram: %w", err)
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	l := &Latency{Count: h.TotalCount(), Histogram: string(enc)}
	if l.Count == 0 {
		return l, nil
	}
	l.MinMS = ms(h.Min())
	l.MeanMS = round3(h.Mean() / 1000)
	l.StdevMS = round3(h.StdDev() / 1000)
	l.P50MS = ms(h.ValueAtQuantile(50))
	l.P90MS = ms(h.ValueAtQuantile(90))
	l.P95MS = ms(h.ValueAtQuantile(95))
	l.P99MS = ms(h.ValueAtQuantile(99))
	l.P999MS = ms(h.ValueAtQuantile(99.9))
	l.P9999MS = ms(h.ValueAtQuantile(99.99))
	l.MaxMS = ms(h.Max())
	return l, nil
}

// DecodeHistogram decodes l.Histogram (hdrhistogram-go Decode of a V2 compressed, base64 string).
// It returns ErrNoHistogram when l is nil or carries no histogram.
func (l *Latency) DecodeHistogram() (*hdrhistogram.Histogram, error) {
	if l == nil || l.Histogram == "" {
		return nil, ErrNoHistogram
	}
	h, err := hdrhistogram.Decode([]byte(l.Histogram))
	if err != nil {
		return nil, fmt.Errorf("decode latency histogram: %w", err)
	}
	return h, nil
}

// round3 rounds to 3 decimals (1 µs when the unit is ms), so files stay readable.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
