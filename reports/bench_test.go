package reports

import (
	"io"
	"testing"
)

// BenchmarkHTML measures rendering the HTML report of a 10-minute run (600 points per series,
// two workloads, five histograms).
func BenchmarkHTML(b *testing.B) {
	f := sampleFile(b, 600)
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}
