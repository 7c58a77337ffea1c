package protobuf

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/formats"
)

// Name is the registry name of this codec.
const Name = "protobuf"

// ContentType is the MIME type of encoded payloads; "application/x-protobuf" is its older alias.
const ContentType = "application/protobuf"

func init() {
	formats.Register(Name, func(opts formats.Options) (formats.Codec, error) { return New(opts) })
}

// Codec encodes and decodes one message type with dynamicpb. It is safe for concurrent use.
type Codec struct {
	md    protoreflect.MessageDescriptor
	types typeResolver
}

var _ formats.Codec = (*Codec)(nil)

// NewCodec returns a codec for messages of type md. files, when not nil, resolves the types
// packed in google.protobuf.Any fields; nil uses protoregistry.GlobalTypes.
func NewCodec(md protoreflect.MessageDescriptor, files *protoregistry.Files) *Codec {
	var res typeResolver = protoregistry.GlobalTypes
	if files != nil {
		res = dynamicpb.NewTypes(files)
	}
	return &Codec{md: md, types: res}
}

// New loads the schema named by opts and returns the codec for opts.Message:
// opts.Schema (and opts.SchemaFiles) are .proto sources compiled with opts.ImportPaths, or one
// FileDescriptorSet file (any other extension: .protoset, .pb, .desc, .bin).
// Errors: no message name, a schema that does not load (file:line:col), an unknown message (the
// error lists the available ones).
func New(opts formats.Options) (*Codec, error) {
	files, err := LoadSchema(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	if opts.Message == "" {
		return nil, fmt.Errorf("protobuf: a message name is required (available: %s)", messageList(files))
	}
	md, err := FindMessage(files, opts.Message)
	if err != nil {
		return nil, err
	}
	return NewCodec(md, files), nil
}

// LoadSchema loads the Protobuf schema named by opts: .proto files (opts.Schema then
// opts.SchemaFiles) compiled with opts.ImportPaths, or a FileDescriptorSet file.
func LoadSchema(ctx context.Context, opts formats.Options) (*protoregistry.Files, error) {
	all := append([]string{}, opts.SchemaFiles...)
	if opts.Schema != "" {
		all = append([]string{opts.Schema}, all...)
	}
	if len(all) == 0 {
		return nil, errors.New("protobuf: no schema: give a .proto file or a FileDescriptorSet (protoset)")
	}
	if strings.EqualFold(filepath.Ext(all[0]), ".proto") {
		return Compile(ctx, all, opts.ImportPaths)
	}
	if len(all) > 1 {
		return nil, fmt.Errorf("protobuf: one FileDescriptorSet expected, got %d schema files", len(all))
	}
	return LoadDescriptorSetFile(all[0])
}

func messageList(files *protoregistry.Files) string {
	mds := Messages(files)
	names := make([]string, len(mds))
	for i, md := range mds {
		names[i] = string(md.FullName())
	}
	return strings.Join(names, ", ")
}

// Name returns "protobuf".
func (c *Codec) Name() string { return Name }

// ContentType returns "application/protobuf".
func (c *Codec) ContentType() string { return ContentType }

// Descriptor returns the message type the codec encodes.
func (c *Codec) Descriptor() protoreflect.MessageDescriptor { return c.md }

// Encode builds the message from v (see FromValue) and returns its binary wire form.
// Errors name the path and the expected type.
func (c *Codec) Encode(v any) ([]byte, error) {
	m, err := c.Message(v)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(m)
}

// Message builds the dynamic message for v, as Encode does before marshalling.
func (c *Codec) Message(v any) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(c.md)
	if err := fillMessage(m, v, nil, c.types); err != nil {
		return nil, fmt.Errorf("%s: %w", c.md.FullName(), err)
	}
	return m, nil
}

// Decode parses binary wire bytes into a message and returns its value (see ToValue).
// Truncated or garbage bytes are an error.
func (c *Codec) Decode(b []byte) (v any, err error) {
	// protobuf-go panics on some malformed map entries of dynamic messages ("cannot convert nil
	// to map key", crasher kept in testdata/fuzz/FuzzDecode): report those as bad input.
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("decode %s: malformed message: %v", c.md.FullName(), r)
		}
	}()
	m := dynamicpb.NewMessage(c.md)
	if err := (proto.UnmarshalOptions{Resolver: c.types}).Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", c.md.FullName(), err)
	}
	return toValue(m, c.types)
}
