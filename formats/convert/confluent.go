package convert

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
)

// Confluent selects the Confluent Schema Registry wire format (magic byte 0, 4-byte big-endian
// schema id, for Protobuf the message indexes, then the payload; see formats/confluent).
type Confluent struct {
	// On asks for the wire format with a local schema; SchemaID and Registry imply it.
	On bool
	// SchemaID is the id written in the header when encoding, or the id the header must carry
	// when decoding; negative: none (decoding accepts any).
	SchemaID int
	// Registry is the Schema Registry URL; the schema then comes from it (by Subject when
	// encoding, by the id in the header when decoding).
	Registry string
	// Subject is the registry subject whose latest schema encodes, e.g. "orders-value".
	Subject string
	// Getenv reads the registry credentials (confluent.EnvUsername, confluent.EnvPassword).
	Getenv func(string) string
}

// Active reports whether the Confluent wire format is selected.
func (cf Confluent) Active() bool { return cf.On || cf.Registry != "" || cf.SchemaID >= 0 }

func (cf Confluent) registry() (*confluent.Registry, error) {
	r, err := confluent.NewRegistry(cf.Registry, cf.Getenv)
	if err != nil {
		return nil, exitcode.Usagef("--schema-registry: %w", err)
	}
	return r, nil
}

// Encoder returns the framing codec: the registry's latest schema of Subject, or the local
// schema s with SchemaID. Inconsistent options are ErrInvalid, an unreachable registry
// ErrUnavailable.
func (cf Confluent) Encoder(ctx context.Context, s Schema) (formats.Codec, error) {
	if cf.Registry != "" {
		if s.Local() || cf.SchemaID >= 0 {
			return nil, exitcode.Usagef("--schema-registry takes the schema and id from the registry: drop the local schema flags and --schema-id")
		}
		if cf.Subject == "" {
			return nil, exitcode.Usagef("--schema-registry needs --subject (e.g. orders-value)")
		}
		r, err := cf.registry()
		if err != nil {
			return nil, err
		}
		c, err := r.CodecBySubject(ctx, cf.Subject, s.Message)
		if err != nil {
			return nil, RegistryError(err)
		}
		return c, nil
	}
	if cf.Subject != "" {
		return nil, exitcode.Usagef("--subject needs --schema-registry")
	}
	if cf.SchemaID < 0 {
		return nil, exitcode.Usagef("--confluent needs --schema-id N with a local schema, or --schema-registry URL --subject S")
	}
	inner, err := s.Codec("")
	if err != nil {
		return nil, err
	}
	return Frame(inner, cf.SchemaID)
}

// Frame wraps an Avro or Protobuf codec in the Confluent header with schema id; any other
// codec is ErrInvalid.
func Frame(inner formats.Codec, id int) (*confluent.Codec, error) {
	switch c := inner.(type) {
	case *avro.Codec:
		return confluent.NewAvro(c, id), nil
	case *protobuf.Codec:
		return confluent.NewProtobuf(c, id), nil
	}
	return nil, exitcode.Usagef("the Confluent wire format carries Avro or Protobuf, not %s: give --avsc or --proto", inner.Name())
}

// Decode reads a Confluent-framed payload raw from input (named in errors): schema resolved
// from the registry by the id in the header, or the local schema s (the id checked against
// SchemaID when not negative).
func (cf Confluent) Decode(ctx context.Context, s Schema, input string, raw []byte) (any, error) {
	if cf.Registry != "" {
		if s.Local() || cf.SchemaID >= 0 {
			return nil, exitcode.Usagef("--schema-registry resolves the schema from the id in each payload: drop the local schema flags and --schema-id")
		}
		r, err := cf.registry()
		if err != nil {
			return nil, err
		}
		v, err := r.Decode(ctx, raw)
		if err != nil {
			return nil, RegistryError(fmt.Errorf("%s: %w", InputName(input), err))
		}
		return v, nil
	}
	inner, err := s.Codec("")
	if err != nil {
		return nil, err
	}
	_, isProto := inner.(*protobuf.Codec)
	id, _, _, err := confluent.Split(raw, isProto)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", InputName(input), err))
	}
	if cf.SchemaID >= 0 && id != cf.SchemaID {
		return nil, exitcode.Usagef("%s: schema id %d in the header, want %d (--schema-id)", InputName(input), id, cf.SchemaID)
	}
	c, err := Frame(inner, id)
	if err != nil {
		return nil, err
	}
	v, err := c.Decode(raw)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", InputName(input), err))
	}
	return v, nil
}

// RegistryError maps a registry error: unreachable (a net.Error) is ErrUnavailable, anything
// else (unknown id or subject, payload that does not fit) ErrInvalid.
func RegistryError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) {
		return exitcode.New(exitcode.Unavailable, err)
	}
	return exitcode.New(exitcode.Usage, err)
}
