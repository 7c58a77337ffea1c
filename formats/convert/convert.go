// Package convert is the conversion layer between JSON documents and the wire formats of package
// formats: it picks the codec a set of schema files selects (Schema), frames payloads in the
// Confluent Schema Registry wire format (Confluent), streams Avro Object Container Files as JSON
// lines (DecodeOCF) and measures the size and cost of every format for one record (Compare).
// The commbench encode and decode commands are thin wrappers around it.
//
// Errors carry exit codes (internal/exitcode): bad input, schema or flags are ErrInvalid (exit 2),
// an unreachable schema registry is ErrUnavailable (exit 3).
package convert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/commbench/commbench/formats"
	_ "github.com/commbench/commbench/formats/avro"     // registers "avro"
	_ "github.com/commbench/commbench/formats/json"     // registers "json"
	_ "github.com/commbench/commbench/formats/protobuf" // registers "protobuf"
	"github.com/commbench/commbench/internal/exitcode"
)

// Schema selects a wire format and its schema files, as the encode/decode flags give them.
type Schema struct {
	// Format is "json", "protobuf" or "avro"; empty picks it from Proto/Avsc/Schema, else json.
	Format string
	// Schema is a schema file: .proto, protoset (FileDescriptorSet) or .avsc.
	Schema string
	// Proto is a Protobuf schema (.proto source or protoset); it implies Format protobuf.
	Proto string
	// Avsc is an Avro schema .avsc; it implies Format avro.
	Avsc string
	// SchemaDeps are further schema files: .avsc files go to Avro, any other to Protobuf.
	SchemaDeps []string
	// ImportPaths are the .proto import paths (-I).
	ImportPaths []string
	// Message is the fully qualified Protobuf message, e.g. "shop.v1.Order".
	Message string
}

// Options returns the format name and codec options s selects; format, when not empty,
// overrides s.Format (Compare uses it to build every format from one Schema).
func (s Schema) Options(format string) (string, formats.Options) {
	opts := formats.Options{ImportPaths: s.ImportPaths, Message: s.Message, Schema: s.Schema}
	if format == "" {
		format = s.Format
	}
	if format == "" {
		switch {
		case s.Proto != "":
			format = "protobuf"
		case s.Avsc != "":
			format = "avro"
		case strings.HasSuffix(s.Schema, ".avsc"):
			format = "avro"
		case s.Schema != "":
			format = "protobuf"
		default:
			format = "json"
		}
	}
	// dependencies go to the format they belong to (.avsc to Avro, others to Protobuf), so
	// Compare can take both at once.
	for _, d := range s.SchemaDeps {
		if strings.HasSuffix(d, ".avsc") == (format == "avro") {
			opts.SchemaFiles = append(opts.SchemaFiles, d)
		}
	}
	switch {
	case format == "protobuf" && s.Proto != "":
		opts.Schema = s.Proto
	case format == "avro" && s.Avsc != "":
		opts.Schema = s.Avsc
	}
	return format, opts
}

// Codec builds the codec of format (empty: the one s selects) with formats.New. A schema that
// does not load or an unknown format is ErrInvalid.
func (s Schema) Codec(format string) (formats.Codec, error) {
	name, opts := s.Options(format)
	c, err := formats.New(name, opts)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return c, nil
}

// Local reports whether s names any schema file.
func (s Schema) Local() bool {
	return s.Schema != "" || s.Proto != "" || s.Avsc != "" || len(s.SchemaDeps) > 0
}

// InputName is the name of an input path in messages: "stdin" for "" and "-".
func InputName(path string) string {
	if path == "" || path == "-" {
		return "stdin"
	}
	return path
}

// Decode decodes one payload raw read from input (named in errors, see InputName): Confluent
// framed when cf.Active, else with the codec s selects. A payload that does not decode is
// ErrInvalid; when it starts like the Confluent wire format the message says to try --confluent.
func Decode(ctx context.Context, s Schema, cf Confluent, input string, raw []byte) (any, error) {
	if cf.Active() {
		return cf.Decode(ctx, s, input, raw)
	}
	c, err := s.Codec("")
	if err != nil {
		return nil, err
	}
	v, err := c.Decode(raw)
	if err != nil {
		if len(raw) > 5 && raw[0] == 0 && c.Name() != "json" {
			err = fmt.Errorf("%w (the input starts like the Confluent wire format: try --confluent)", err)
		}
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", InputName(input), err))
	}
	return v, nil
}

// NewJSONLines is the JSON encoder of decoded values: one value per line (indented with
// pretty), no HTML escaping, integers exact (json.Number).
func NewJSONLines(w io.Writer, pretty bool) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	return enc
}

// ErrInvalid marks bad input (payload, document, schema or option combination): exit code 2.
var ErrInvalid error = exitcode.Kind(exitcode.Usage)

// ErrUnavailable marks a schema registry that cannot be reached: exit code 3.
var ErrUnavailable error = exitcode.Kind(exitcode.Unavailable)
