package avro

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/commbench/commbench/formats"
)

// Name is the registry name of this codec.
const Name = "avro"

// ContentType is the MIME type of encoded payloads (Avro binary, one datum, no container).
const ContentType = "application/avro"

func init() {
	formats.Register(Name, func(opts formats.Options) (formats.Codec, error) { return New(opts) })
}

// Codec encodes values as single Avro binary datums of one schema and decodes them back. It is
// safe for concurrent use.
type Codec struct {
	schema  avro.Schema
	writers sync.Pool
}

var _ formats.Codec = (*Codec)(nil)

// NewCodec returns the codec for schema.
func NewCodec(schema avro.Schema) *Codec {
	return &Codec{schema: schema}
}

// New loads opts.Schema, with opts.SchemaFiles defining the named types it references (see
// LoadSchema), and returns its codec.
func New(opts formats.Options) (*Codec, error) {
	if opts.Schema == "" {
		return nil, errors.New("avro: no schema: give an .avsc file")
	}
	s, err := LoadSchema(opts.Schema, opts.SchemaFiles...)
	if err != nil {
		return nil, err
	}
	return NewCodec(s), nil
}

// Name returns "avro".
func (c *Codec) Name() string { return Name }

// ContentType returns "application/avro".
func (c *Codec) ContentType() string { return ContentType }

// Schema returns the codec's schema.
func (c *Codec) Schema() avro.Schema { return c.schema }

// Encode writes v as one Avro binary datum. Errors name the path and the expected type, e.g.
// `items[2].qty: want int, got string "x"`.
func (c *Codec) Encode(v any) ([]byte, error) {
	return c.AppendEncode(nil, v)
}

// AppendEncode appends the Avro binary datum of v to dst (e.g. after a Confluent header).
func (c *Codec) AppendEncode(dst []byte, v any) ([]byte, error) {
	w, _ := c.writers.Get().(*avro.Writer)
	if w == nil {
		w = avro.NewWriter(nil, 512)
	}
	defer c.writers.Put(w)
	w.Reset(nil)
	if err := encodeValue(w, c.schema, v, nil); err != nil {
		return nil, err
	}
	if w.Error != nil {
		return nil, w.Error
	}
	return append(dst, w.Buffer()...), nil
}

// Decode reads one Avro binary datum. Truncated or garbage input, or bytes left after the datum,
// are an error.
func (c *Codec) Decode(b []byte) (any, error) {
	r := avro.NewReader(nil, 0).Reset(b)
	v := decodeValue(r, c.schema, 0)
	if r.Error != nil {
		return nil, fmt.Errorf("decode Avro %s: %w", schemaName(c.schema), r.Error)
	}
	if trailing(r) {
		return nil, fmt.Errorf("decode Avro %s: data left after the datum", schemaName(c.schema))
	}
	return v, nil
}
