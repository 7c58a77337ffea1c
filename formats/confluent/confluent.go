// Package confluent frames payloads in the Confluent Schema Registry wire format and resolves
// their schemas from a registry (github.com/twmb/franz-go/pkg/sr).
//
// Wire format (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format):
// magic byte 0, the schema id as 4-byte big-endian, for Protobuf the message-index array (zigzag
// varint count then indexes, a single 0 for the first message), then the Avro or Protobuf payload.
package confluent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	hamba "github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/redact"
)

// Environment variables holding the registry's basic-auth credentials.
const (
	EnvUsername = "COMMBENCH_SCHEMA_REGISTRY_USERNAME"
	EnvPassword = "COMMBENCH_SCHEMA_REGISTRY_PASSWORD"
)

// maxIndexes bounds the message-index array read from a payload (nesting depth of messages).
const maxIndexes = 64

var header sr.ConfluentHeader

// ErrBadHeader is returned for payloads that do not start with the magic byte 0 and a schema id.
var ErrBadHeader = sr.ErrBadHeader

// Codec wraps an Avro or Protobuf codec: Encode prefixes the Confluent header with a fixed schema
// id, Decode checks and strips it. It implements formats.Codec and is safe for concurrent use.
type Codec struct {
	inner formats.Codec
	id    int
	index []int // Protobuf message index; nil for Avro
}

var _ formats.Codec = (*Codec)(nil)

// NewAvro frames an Avro codec with schema id.
func NewAvro(c *avro.Codec, id int) *Codec { return &Codec{inner: c, id: id} }

// NewProtobuf frames a Protobuf codec with schema id; the message index is computed from the
// codec's message position in its file.
func NewProtobuf(c *protobuf.Codec, id int) *Codec {
	return &Codec{inner: c, id: id, index: MessageIndex(c.Descriptor())}
}

// Name is the inner codec's name ("avro", "protobuf").
func (c *Codec) Name() string { return c.inner.Name() }

// ContentType is the inner codec's content type.
func (c *Codec) ContentType() string { return c.inner.ContentType() }

// ID is the schema id written in every header.
func (c *Codec) ID() int { return c.id }

// Encode writes the header then the inner encoding of v.
func (c *Codec) Encode(v any) ([]byte, error) {
	payload, err := c.inner.Encode(v)
	if err != nil {
		return nil, err
	}
	b, _ := header.AppendEncode(make([]byte, 0, 6+len(payload)), c.id, c.index)
	return append(b, payload...), nil
}

// Decode strips the header and decodes the payload. Errors: no Confluent header, a schema id or
// Protobuf message index other than the codec's (use Registry.Decode for any id).
func (c *Codec) Decode(b []byte) (any, error) {
	id, index, payload, err := Split(b, c.index != nil)
	if err != nil {
		return nil, err
	}
	if id != c.id {
		return nil, fmt.Errorf("payload has schema id %d, codec is for id %d", id, c.id)
	}
	if c.index != nil && !slices.Equal(index, c.index) {
		return nil, fmt.Errorf("payload has message index %v, codec is for %v", index, c.index)
	}
	return c.inner.Decode(payload)
}

// Split reads the header: the schema id, for Protobuf (withIndex) the message index, and the
// payload after it. Errors: ErrBadHeader for a missing magic byte or short header, a malformed
// message-index array.
func Split(b []byte, withIndex bool) (id int, index []int, payload []byte, err error) {
	id, rest, err := decodeID(b)
	if err != nil {
		return 0, nil, nil, err
	}
	if !withIndex {
		return id, nil, rest, nil
	}
	index, rest, err = header.DecodeIndex(rest, maxIndexes)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("confluent wire format: message index: %w", err)
	}
	return id, index, rest, nil
}

func decodeID(b []byte) (int, []byte, error) {
	id, rest, err := header.DecodeID(b)
	if err != nil {
		return 0, nil, fmt.Errorf("confluent wire format: %w (want magic byte 0 and a 4-byte schema id)", err)
	}
	return id, rest, nil
}

// MessageIndex is the Confluent message index of md: its position among the top-level messages
// of its file, then among the nested messages of each parent.
func MessageIndex(md protoreflect.MessageDescriptor) []int {
	var idx []int
	for d := protoreflect.Descriptor(md); ; d = d.Parent() {
		m, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			break
		}
		idx = append(idx, m.Index())
	}
	slices.Reverse(idx)
	return idx
}

// messageAt resolves a message index in a file.
func messageAt(fd protoreflect.FileDescriptor, index []int) (protoreflect.MessageDescriptor, error) {
	if len(index) == 0 {
		return nil, errors.New("empty message index")
	}
	mds := fd.Messages()
	var md protoreflect.MessageDescriptor
	for _, i := range index {
		if i < 0 || i >= mds.Len() {
			return nil, fmt.Errorf("message index %v: no message at %d in %s", index, i, fd.Path())
		}
		md = mds.Get(i)
		mds = md.Messages()
	}
	return md, nil
}

// Registry resolves schema ids to codecs through a Confluent Schema Registry and caches them.
// It is safe for concurrent use.
type Registry struct {
	client *sr.Client
	mu     sync.Mutex
	byID   map[int]*resolved
}

type resolved struct {
	typ   sr.SchemaType
	avro  *avro.Codec
	file  protoreflect.FileDescriptor
	files *protoregistry.Files
}

