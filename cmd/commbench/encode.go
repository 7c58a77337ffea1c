package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro" // registers "avro"; reads container files
	"github.com/commbench/commbench/formats/confluent"
	_ "github.com/commbench/commbench/formats/json"     // registers "json"
	_ "github.com/commbench/commbench/formats/protobuf" // registers "protobuf"
	"github.com/commbench/commbench/internal/exitcode"
)

// codecFlags are the schema flags encode and decode share.
type codecFlags struct {
	format      string
	schema      string
	proto       string
	avsc        string
	schemaDeps  []string
	importPaths []string
	message     string
	in, out     string
}

func (f *codecFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "", "wire format: json, protobuf or avro (default: from --proto/--avsc, else json)")
	fl.StringVar(&f.schema, "schema", "", "schema file: .proto, protoset (FileDescriptorSet) or .avsc")
	fl.StringVar(&f.proto, "proto", "", "Protobuf schema: .proto source or protoset (implies --format protobuf)")
	fl.StringVar(&f.avsc, "avsc", "", "Avro schema .avsc (implies --format avro)")
	fl.StringSliceVar(&f.schemaDeps, "schema-dep", nil, "further schema files: .avsc defining named types, or more .proto files (repeatable)")
	fl.StringSliceVarP(&f.importPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	fl.StringVar(&f.message, "message", "", "Protobuf message, e.g. shop.v1.Order")
	fl.StringVar(&f.in, "in", "-", "input file, - for stdin")
	fl.StringVarP(&f.out, "out", "o", "-", "output file, - for stdout")
}

// options returns the format name and codec options the flags select.
func (f *codecFlags) options(format string) (string, formats.Options) {
	opts := formats.Options{ImportPaths: f.importPaths, Message: f.message}
	if format == "" {
		format = f.format
	}
	if format == "" {
		switch {
		case f.proto != "":
			format = "protobuf"
		case f.avsc != "":
			format = "avro"
		case strings.HasSuffix(f.schema, ".avsc"):
			format = "avro"
		case f.schema != "":
			format = "protobuf"
		default:
			format = "json"
		}
	}
	opts.Schema = f.schema
	// --schema-dep files go to the format they belong to (.avsc to Avro, others to Protobuf),
	// so --compare can take both at once.
	opts.SchemaFiles = nil
	for _, d := range f.schemaDeps {
		if strings.HasSuffix(d, ".avsc") == (format == "avro") {
			opts.SchemaFiles = append(opts.SchemaFiles, d)
		}
	}
	switch format {
	case "protobuf":
		if f.proto != "" {
			opts.Schema = f.proto
		}
	case "avro":
		if f.avsc != "" {
			opts.Schema = f.avsc
		}
	}
	return format, opts
}

func (f *codecFlags) codec(format string) (formats.Codec, error) {
	name, opts := f.options(format)
	c, err := formats.New(name, opts)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return c, nil
}

func readInput(a *app, path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "" || path == "-" {
		b, err = io.ReadAll(a.stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("read input: %w", err))
	}
	return b, nil
}

