package convert

import (
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commbench/commbench/internal/exitcode"
)

// Cost is the size and in-process cost of one format for one record (a row of Compare).
type Cost struct {
	Format         string  `json:"format"`
	ContentType    string  `json:"content_type"`
	SizeBytes      int     `json:"size_bytes"`
	EncodeNsOp     float64 `json:"encode_ns_per_op"`
	EncodeAllocsOp float64 `json:"encode_allocs_per_op"`
	DecodeNsOp     float64 `json:"decode_ns_per_op"`
	DecodeAllocsOp float64 `json:"decode_allocs_per_op"`
	RoundTrip      bool    `json:"round_trip_equal"`
}

// Formats returns the formats s has a schema for, in Compare's order: json always, protobuf
// with a Protobuf schema, avro with an .avsc.
func (s Schema) Formats() []string {
	names := []string{"json"}
	if s.Proto != "" || (s.Schema != "" && !strings.HasSuffix(s.Schema, ".avsc")) {
		names = append(names, "protobuf")
	}
	if s.Avsc != "" || strings.HasSuffix(s.Schema, ".avsc") {
		names = append(names, "avro")
	}
	return names
}

// Compare encodes v in every format of s.Formats and measures, per format, the encoded size,
// whether decoding gives v back (reflect.DeepEqual), and the encode and decode cost (Measure
// with budget each). A value that does not fit a schema is ErrInvalid.
func Compare(s Schema, v any, budget time.Duration) ([]Cost, error) {
	var rows []Cost
	for _, name := range s.Formats() {
		c, err := s.Codec(name)
		if err != nil {
			return nil, err
		}
		b, err := c.Encode(v)
		if err != nil {
			return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", name, err))
		}
		back, err := c.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: decode what it encoded: %w", name, err)
		}
		row := Cost{Format: name, ContentType: c.ContentType(), SizeBytes: len(b), RoundTrip: reflect.DeepEqual(v, back)}
		row.EncodeNsOp, row.EncodeAllocsOp = Measure(budget, func() { _, _ = c.Encode(v) })
		row.DecodeNsOp, row.DecodeAllocsOp = Measure(budget, func() { _, _ = c.Decode(b) })
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteCostTable writes rows as a right-aligned text table (text/tabwriter).
func WriteCostTable(w io.Writer, rows []Cost) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "format\tsize (bytes)\tencode ns/op\tencode allocs/op\tdecode ns/op\tdecode allocs/op\tround trip\t")
	for _, r := range rows {
		rt := "equal"
		if !r.RoundTrip {
			rt = "differs"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.0f\t%.1f\t%s\t\n", r.Format, r.SizeBytes, r.EncodeNsOp, r.EncodeAllocsOp, r.DecodeNsOp, r.DecodeAllocsOp, rt)
	}
	return tw.Flush()
}

// Measure runs op in doubling batches until budget has passed (or 2^24 calls) and returns the
// wall time in ns and the heap allocations (runtime.MemStats.Mallocs) per call.
func Measure(budget time.Duration, op func()) (nsPerOp, allocsPerOp float64) {
	op() // warm up caches and pools
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	n := 0
	for batch := 1; ; batch *= 2 {
		for range batch {
			op()
		}
		n += batch
		if time.Since(start) >= budget || n >= 1<<24 {
			break
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return float64(elapsed.Nanoseconds()) / float64(n), float64(after.Mallocs-before.Mallocs) / float64(n)
}
