package protobuf

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/formats"
)

// FromValue builds a message of type md from a value of the JSON data model (what ToValue returns,
// what a JSON document decodes to). It accepts what protojson accepts:
//   - keys as .proto field names or JSON (lowerCamelCase) names;
//   - integers as json.Number, Go integers, integral float64, or numeric strings (protojson writes
//     64-bit integers as strings); floats likewise, plus "NaN", "Infinity", "-Infinity";
//   - enums by value name or number; bytes as standard or URL-safe base64, padded or not;
//   - nil for a field leaves it unset;
//   - well-known types in their protojson form (Timestamp as RFC 3339 text, Duration as "1.5s"...).
//
// Errors name the path and the expected type, e.g. `items[2].qty: want int32, got string "x"`;
// an unknown field is an error naming the message; two members of one oneof are an error.
func FromValue(md protoreflect.MessageDescriptor, v any) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(md)
	if err := fillMessage(m, v, nil, protoregistry.GlobalTypes); err != nil {
		return nil, err
	}
	return m, nil
}

func fillMessage(m protoreflect.Message, v any, p *formats.Path, res typeResolver) error {
	md := m.Descriptor()
	if md.FullName().Parent() == "google.protobuf" {
		if ok, err := wellKnownFromValue(m, v, p, res); ok {
			return err
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return formats.TypeError(p, "object "+string(md.FullName()), v)
	}
	fields := md.Fields()
	for k, fv := range obj {
		fd := fields.ByName(protoreflect.Name(k))
		if fd == nil {
			fd = fields.ByJSONName(k)
		}
		if fd == nil {
			return fmt.Errorf("%s: unknown field %q in %s (fields: %s)", p, k, md.FullName(), fieldNames(md))
		}
		fp := p.Field(k)
		if fv == nil && !isNullValue(fd) {
			continue
		}
		if od := fd.ContainingOneof(); od != nil {
			if other := m.WhichOneof(od); other != nil && other != fd {
				return fmt.Errorf("%s: fields %s and %s are members of oneof %s: set only one", p, other.Name(), fd.Name(), od.Name())
			}
		}
		if err := setField(m, fd, fv, fp, res); err != nil {
			return err
		}
	}
	return nil
}

func isNullValue(fd protoreflect.FieldDescriptor) bool {
	if fd.IsList() || fd.IsMap() {
		return false
	}
	if md := fd.Message(); md != nil {
		return md.FullName() == "google.protobuf.Value"
	}
	if ed := fd.Enum(); ed != nil {
		return ed.FullName() == "google.protobuf.NullValue"
	}
	return false
}

func fieldNames(md protoreflect.MessageDescriptor) string {
	fields := md.Fields()
	names := make([]string, fields.Len())
	for i := range names {
		names[i] = string(fields.Get(i).Name())
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, v any, p *formats.Path, res typeResolver) error {
	switch {
	case fd.IsList():
		arr, ok := v.([]any)
		if !ok {
			return formats.TypeError(p, "array of "+kindName(fd), v)
		}
		l := m.Mutable(fd).List()
		for i, e := range arr {
			ep := p.Index(i)
			if e == nil && !isNullValue(fd) {
				return formats.TypeError(ep, kindName(fd), e)
			}
			if fd.Message() != nil {
				ev := l.NewElement()
				if err := fillMessage(ev.Message(), e, ep, res); err != nil {
					return err
				}
				l.Append(ev)
				continue
			}
			ev, err := scalarValue(fd, e, ep)
			if err != nil {
				return err
			}
			l.Append(ev)
		}
		return nil
	case fd.IsMap():
		obj, ok := v.(map[string]any)
		if !ok {
			return formats.TypeError(p, "object (map<"+kindName(fd.MapKey())+", "+kindName(fd.MapValue())+">)", v)
		}
		mp := m.Mutable(fd).Map()
		kd, vd := fd.MapKey(), fd.MapValue()
		for k, e := range obj {
			ep := p.Key(k)
			key, err := mapKey(kd, k, ep)
			if err != nil {
				return err
			}
			if e == nil && !isNullValue(vd) {
				return formats.TypeError(ep, kindName(vd), e)
			}
			if vd.Message() != nil {
				ev := mp.NewValue()
				if err := fillMessage(ev.Message(), e, ep, res); err != nil {
					return err
				}
				mp.Set(key, ev)
				continue
			}
			ev, err := scalarValue(vd, e, ep)
			if err != nil {
				return err
			}
			mp.Set(key, ev)
		}
		return nil
	case fd.Message() != nil:
		return fillMessage(m.Mutable(fd).Message(), v, p, res)
	}
	sv, err := scalarValue(fd, v, p)
	if err != nil {
		return err
	}
	m.Set(fd, sv)
	return nil
}

func mapKey(kd protoreflect.FieldDescriptor, k string, p *formats.Path) (protoreflect.MapKey, error) {
	switch kd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(k).MapKey(), nil
	case protoreflect.BoolKind:
		switch k {
		case "true":
			return protoreflect.ValueOfBool(true).MapKey(), nil
		case "false":
			return protoreflect.ValueOfBool(false).MapKey(), nil
		}
		return protoreflect.MapKey{}, fmt.Errorf("%s: want map key bool (\"true\" or \"false\"), got %q", p, k)
	}
	v, err := scalarValue(kd, k, p)
	if err != nil {
		return protoreflect.MapKey{}, fmt.Errorf("%s: want map key %s, got %q", p, kindName(kd), k)
	}
	return v.MapKey(), nil
}

// kindName is the expected type as errors show it: int32, string, enum shop.v1.OrderStatus...
func kindName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		return "enum " + string(fd.Enum().FullName())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "object " + string(fd.Message().FullName())
	}
	return fd.Kind().String()
}