// NewRegistry connects to the registry at url (e.g. http://127.0.0.1:8081). Basic-auth credentials
// come from getenv(EnvUsername) and getenv(EnvPassword) when set; getenv is os.Getenv or the CLI's
// environment. The credentials are never logged or put in errors.
func NewRegistry(url string, getenv func(string) string) (*Registry, error) {
	opts := []sr.ClientOpt{sr.URLs(url)}
	if getenv != nil {
		if user := getenv(EnvUsername); user != "" {
			opts = append(opts, sr.BasicAuth(user, getenv(EnvPassword)))
		}
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry %s: %w", redact.URL(url), redact.Error(err))
	}
	return NewRegistryClient(cl), nil
}

// NewRegistryClient uses an sr.Client built by the caller.
func NewRegistryClient(cl *sr.Client) *Registry {
	return &Registry{client: cl, byID: map[int]*resolved{}}
}

// resolve fetches and parses the schema id (and, recursively, its references), once.
func (r *Registry) resolve(ctx context.Context, id int) (*resolved, error) {
	r.mu.Lock()
	res, ok := r.byID[id]
	r.mu.Unlock()
	if ok {
		return res, nil
	}
	s, err := r.client.SchemaByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
	}
	res = &resolved{typ: s.Type}
	switch s.Type {
	case sr.TypeAvro:
		schema, err := r.avroSchema(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
		}
		res.avro = avro.NewCodec(schema)
	case sr.TypeProtobuf:
		sources := map[string]string{}
		if err := r.protoSources(ctx, s.References, sources, 0); err != nil {
			return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
		}
		name := fmt.Sprintf("registry/schema-%d.proto", id)
		sources[name] = s.Schema
		files, err := protobuf.CompileSources(ctx, sources, []string{name})
		if err != nil {
			return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
		}
		fd, err := files.FindFileByPath(name)
		if err != nil {
			return nil, err
		}
		res.file, res.files = fd, files
	default:
		return nil, fmt.Errorf("schema id %d is of type %s: only AVRO and PROTOBUF are supported", id, s.Type)
	}
	r.mu.Lock()
	r.byID[id] = res
	r.mu.Unlock()
	return res, nil
}

// avroSchema parses an Avro schema after the schemas it references (named types by subject).
func (r *Registry) avroSchema(ctx context.Context, s sr.Schema) (hamba.Schema, error) {
	cache := &hamba.SchemaCache{}
	var load func(refs []sr.SchemaReference, depth int) error
	load = func(refs []sr.SchemaReference, depth int) error {
		if depth > 32 {
			return errors.New("schema references nested deeper than 32")
		}
		for _, ref := range refs {
			ss, err := r.client.SchemaByVersion(ctx, ref.Subject, ref.Version)
			if err != nil {
				return fmt.Errorf("reference %s (subject %s version %d): %w", ref.Name, ref.Subject, ref.Version, redact.Error(err))
			}
			if err := load(ss.References, depth+1); err != nil {
				return err
			}
			if _, err := avro.ParseSchema(ss.Schema.Schema, cache); err != nil {
				return fmt.Errorf("reference %s: %w", ref.Name, redact.Error(err))
			}
		}
		return nil
	}
	if err := load(s.References, 0); err != nil {
		return nil, err
	}
	return avro.ParseSchema(s.Schema, cache)
}

// protoSources collects the .proto text of references by their import names.
func (r *Registry) protoSources(ctx context.Context, refs []sr.SchemaReference, into map[string]string, depth int) error {
	if depth > 32 {
		return errors.New("schema references nested deeper than 32")
	}
	for _, ref := range refs {
		if _, done := into[ref.Name]; done {
			continue
		}
		if strings.HasPrefix(ref.Name, "google/protobuf/") {
			continue // well-known types are built in
		}
		ss, err := r.client.SchemaByVersion(ctx, ref.Subject, ref.Version)
		if err != nil {
			return fmt.Errorf("reference %s (subject %s version %d): %w", ref.Name, ref.Subject, ref.Version, redact.Error(err))
		}
		into[ref.Name] = ss.Schema.Schema
		if err := r.protoSources(ctx, ss.References, into, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// Decode reads the header of b, resolves its schema id (and for Protobuf its message index) and
// decodes the payload into the value model.
func (r *Registry) Decode(ctx context.Context, b []byte) (any, error) {
	id, rest, err := decodeID(b)
	if err != nil {
		return nil, err
	}
	res, err := r.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if res.avro != nil {
		return res.avro.Decode(rest)
	}
	_, index, payload, err := Split(b, true)
	if err != nil {
		return nil, err
	}
	md, err := messageAt(res.file, index)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
	}
	return protobuf.NewCodec(md, res.files).Decode(payload)
}

// CodecByID returns a framing codec for schema id. message picks the Protobuf message (full or
// short name; "" for the first message of the file) and is ignored for Avro.
func (r *Registry) CodecByID(ctx context.Context, id int, message string) (*Codec, error) {
	res, err := r.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if res.avro != nil {
		return NewAvro(res.avro, id), nil
	}
	var md protoreflect.MessageDescriptor
	if message == "" {
		if res.file.Messages().Len() == 0 {
			return nil, fmt.Errorf("schema id %d defines no message", id)
		}
		md = res.file.Messages().Get(0)
	} else if md, err = protobuf.FindMessage(res.files, message); err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, redact.Error(err))
	}
	return NewProtobuf(protobuf.NewCodec(md, res.files), id), nil
}

// CodecBySubject returns a framing codec for the latest schema version of subject (e.g.
// "orders-value"); message as for CodecByID.
func (r *Registry) CodecBySubject(ctx context.Context, subject, message string) (*Codec, error) {
	ss, err := r.client.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		return nil, fmt.Errorf("subject %s: %w", subject, redact.Error(err))
	}
	return r.CodecByID(ctx, ss.ID, message)
}
