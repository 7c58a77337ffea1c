package protobuf

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/commbench/commbench/formats"
)

// typeResolver finds message and extension types for google.protobuf.Any (protojson's Resolver).
type typeResolver interface {
	protoregistry.ExtensionTypeResolver
	protoregistry.MessageTypeResolver
}

// ToValue turns a message into the JSON data model of package formats, as protojson with
// UseProtoNames and EmitUnpopulated writes it, without the JSON text in between:
//   - keys are the .proto field names (Pact plugin paths such as $.edge_length);
//   - every field is present: implicit-presence fields with their zero value, unset fields with
//     presence (messages, oneof members, proto2/proto3 optional) as nil, empty repeated as []any{},
//     empty maps as map[string]any{} (protojson leaves unset oneof members out; keeping them as nil
//     gives Protobuf and Avro records of one schema the same keys);
//   - integers of every width as json.Number (exact beyond 2^53), floats as json.Number, NaN and
//     infinities as the strings "NaN", "Infinity", "-Infinity";
//   - enums as their value name (a number not in the enum as json.Number);
//   - bytes as standard base64 strings;
//   - well-known types as protojson: Timestamp as RFC 3339 text, Duration as "1.5s", wrappers as
//     the wrapped value, Struct/Value/ListValue as plain JSON, Any with "@type" (message types
//     resolved from protoregistry.GlobalTypes; a Codec resolves them from its own schema).
//
// Errors: a Timestamp or Duration out of range, an Any whose type cannot be resolved.
func ToValue(m protoreflect.Message) (any, error) {
	return toValue(m, protoregistry.GlobalTypes)
}

func toValue(m protoreflect.Message, res typeResolver) (any, error) {
	md := m.Descriptor()
	if md.FullName().Parent() == "google.protobuf" {
		if v, ok, err := wellKnownToValue(m, res); ok {
			return v, err
		}
	}
	fields := md.Fields()
	out := make(map[string]any, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		name := string(fd.Name())
		if !m.Has(fd) && fd.HasPresence() {
			out[name] = nil
			continue
		}
		v, err := fieldToValue(fd, m.Get(fd), res)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

func fieldToValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, res typeResolver) (any, error) {
	switch {
	case fd.IsList():
		l := v.List()
		out := make([]any, l.Len())
		for i := range out {
			e, err := singularToValue(fd, l.Get(i), res)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = e
		}
		return out, nil
	case fd.IsMap():
		mp := v.Map()
		out := make(map[string]any, mp.Len())
		var err error
		mp.Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			var e any
			e, err = singularToValue(fd.MapValue(), mv, res)
			if err != nil {
				err = fmt.Errorf("[%s]: %w", k.String(), err)
				return false
			}
			out[k.String()] = e
			return true
		})
		return out, err
	}
	return singularToValue(fd, v, res)
}

func singularToValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, res typeResolver) (any, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case protoreflect.FloatKind:
		return formats.FloatNumber(v.Float(), 32), nil
	case protoreflect.DoubleKind:
		return formats.FloatNumber(v.Float(), 64), nil
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.BytesKind:
		return base64.StdEncoding.EncodeToString(v.Bytes()), nil
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == "google.protobuf.NullValue" {
			return nil, nil
		}
		n := v.Enum()
		if ev := fd.Enum().Values().ByNumber(n); ev != nil {
			return string(ev.Name()), nil
		}
		return json.Number(strconv.FormatInt(int64(n), 10)), nil
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return toValue(v.Message(), res)
	}
	return nil, fmt.Errorf("unsupported field kind %v", fd.Kind())
}

// Limits of google.protobuf.Timestamp and Duration (see their .proto comments).
const (
	minTimestampSeconds = -62135596800 // 0001-01-01T00:00:00Z
	maxTimestampSeconds = 253402300799 // 9999-12-31T23:59:59Z
	maxDurationSeconds  = 315576000000 // 10,000 years
)

// wellKnownToValue converts the well-known types protojson writes specially; ok is false for
// other google.protobuf messages (which are plain messages).
func wellKnownToValue(m protoreflect.Message, res typeResolver) (v any, ok bool, err error) {
	md := m.Descriptor()
	fields := md.Fields()
	switch md.Name() {
	case "Timestamp":
		secs, nanos := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
		if secs < minTimestampSeconds || secs > maxTimestampSeconds || nanos < 0 || nanos > 999_999_999 {
			return nil, true, fmt.Errorf("google.protobuf.Timestamp out of range: seconds %d, nanos %d", secs, nanos)
		}
		return formats.FormatTimestamp(time.Unix(secs, nanos)), true, nil
	case "Duration":
		secs, nanos := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
		if secs < -maxDurationSeconds || secs > maxDurationSeconds || nanos <= -1e9 || nanos >= 1e9 ||
			(secs > 0 && nanos < 0) || (secs < 0 && nanos > 0) {
			return nil, true, fmt.Errorf("google.protobuf.Duration out of range: seconds %d, nanos %d", secs, nanos)
		}
		return formatDuration(secs, nanos), true, nil
	case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
		"BoolValue", "StringValue", "BytesValue":
		fd := fields.ByNumber(1)
		v, err := singularToValue(fd, m.Get(fd), res)
		return v, true, err
	case "Any", "Struct", "Value", "ListValue", "FieldMask", "Empty":
		b, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: res}.Marshal(m.Interface())
		if err != nil {
			return nil, true, err
		}
		v, err := formats.ParseJSON(b)
		return v, true, err
	}
	return nil, false, nil
}

func formatDuration(secs, nanos int64) string {
	sign := ""
	if secs < 0 || nanos < 0 {
		sign, secs, nanos = "-", -secs, -nanos
	}
	s := fmt.Sprintf("%s%d.%09d", sign, secs, nanos)
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "000"), "000"), "000"), ".") + "s"
}