func scalarValue(fd protoreflect.FieldDescriptor, v any, p *formats.Path) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := v.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
	case protoreflect.StringKind:
		if s, ok := v.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
	case protoreflect.BytesKind:
		switch x := v.(type) {
		case []byte:
			return protoreflect.ValueOfBytes(x), nil
		case string:
			if b, ok := formats.Base64(x); ok {
				return protoreflect.ValueOfBytes(b), nil
			}
			return protoreflect.Value{}, fmt.Errorf("%s: want bytes (base64 text), got %s", p, formats.Describe(v))
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if n, ok := formats.Int(v, 32); ok {
			return protoreflect.ValueOfInt32(int32(n)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if n, ok := formats.Int(v, 64); ok {
			return protoreflect.ValueOfInt64(n), nil
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if n, ok := formats.Uint(v, 32); ok {
			return protoreflect.ValueOfUint32(uint32(n)), nil
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if n, ok := formats.Uint(v, 64); ok {
			return protoreflect.ValueOfUint64(n), nil
		}
	case protoreflect.FloatKind:
		if f, ok := formats.Float(v, 32); ok {
			return protoreflect.ValueOfFloat32(float32(f)), nil
		}
	case protoreflect.DoubleKind:
		if f, ok := formats.Float(v, 64); ok {
			return protoreflect.ValueOfFloat64(f), nil
		}
	case protoreflect.EnumKind:
		ed := fd.Enum()
		if ed.FullName() == "google.protobuf.NullValue" && v == nil {
			return protoreflect.ValueOfEnum(0), nil
		}
		if s, ok := v.(string); ok {
			if ev := ed.Values().ByName(protoreflect.Name(s)); ev != nil {
				return protoreflect.ValueOfEnum(ev.Number()), nil
			}
			return protoreflect.Value{}, fmt.Errorf("%s: want enum %s (%s), got %s", p, ed.FullName(), enumNames(ed), formats.Describe(v))
		}
		if n, ok := formats.Int(v, 32); ok {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
		}
	}
	return protoreflect.Value{}, formats.TypeError(p, kindName(fd), v)
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	vals := ed.Values()
	names := make([]string, vals.Len())
	for i := range names {
		names[i] = string(vals.Get(i).Name())
	}
	return strings.Join(names, ", ")
}

// wellKnownFromValue fills the well-known types from their protojson form; ok is false for other
// google.protobuf messages.
func wellKnownFromValue(m protoreflect.Message, v any, p *formats.Path, res typeResolver) (ok bool, err error) {
	md := m.Descriptor()
	fields := md.Fields()
	switch md.Name() {
	case "Timestamp":
		s, isStr := v.(string)
		if !isStr {
			return true, formats.TypeError(p, "RFC 3339 timestamp text", v)
		}
		t, good := formats.ParseTimestamp(s)
		if !good || t.Unix() < minTimestampSeconds || t.Unix() > maxTimestampSeconds {
			return true, formats.TypeError(p, "RFC 3339 timestamp text (e.g. 2024-05-01T12:00:00Z)", v)
		}
		m.Set(fields.ByNumber(1), protoreflect.ValueOfInt64(t.Unix()))
		m.Set(fields.ByNumber(2), protoreflect.ValueOfInt32(int32(t.Nanosecond())))
		return true, nil
	case "Duration":
		s, isStr := v.(string)
		secs, nanos, good := parseDuration(s)
		if !isStr || !good {
			return true, formats.TypeError(p, `duration text (e.g. "1.5s")`, v)
		}
		m.Set(fields.ByNumber(1), protoreflect.ValueOfInt64(secs))
		m.Set(fields.ByNumber(2), protoreflect.ValueOfInt32(nanos))
		return true, nil
	case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
		"BoolValue", "StringValue", "BytesValue":
		fd := fields.ByNumber(1)
		sv, err := scalarValue(fd, v, p)
		if err != nil {
			return true, err
		}
		m.Set(fd, sv)
		return true, nil
	case "Any", "Struct", "Value", "ListValue", "FieldMask", "Empty":
		b, err := json.Marshal(v)
		if err != nil {
			return true, fmt.Errorf("%s: %w", p, err)
		}
		if err := (protojson.UnmarshalOptions{Resolver: res}).Unmarshal(b, m.Interface()); err != nil {
			return true, fmt.Errorf("%s: want %s in protojson form: %w", p, md.FullName(), err)
		}
		return true, nil
	}
	return false, nil
}

// parseDuration parses protojson's Duration text: optional "-", seconds, optional "." and up to
// nine fraction digits, then "s".
func parseDuration(s string) (int64, int32, bool) {
	rest, ok := strings.CutSuffix(s, "s")
	if !ok || rest == "" {
		return 0, 0, false
	}
	neg := strings.HasPrefix(rest, "-")
	rest = strings.TrimPrefix(rest, "-")
	intPart, frac, _ := strings.Cut(rest, ".")
	if intPart == "" || len(frac) > 9 || strings.ContainsAny(intPart, "+-") || strings.ContainsAny(frac, "+-") {
		return 0, 0, false
	}
	secs, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || secs > maxDurationSeconds {
		return 0, 0, false
	}
	var nanos int64
	if frac != "" {
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		nanos = n
	}
	if neg {
		secs, nanos = -secs, -nanos
	}
	return secs, int32(nanos), true
}
