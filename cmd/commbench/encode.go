package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/convert"
	"github.com/commbench/commbench/internal/exitcode"
)

// codecFlags are the schema flags encode and decode share.
type codecFlags struct {
	convert.Schema
	in, out string
}

func (f *codecFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Format, "format", "", "wire format: json, protobuf or avro (default: from --proto/--avsc, else json)")
	fl.StringVar(&f.Schema.Schema, "schema", "", "schema file: .proto, protoset (FileDescriptorSet) or .avsc")
	fl.StringVar(&f.Proto, "proto", "", "Protobuf schema: .proto source or protoset (implies --format protobuf)")
	fl.StringVar(&f.Avsc, "avsc", "", "Avro schema .avsc (implies --format avro)")
	fl.StringSliceVar(&f.SchemaDeps, "schema-dep", nil, "further schema files: .avsc defining named types, or more .proto files (repeatable)")
	fl.StringSliceVarP(&f.ImportPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	fl.StringVar(&f.Message, "message", "", "Protobuf message, e.g. shop.v1.Order")
	fl.StringVar(&f.in, "in", "-", "input file, - for stdin")
	fl.StringVarP(&f.out, "out", "o", "-", "output file, - for stdout")
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
				return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", convert.InputName(f.in), err))
			}
			if compare != "" {
				if cf.active(a) {
					return exitcode.Usagef("--compare measures the bare formats: drop the Confluent flags")
				}
				return runCompare(a, &f, v, compare, budget)
			}
			var c formats.Codec
			if cf.active(a) {
				c, err = cf.Encoder(cmd.Context(), f.Schema)
			} else {
				c, err = f.Codec("")
			}
			if err != nil {
				return err
			}
			b, err := c.Encode(v)
			if err != nil {
				return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", convert.InputName(f.in), err))
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
			if err := convert.NewJSONLines(&buf, pretty).Encode(values[0]); err != nil {
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
	cf.Getenv = a.Getenv
	v, err := convert.Decode(ctx, f.Schema, cf.Confluent, f.in, raw)
	if err != nil {
		return nil, err
	}
	return []any{v}, nil
}

// decodeOCF writes the values of the container file path as JSON lines to --out
// (convert.WriteOCFLines). The schema comes from the file's header, so schema and framing flags
// are refused. A value that does not decode stops the output there, with exit 2.
func decodeOCF(a *app, cmd *cobra.Command, f *codecFlags, cf *confluentFlags, path string, pretty bool) (err error) {
	switch {
	case path == "":
		return exitcode.Usagef("--ocf needs a file name (- for stdin)")
	case f.Format != "" && f.Format != "avro":
		return exitcode.Usagef("--ocf reads Avro container files, not --format %s", f.Format)
	case f.Local() || f.Message != "":
		return exitcode.Usagef("--ocf takes the writer schema from the file's header: drop --schema/--avsc/--proto/--schema-dep/--message")
	case cf.active(a):
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
	o, err := convert.OpenOCF(in, path)
	if err != nil {
		return err
	}
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
	return convert.WriteOCFLines(o, out, path, pretty)
}

// formatCost is one row of `encode --compare`.
type formatCost = convert.Cost

func runCompare(a *app, f *codecFlags, v any, output string, budget time.Duration) error {
	rows, err := convert.Compare(f.Schema, v, budget)
	if err != nil {
		return err
	}
	if output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return convert.WriteCostTable(a.stdout, rows)
}
