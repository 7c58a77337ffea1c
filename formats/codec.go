// Package formats turns payload values into bytes and back. A Codec encodes and decodes one wire
// format (JSON, Protobuf, Avro); codecs register themselves by name in the database/sql style.
//
// Values are the JSON data model so Pact matching rules apply to any decoded payload:
// map[string]any, []any, string, json.Number (integers and decimals, exact beyond 2^53), bool and nil.
// Bytes fields appear as base64 strings, as protojson does.
package formats

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Codec encodes values of the JSON data model into one wire format and decodes them back.
// Implementations are safe for concurrent use.
type Codec interface {
	// Name is the registry name: "json", "protobuf", "avro".
	Name() string
	// ContentType is the MIME type of encoded payloads, e.g. "application/json".
	ContentType() string
	// Encode turns a value into bytes. A value that does not fit the schema is an error naming
	// the path and the expected type, e.g. `items[2].qty: want int32, got string "x"`.
	Encode(v any) ([]byte, error)
	// Decode turns bytes into a value. Truncated or garbage input is an error, never a panic.
	Decode(b []byte) (any, error)
}

// Factory builds a codec from its options (schema files, message name, import paths...).
type Factory func(opts Options) (Codec, error)

// Options configure a codec built by a Factory. Fields a format does not use are ignored.
type Options struct {
	// Schema is the schema file: .proto, .protoset (FileDescriptorSet) or .avsc.
	Schema string
	// SchemaFiles are further schema files (Avro named types referenced across files).
	SchemaFiles []string
	// ImportPaths are the -I paths for .proto compilation.
	ImportPaths []string
	// Message is the fully qualified Protobuf message name, e.g. "shop.v1.Order".
	Message string
}

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a codec factory available under name. It panics if name is empty, f is nil or
// name is already registered, as database/sql.Register does.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if name == "" || f == nil {
		panic("formats: Register with empty name or nil factory")
	}
	if _, dup := factories[name]; dup {
		panic("formats: Register called twice for format " + name)
	}
	factories[name] = f
}

// New builds the codec registered under name. An unknown name is an error listing the known ones.
func New(name string, opts Options) (Codec, error) {
	mu.RLock()
	f, ok := factories[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return f(opts)
}

// Names returns the registered format names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
