// Package json is the JSON codec (application/json, RFC 8259) on the standard library's
// encoding/json, number-preserving: decoded numbers are json.Number, so integers beyond 2^53 and
// decimals keep their exact text.
package json

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"

	"github.com/commbench/commbench/formats"
)

// Name is the registry name of this codec.
const Name = "json"

// ContentType is the MIME type of encoded payloads.
const ContentType = "application/json"

func init() {
	formats.Register(Name, func(formats.Options) (formats.Codec, error) { return New(), nil })
}

// Codec encodes values as compact JSON text without HTML escaping and decodes JSON text into the
// value model. It needs no schema and is safe for concurrent use.
type Codec struct{}

var _ formats.Codec = Codec{}

// New returns the JSON codec.
func New() Codec { return Codec{} }

// Name returns "json".
func (Codec) Name() string { return Name }

// ContentType returns "application/json".
func (Codec) ContentType() string { return ContentType }

// Encode writes v as compact JSON text (no trailing newline; <, >, & left as they are). Errors:
// values JSON cannot hold (channels, functions, NaN floats, invalid json.Number text).
func (Codec) Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := stdjson.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil
}

// Decode parses one JSON document (see formats.ParseJSON): numbers as json.Number, errors with
// line and column, trailing data is an error.
func (Codec) Decode(b []byte) (any, error) {
	v, err := formats.ParseJSON(b)
	if err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	return v, nil
}