func writeOutput(a *app, path string, b []byte) error {
	if path == "" || path == "-" {
		_, err := a.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func newEncodeCmd(a *app) *cobra.Command {
	var f codecFlags
	var cf confluentFlags
	var compare, output string
	var budget time.Duration
	cmd := &cobra.Command{
		Use:   "encode",
		Short: "Encode a JSON document as JSON, Protobuf or Avro, or compare the formats",
		Long: `Encode reads one JSON document and writes it in the chosen wire format. Numbers keep
their exact text; bytes fields are base64 text; Protobuf uses the .proto field names (JSON names are
accepted too); Avro timestamps are RFC 3339 text and unions other than ["null", T] are
{"type": value}.

With --confluent (or --schema-id, --schema-registry) it writes the Confluent Schema Registry wire
format: magic byte 0, the schema id (4 bytes, big-endian), for Protobuf the message indexes, then
the payload; the schema is local with --schema-id N, or the latest of --subject in the registry.

With --compare it encodes the same record in every format given a schema (JSON always, Protobuf
with --proto/--message, Avro with --avsc) and prints, per format, the encoded size and the encode
and decode cost (ns/op, allocs/op, measured in-process for --budget each): a table, or JSON with
--compare=json.`,
		Example: `  commbench encode --avsc testdata/schemas/order.avsc --schema-dep testdata/schemas/money.avsc \
    --schema-dep testdata/schemas/address.avsc --schema-dep testdata/schemas/order_item.avsc \
    --in testdata/samples/order.json --out order.bin
  commbench encode --proto testdata/schemas/shop.proto --message shop.v1.Order --schema-id 21 \
    --in testdata/samples/order.json --out order.kafka
  commbench encode --schema-registry http://127.0.0.1:8081 --subject orders-value --in order.json
  commbench encode --compare --in testdata/samples/order.json \
    --proto testdata/schemas/shop.proto --message shop.v1.Order --avsc testdata/schemas/order.avsc ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return exitcode.Usagef("invalid --output %q: want text or json", output)
			}
			if compare == "text" && cmd.Flags().Changed("output") { // the deprecated --compare --output FORMAT
				compare = output
			}
			if compare != "" && compare != "text" && compare != "json" {
				return exitcode.Usagef("invalid --compare %q: want text or json", compare)
			}
			raw, err := readInput(a, f.in)
			if err != nil {
				return err
			}
			v, err := formats.ParseJSON(raw)
			if err != nil {
				return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(f.in), err))
			}
			if compare != "" {
				if cf.active() {
					return exitcode.Usagef("--compare measures the bare formats: drop the Confluent flags")
				}
				return runCompare(a, &f, v, compare, budget)
			}
			var c formats.Codec
			if cf.active() {
				c, err = cf.encoder(cmd.Context(), a, &f)
			} else {
				c, err = f.codec("")
			}
			if err != nil {
				return err
			}
			b, err := c.Encode(v)
			if err != nil {
				return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(f.in), err))
			}
			return writeOutput(a, f.out, b)
		},
	}
	f.register(cmd)
	cf.register(cmd, true)
	cmd.Flags().StringVar(&compare, "compare", "", "compare size and speed of every format given a schema; --compare=json for JSON (default a table)")
	cmd.Flags().Lookup("compare").NoOptDefVal = "text"
	cmd.Flags().StringVar(&output, "output", "text", "--compare output: text or json")
	deprecate(a, cmd, "output", "use --compare=json (-o is now --out)")
	cmd.Flags().DurationVar(&budget, "budget", 200*time.Millisecond, "--compare time spent measuring each operation")
	return cmd
}

func inputName(p string) string {
	if p == "" || p == "-" {
		return "stdin"
	}
	return p
}

func newDecodeCmd(a *app) *cobra.Command {
	var f codecFlags
	var cf confluentFlags
	var pretty bool
	var ocfFile string
	cmd := &cobra.Command{
		Use:   "decode",
		Short: "Decode a JSON, Protobuf or Avro payload and print it as JSON",
		Long: `Decode reads one payload in the chosen wire format and prints it as JSON: integers exact,
Protobuf with .proto field names and every field present, Avro as the encode command takes it.
Truncated or garbage input is an error (exit 2).

With --confluent the payload is in the Confluent Schema Registry wire format: with a local schema
the header is checked (its id against --schema-id when given) and stripped; with --schema-registry
the schema (and Protobuf message) is resolved from the id in the header, credentials from
` + confluent.EnvUsername + ` and ` + confluent.EnvPassword + `.

With --ocf FILE it reads an Avro Object Container File (- for stdin) with the writer schema from the
file's header and prints one JSON value per line (JSON Lines, as avro-tools tojson does); with
--pretty each value is indented.`,
		Example: `  commbench decode --proto testdata/schemas/shop.proto --message shop.v1.Order --in order.bin --pretty
  commbench encode --proto shop.proto --message shop.v1.Order < order.json | commbench decode --proto shop.proto --message shop.v1.Order
  commbench decode --schema-registry http://127.0.0.1:8081 --in order.kafka
  commbench decode --ocf orders.avro | jq .id`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("ocf") {
				return decodeOCF(a, cmd, &f, &cf, ocfFile, pretty)
			}
			values, err := decodeOne(cmd.Context(), a, &f, &cf)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := newJSONLines(&buf, pretty).Encode(values[0]); err != nil {
				return err
			}
			return writeOutput(a, f.out, buf.Bytes())
		},
	}
	f.register(cmd)
	cf.register(cmd, false)
	cmd.Flags().BoolVar(&pretty, "pretty", false, "indent the JSON output")
	cmd.Flags().StringVar(&ocfFile, "ocf", "", "Avro Object Container File to read (- for stdin): prints its values as JSON lines")
	return cmd
}

// decodeOne decodes the payload of --in.
func decodeOne(ctx context.Context, a *app, f *codecFlags, cf *confluentFlags) ([]any, error) {
	raw, err := readInput(a, f.in)
	if err != nil {
		return nil, err
	}
	if cf.active() {
		v, err := cf.decode(ctx, a, f, raw)
		if err != nil {
			return nil, err
		}
		return []any{v}, nil
	}
	c, err := f.codec("")
	if err != nil {
		return nil, err
	}
	v, err := c.Decode(raw)
	if err != nil {
		if len(raw) > 5 && raw[0] == 0 && c.Name() != "json" {
			err = fmt.Errorf("%w (the input starts like the Confluent wire format: try --confluent)", err)
		}
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(f.in), err))
	}
	return []any{v}, nil
}

// newJSONLines is the JSON encoder of decode's output: one value per line (indented with
// pretty), no HTML escaping.
func newJSONLines(w io.Writer, pretty bool) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	return enc
}

// decodeOCF writes the values of the container file path as JSON lines to --out, each as it is
// decoded: memory holds one block and one value, whatever the size of the file (see
// avro.OCFReader). The schema comes from the file's header, so schema and framing flags are
// refused. A value that does not decode stops the output there, with exit 2.
func decodeOCF(a *app, cmd *cobra.Command, f *codecFlags, cf *confluentFlags, path string, pretty bool) (err error) {
	switch {
	case path == "":
		return exitcode.Usagef("--ocf needs a file name (- for stdin)")
	case f.format != "" && f.format != "avro":
		return exitcode.Usagef("--ocf reads Avro container files, not --format %s", f.format)
	case f.localSchema() || f.message != "":
		return exitcode.Usagef("--ocf takes the writer schema from the file's header: drop --schema/--avsc/--proto/--schema-dep/--message")
	case cf.active():
		return exitcode.Usagef("--ocf and the Confluent flags exclude each other")
	case cmd.Flags().Changed("in"):
		return exitcode.Usagef("--ocf names the input file: drop --in")
	}
	in := a.stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return exitcode.New(exitcode.Usage, fmt.Errorf("read input: %w", err))
		}
		defer file.Close()
		in = file
	}
	o, err := avro.NewOCFReader(in)
	if err != nil {
		return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(path), err))
	}
	defer o.Close()
	out := a.stdout
	if f.out != "" && f.out != "-" {
		file, err := os.Create(f.out)
		if err != nil {
			return exitcode.Usagef("--out: %w", err)
		}
		defer func() {
			if cerr := file.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}()
		out = file
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := newJSONLines(bw, pretty)
	for {
		v, err := o.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = bw.Flush() // the values before the bad one are written
			return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(path), err))
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// formatCost is one row of `encode --compare`.
type formatCost struct {
	Format         string  `json:"format"`
	ContentType    string  `json:"content_type"`
	SizeBytes      int     `json:"size_bytes"`
	EncodeNsOp     float64 `json:"encode_ns_per_op"`
	EncodeAllocsOp float64 `json:"encode_allocs_per_op"`
	DecodeNsOp     float64 `json:"decode_ns_per_op"`
	DecodeAllocsOp float64 `json:"decode_allocs_per_op"`
	RoundTrip      bool    `json:"round_trip_equal"`
}

func runCompare(a *app, f *codecFlags, v any, output string, budget time.Duration) error {
	names := []string{"json"}
	if f.proto != "" || (f.schema != "" && !strings.HasSuffix(f.schema, ".avsc")) {
		names = append(names, "protobuf")
	}
	if f.avsc != "" || strings.HasSuffix(f.schema, ".avsc") {
		names = append(names, "avro")
	}
	var rows []formatCost
	for _, name := range names {
		c, err := f.codec(name)
		if err != nil {
			return err
		}
		b, err := c.Encode(v)
		if err != nil {
			return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", name, err))
		}
		back, err := c.Decode(b)
		if err != nil {
			return fmt.Errorf("%s: decode what it encoded: %w", name, err)
		}
		row := formatCost{Format: name, ContentType: c.ContentType(), SizeBytes: len(b), RoundTrip: reflect.DeepEqual(v, back)}
		row.EncodeNsOp, row.EncodeAllocsOp = measure(budget, func() { _, _ = c.Encode(v) })
		row.DecodeNsOp, row.DecodeAllocsOp = measure(budget, func() { _, _ = c.Decode(b) })
		rows = append(rows, row)
	}
	if output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
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

// measure runs op in batches until budget has passed and returns the wall time and heap
// allocations per call (runtime.MemStats.Mallocs).
func measure(budget time.Duration, op func()) (nsPerOp, allocsPerOp float64) {
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
