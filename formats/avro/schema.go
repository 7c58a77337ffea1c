// Package avro is the Avro codec (Avro 1.12 binary encoding) on github.com/hamba/avro/v2: schemas
// from .avsc files with named types referenced across files, values in the JSON data model of
// package formats.
//
// Mapping between Avro and the value model (Avro specification, "JSON Encoding", except bytes):
//   - int, long, float, double: json.Number (exact); NaN and infinities as "NaN", "Infinity";
//   - bytes and fixed: standard base64 strings, as protojson writes bytes;
//   - enum: the symbol; record: map with every field; array: []any; map: map[string]any;
//   - union ["null", T] (either order): the value of T, or nil; any other union: nil for its null
//     branch, else {"typeName": value} with the full name of a named type or the primitive name
//     ("string", "array", "map");
//   - logical types: timestamp-millis/micros as RFC 3339 UTC text ("2024-05-01T12:30:45.123Z"),
//     local-timestamp-millis/micros as RFC 3339 without zone, date as "2024-05-01", decimal as an
//     exact json.Number with the schema's scale ("12.50"), uuid as its text; time-millis/micros
//     stay numbers.
package avro

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/commbench/commbench/formats"
)

// LoadSchema parses the .avsc file main and the files deps that define named types it references,
// with one schema cache, in any order (a file that refers to a type not yet defined is parsed again
// after the others). It returns main's schema.
//
// Errors: unreadable file (named); JSON syntax (file, line and column); an Avro schema error
// (hamba's message, with the file); a named type no file defines.
func LoadSchema(main string, deps ...string) (avro.Schema, error) {
	type pending struct {
		path string
		src  []byte
	}
	var todo []pending
	for _, p := range append(append([]string{}, deps...), main) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if _, err := formats.ParseJSON(b); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		todo = append(todo, pending{p, b})
	}
	cache := &avro.SchemaCache{}
	var mainSchema avro.Schema
	for len(todo) > 0 {
		var next []pending
		var firstErr error
		for _, f := range todo {
			s, err := parse(string(f.src), cache)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", f.path, err)
				}
				next = append(next, f)
				continue
			}
			if f.path == main {
				mainSchema = s
			}
		}
		if len(next) == len(todo) {
			return nil, firstErr
		}
		todo = next
	}
	return mainSchema, nil
}

// ParseSchema parses one schema from its JSON text (e.g. from a schema registry), with named
// types known from cache (nil for none).
func ParseSchema(text string, cache *avro.SchemaCache) (avro.Schema, error) {
	if cache == nil {
		cache = &avro.SchemaCache{}
	}
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty Avro schema")
	}
	return parse(text, cache)
}

// parse is avro.ParseWithCache, with the panics hamba/avro raises on some invalid defaults
// (crasher kept in testdata/fuzz/FuzzParseSchema) reported as errors.
func parse(text string, cache *avro.SchemaCache) (s avro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("invalid Avro schema: %v", r)
		}
	}()
	return avro.ParseWithCache(text, "", cache)
}
