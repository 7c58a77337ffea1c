package main

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
)

// confluentFlags select the Confluent Schema Registry wire format (magic byte 0, 4-byte schema
// id, for Protobuf the message indexes, then the payload) for encode and decode.
type confluentFlags struct {
	on       bool
	schemaID int
	registry string
	subject  string
}

func (cf *confluentFlags) register(cmd *cobra.Command, encode bool) {
	fl := cmd.Flags()
	fl.BoolVar(&cf.on, "confluent", false, "Confluent Schema Registry wire format: magic byte 0, schema id, payload (implied by --schema-id and --schema-registry)")
	fl.StringVar(&cf.registry, "schema-registry", "", "Schema Registry URL (e.g. http://127.0.0.1:8081); basic auth from "+confluent.EnvUsername+"/"+confluent.EnvPassword)
	if encode {
		fl.IntVar(&cf.schemaID, "schema-id", -1, "schema id to write in the header, with a local schema (--avsc or --proto/--message)")
		fl.StringVar(&cf.subject, "subject", "", "with --schema-registry: the subject whose latest schema encodes (e.g. orders-value)")
	} else {
		fl.IntVar(&cf.schemaID, "schema-id", -1, "with a local schema: the schema id the header must carry (default: any)")
	}
}

func (cf *confluentFlags) active() bool { return cf.on || cf.registry != "" || cf.schemaID >= 0 }

// localSchema reports whether schema flags were given.
func (f *codecFlags) localSchema() bool {
	return f.schema != "" || f.proto != "" || f.avsc != "" || len(f.schemaDeps) > 0
}

func (cf *confluentFlags) registryClient(a *app) (*confluent.Registry, error) {
	r, err := confluent.NewRegistry(cf.registry, a.Getenv)
	if err != nil {
		return nil, exitcode.Usagef("--schema-registry: %w", err)
	}
	return r, nil
}

// encoder returns the framing codec: the registry's latest schema of --subject, or the local
// schema with --schema-id.
func (cf *confluentFlags) encoder(ctx context.Context, a *app, f *codecFlags) (formats.Codec, error) {
	if cf.registry != "" {
		if f.localSchema() || cf.schemaID >= 0 {
			return nil, exitcode.Usagef("--schema-registry takes the schema and id from the registry: drop the local schema flags and --schema-id")
		}
		if cf.subject == "" {
			return nil, exitcode.Usagef("--schema-registry needs --subject (e.g. orders-value)")
		}
		r, err := cf.registryClient(a)
		if err != nil {
			return nil, err
		}
		c, err := r.CodecBySubject(ctx, cf.subject, f.message)
		if err != nil {
			return nil, registryError(err)
		}
		return c, nil
	}
	if cf.subject != "" {
		return nil, exitcode.Usagef("--subject needs --schema-registry")
	}
	if cf.schemaID < 0 {
		return nil, exitcode.Usagef("--confluent needs --schema-id N with a local schema, or --schema-registry URL --subject S")
	}
	inner, err := f.codec("")
	if err != nil {
		return nil, err
	}
	return frame(inner, cf.schemaID)
}

// frame wraps an Avro or Protobuf codec in the Confluent header with schema id.
func frame(inner formats.Codec, id int) (*confluent.Codec, error) {
	switch c := inner.(type) {
	case *avro.Codec:
		return confluent.NewAvro(c, id), nil
	case *protobuf.Codec:
		return confluent.NewProtobuf(c, id), nil
	}
	return nil, exitcode.Usagef("the Confluent wire format carries Avro or Protobuf, not %s: give --avsc or --proto", inner.Name())
}

// decode reads a Confluent-framed payload: schema resolved from the registry by the id in the
// header, or the local schema (checking the id against --schema-id when given).
func (cf *confluentFlags) decode(ctx context.Context, a *app, f *codecFlags, raw []byte) (any, error) {
	if cf.registry != "" {
		if f.localSchema() || cf.schemaID >= 0 {
			return nil, exitcode.Usagef("--schema-registry resolves the schema from the id in each payload: drop the local schema flags and --schema-id")
		}
		r, err := cf.registryClient(a)
		if err != nil {
			return nil, err
		}
		v, err := r.Decode(ctx, raw)
		if err != nil {
			return nil, registryError(fmt.Errorf("%s: %w", inputName(f.in), err))
		}
		return v, nil
	}
	inner, err := f.codec("")
	if err != nil {
		return nil, err
	}
	_, isProto := inner.(*protobuf.Codec)
	id, _, _, err := confluent.Split(raw, isProto)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(f.in), err))
	}
	if cf.schemaID >= 0 && id != cf.schemaID {
		return nil, exitcode.Usagef("%s: schema id %d in the header, want %d (--schema-id)", inputName(f.in), id, cf.schemaID)
	}
	c, err := frame(inner, id)
	if err != nil {
		return nil, err
	}
	v, err := c.Decode(raw)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", inputName(f.in), err))
	}
	return v, nil
}

// registryError maps an unreachable registry to exit code 3 and anything else (unknown id or
// subject, payload that does not fit) to 2.
func registryError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) {
		return exitcode.New(exitcode.Unavailable, err)
	}
	return exitcode.New(exitcode.Usage, err)
}
