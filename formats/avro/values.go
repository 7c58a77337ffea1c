package avro

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hamba/avro/v2"

	"github.com/commbench/commbench/formats"
)

// MaxDepth bounds the nesting of values, encoded and decoded alike (recursive schemas on garbage
// input; a value nested deeper would encode but not decode back): 256 levels, one per record
// field, array item, map entry and non-nullable union branch, as formats.Path counts them.
const MaxDepth = 256

// maxDepth is MaxDepth for the decoder.
const maxDepth = MaxDepth

func schemaName(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// branchName is a union branch's name in the Avro JSON encoding: the full name of a named type,
// else the type name.
func branchName(s avro.Schema) string { return schemaName(s) }

func logicalOf(s avro.Schema) avro.LogicalSchema {
	if l, ok := s.(avro.LogicalTypeSchema); ok {
		return l.Logical()
	}
	return nil
}

// wantName is the expected type as errors show it: int, enum shop.v1.OrderStatus (A, B), ...
func wantName(s avro.Schema) string {
	s = deref(s)
	switch x := s.(type) {
	case *avro.EnumSchema:
		return "enum " + x.FullName() + " (" + strings.Join(x.Symbols(), ", ") + ")"
	case *avro.RecordSchema:
		return "record " + x.FullName()
	case *avro.FixedSchema:
		return fmt.Sprintf("fixed %s (%d bytes, base64)", x.FullName(), x.Size())
	case *avro.UnionSchema:
		names := make([]string, len(x.Types()))
		for i, t := range x.Types() {
			names[i] = branchName(t)
		}
		return "union [" + strings.Join(names, ", ") + `] (null or {"type": value})`
	case *avro.ArraySchema:
		return "array of " + wantName(x.Items())
	case *avro.MapSchema:
		return "object (map of " + wantName(x.Values()) + ")"
	}
	if l := logicalOf(s); l != nil {
		switch l.Type() {
		case avro.TimestampMillis, avro.TimestampMicros:
			return string(l.Type()) + " (RFC 3339 text)"
		case avro.LocalTimestampMillis, avro.LocalTimestampMicros:
			return string(l.Type()) + " (RFC 3339 text without zone)"
		case avro.Date:
			return "date (2006-01-02)"
		case avro.Decimal:
			return "decimal"
		case avro.UUID:
			return "uuid text"
		}
	}
	if s.Type() == avro.Bytes {
		return "bytes (base64 text)"
	}
	return string(s.Type())
}

// encodeValue writes v in the binary encoding of schema s.
func encodeValue(w *avro.Writer, s avro.Schema, v any, p *formats.Path) error {
	s = deref(s)
	switch s.Type() {
	case avro.Record, avro.Array, avro.Map, avro.Union:
		if p.Depth() > MaxDepth-1 && v != nil {
			return fmt.Errorf("%s: values nested deeper than %d levels (the decoder's limit)", p, MaxDepth)
		}
	}
	if l := logicalOf(s); l != nil {
		if ok, err := encodeLogical(w, s, l, v, p); ok {
			return err
		}
	}
	switch s.Type() {
	case avro.Null:
		if v != nil {
			return formats.TypeError(p, "null", v)
		}
		return nil
	case avro.Boolean:
		b, ok := v.(bool)
		if !ok {
			return formats.TypeError(p, "boolean", v)
		}
		w.WriteBool(b)
	case avro.Int:
		n, ok := formats.Int(v, 32)
		if !ok {
			return formats.TypeError(p, "int", v)
		}
		w.WriteInt(int32(n))
	case avro.Long:
		n, ok := formats.Int(v, 64)
		if !ok {
			return formats.TypeError(p, "long", v)
		}
		w.WriteLong(n)
	case avro.Float:
		f, ok := formats.Float(v, 32)
		if !ok {
			return formats.TypeError(p, "float", v)
		}
		w.WriteFloat(float32(f))
	case avro.Double:
		f, ok := formats.Float(v, 64)
		if !ok {
			return formats.TypeError(p, "double", v)
		}
		w.WriteDouble(f)
	case avro.String:
		str, ok := v.(string)
		if !ok {
			return formats.TypeError(p, "string", v)
		}
		w.WriteString(str)
	case avro.Bytes:
		b, ok := bytesOf(v)
		if !ok {
			return formats.TypeError(p, wantName(s), v)
		}
		w.WriteBytes(b)
	case avro.Fixed:
		fs := s.(*avro.FixedSchema)
		b, ok := bytesOf(v)
		if !ok || len(b) != fs.Size() {
			return formats.TypeError(p, wantName(s), v)
		}
		_, _ = w.Write(b)
	case avro.Enum:
		es := s.(*avro.EnumSchema)
		sym, ok := v.(string)
		idx := -1
		if ok {
			idx = slices.Index(es.Symbols(), sym)
		}
		if idx < 0 {
			return formats.TypeError(p, wantName(s), v)
		}
		w.WriteInt(int32(idx))
	case avro.Array:
		arr, ok := v.([]any)
		if !ok {
			return formats.TypeError(p, wantName(s), v)
		}
		items := s.(*avro.ArraySchema).Items()
		if len(arr) > 0 {
			w.WriteLong(int64(len(arr)))
			for i, e := range arr {
				if err := encodeValue(w, items, e, p.Index(i)); err != nil {
					return err
				}
			}
		}
		w.WriteLong(0)
	case avro.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return formats.TypeError(p, wantName(s), v)
		}
		values := s.(*avro.MapSchema).Values()
		if len(obj) > 0 {
			w.WriteLong(int64(len(obj)))
			// Sorted keys make the encoding deterministic (same value, same bytes).
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				w.WriteString(k)
				if err := encodeValue(w, values, obj[k], p.Key(k)); err != nil {
					return err
				}
			}
		}
		w.WriteLong(0)
	case avro.Record, avro.Error:
		return encodeRecord(w, s.(*avro.RecordSchema), v, p)
	case avro.Union:
		return encodeUnion(w, s.(*avro.UnionSchema), v, p)
	default:
		return fmt.Errorf("%s: unsupported Avro type %s", p, s.Type())
	}
	return nil
}

func bytesOf(v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return formats.Base64(x)
	case []byte:
		return x, true
	}
	return nil, false
}

func encodeRecord(w *avro.Writer, rs *avro.RecordSchema, v any, p *formats.Path) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return formats.TypeError(p, wantName(rs), v)
	}
	found := 0
	for _, f := range rs.Fields() {
		fv, present := obj[f.Name()]
		if present {
			found++
		} else {
			if !f.HasDefault() {
				return fmt.Errorf("%s: missing field %q of record %s (it has no default)", p.Field(f.Name()), f.Name(), rs.FullName())
			}
			fv = f.Default()
		}
		if err := encodeValue(w, f.Type(), fv, p.Field(f.Name())); err != nil {
			return err
		}
	}
	if found < len(obj) {
		names := make([]string, len(rs.Fields()))
		for i, f := range rs.Fields() {
			names[i] = f.Name()
		}
		for k := range obj {
			if !slices.Contains(names, k) {
				return fmt.Errorf("%s: unknown field %q in record %s (fields: %s)", p, k, rs.FullName(), strings.Join(names, ", "))
			}
		}
	}
	return nil
}

func encodeUnion(w *avro.Writer, us *avro.UnionSchema, v any, p *formats.Path) error {
	types := us.Types()
	if v == nil {
		for i, t := range types {
			if t.Type() == avro.Null {
				w.WriteInt(int32(i))
				return nil
			}
		}
		return formats.TypeError(p, wantName(us), v)
	}
	if us.Nullable() {
		_, typ := us.Indices()
		w.WriteInt(int32(typ))
		return encodeValue(w, types[typ], v, p)
	}
	if obj, ok := v.(map[string]any); ok && len(obj) == 1 {
		for name, inner := range obj {
			for i, t := range types {
				bn := branchName(t)
				if bn == name || strings.HasSuffix(bn, "."+name) {
					w.WriteInt(int32(i))
					return encodeValue(w, t, inner, p.Field(name))
				}
			}
		}
	}
	return formats.TypeError(p, wantName(us), v)
}

// encodeLogical writes the logical types whose value-model form differs from their underlying
// type's; ok is false for the others (time-millis, time-micros...), written as the underlying type.
func encodeLogical(w *avro.Writer, s avro.Schema, l avro.LogicalSchema, v any, p *formats.Path) (ok bool, err error) {
	str, isStr := v.(string)
	switch l.Type() {
	case avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros:
		if !isStr {
			return false, nil // a number: epoch units as the underlying long
		}
		var t time.Time
		var good bool
		if l.Type() == avro.LocalTimestampMillis || l.Type() == avro.LocalTimestampMicros {
			t, err = time.Parse("2006-01-02T15:04:05.999999999", str)
			good = err == nil
		} else {
			t, good = formats.ParseTimestamp(str)
		}
		if !good {
			return true, formats.TypeError(p, wantName(s), v)
		}
		if l.Type() == avro.TimestampMillis || l.Type() == avro.LocalTimestampMillis {
			w.WriteLong(t.UnixMilli())
		} else {
			w.WriteLong(t.UnixMicro())
		}
		return true, nil
	case avro.Date:
		if !isStr {
			return false, nil
		}
		t, err := time.Parse(time.DateOnly, str)
		if err != nil {
			return true, formats.TypeError(p, wantName(s), v)
		}
		w.WriteInt(int32(t.Unix() / 86400))
		return true, nil
	case avro.UUID:
		if !isStr {
			return true, formats.TypeError(p, wantName(s), v)
		}
		if _, err := uuid.Parse(str); err != nil {
			return true, formats.TypeError(p, wantName(s), v)
		}
		w.WriteString(str)
		return true, nil
	case avro.Decimal:
		dl := l.(*avro.DecimalLogicalSchema)
		unscaled, good := unscaledDecimal(v, dl.Scale())
		if !good {
			return true, formats.TypeError(p, fmt.Sprintf("decimal with at most %d fraction digits", dl.Scale()), v)
		}
		b := twosComplement(unscaled)
		if fs, isFixed := s.(*avro.FixedSchema); isFixed {
			if len(b) > fs.Size() {
				return true, formats.TypeError(p, fmt.Sprintf("decimal fitting %d bytes", fs.Size()), v)
			}
			pad := byte(0)
			if unscaled.Sign() < 0 {
				pad = 0xff
			}
			for range fs.Size() - len(b) {
				_, _ = w.Write([]byte{pad})
			}
			_, _ = w.Write(b)
			return true, nil
		}
		w.WriteBytes(b)
		return true, nil
	}
	return false, nil
}

// unscaledDecimal returns v * 10^scale as an integer; ok is false when v is not a number or has
// more fraction digits than scale.
func unscaledDecimal(v any, scale int) (*big.Int, bool) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = string(x)
	case string:
		text = x
	default:
		f, ok := formats.Float(v, 64)
		if !ok {
			return nil, false
		}
		text = strconv.FormatFloat(f, 'f', -1, 64)
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() {
		return nil, false
	}
	return r.Num(), true
}

// twosComplement is the big-endian two's-complement form of n (Avro decimal), minimal length.
func twosComplement(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// -n = 2^(8k) - |n| for the smallest k that keeps the sign bit set.
	k := (n.BitLen() + 8) / 8
	m := new(big.Int).Lsh(big.NewInt(1), uint(8*k))
	m.Add(m, n)
	b := m.Bytes()
	for len(b) < k {
		b = append([]byte{0xff}, b...)
	}
	return b
}

func fromTwosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

// formatDecimal writes unscaled / 10^scale with exactly scale fraction digits.
func formatDecimal(unscaled *big.Int, scale int) json.Number {
	neg := unscaled.Sign() < 0
	digits := new(big.Int).Abs(unscaled).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		digits = "-" + digits
	}
	return json.Number(digits)
}

// decodeValue reads one value of schema s; errors are left in r.Error.
func decodeValue(r *avro.Reader, s avro.Schema, depth int) any {
	if depth > maxDepth {
		r.ReportError("decode", "values nested deeper than 256 levels")
		return nil
	}
	s = deref(s)
	if l := logicalOf(s); l != nil {
		if v, ok := decodeLogical(r, s, l); ok {
			return v
		}
	}
	switch s.Type() {
	case avro.Null:
		return nil
	case avro.Boolean:
		return r.ReadBool()
	case avro.Int:
		return json.Number(strconv.FormatInt(int64(r.ReadInt()), 10))
	case avro.Long:
		return json.Number(strconv.FormatInt(r.ReadLong(), 10))
	case avro.Float:
		return formats.FloatNumber(float64(r.ReadFloat()), 32)
	case avro.Double:
		return formats.FloatNumber(r.ReadDouble(), 64)
	case avro.String:
		return r.ReadString()
	case avro.Bytes:
		return base64.StdEncoding.EncodeToString(r.ReadBytes())
	case avro.Fixed:
		b := make([]byte, s.(*avro.FixedSchema).Size())
		r.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	case avro.Enum:
		es := s.(*avro.EnumSchema)
		i := r.ReadInt()
		sym, ok := es.Symbol(int(i))
		if !ok {
			r.ReportError("decode enum "+es.FullName(), fmt.Sprintf("symbol index %d out of range", i))
			return nil
		}
		return sym
	case avro.Array:
		items := s.(*avro.ArraySchema).Items()
		out := []any{}
		for r.Error == nil {
			n, _ := r.ReadBlockHeader()
			if n == 0 || r.Error != nil {
				break
			}
			if !itemsFit(r, int64(len(out)), n) {
				break
			}
			for i := int64(0); i < n && r.Error == nil; i++ {
				out = append(out, decodeValue(r, items, depth+1))
			}
		}
		return out
	case avro.Map:
		values := s.(*avro.MapSchema).Values()
		out := map[string]any{}
		for r.Error == nil {
			n, _ := r.ReadBlockHeader()
			if n == 0 || r.Error != nil {
				break
			}
			if !itemsFit(r, int64(len(out)), n) {
				break
			}
			for i := int64(0); i < n && r.Error == nil; i++ {
				k := r.ReadString()
				out[k] = decodeValue(r, values, depth+1)
			}
		}
		return out
	case avro.Record, avro.Error:
		fields := s.(*avro.RecordSchema).Fields()
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			out[f.Name()] = decodeValue(r, f.Type(), depth+1)
			if r.Error != nil {
				return nil
			}
		}
		return out
	case avro.Union:
		types := s.(*avro.UnionSchema).Types()
		i := r.ReadLong()
		if i < 0 || i >= int64(len(types)) {
			r.ReportError("decode union", fmt.Sprintf("branch index %d out of range (%d branches)", i, len(types)))
			return nil
		}
		t := types[i]
		if t.Type() == avro.Null {
			return nil
		}
		if s.(*avro.UnionSchema).Nullable() {
			return decodeValue(r, t, depth) // "T or null": no level of its own, as encodeValue counts
		}
		return map[string]any{branchName(t): decodeValue(r, t, depth+1)}
	}
	r.ReportError("decode", "unsupported Avro type "+string(s.Type()))
	return nil
}

func decodeLogical(r *avro.Reader, s avro.Schema, l avro.LogicalSchema) (any, bool) {
	switch l.Type() {
	case avro.TimestampMillis:
		return formats.FormatTimestamp(time.UnixMilli(r.ReadLong())), true
	case avro.TimestampMicros:
		return formats.FormatTimestamp(time.UnixMicro(r.ReadLong())), true
	case avro.LocalTimestampMillis:
		return strings.TrimSuffix(formats.FormatTimestamp(time.UnixMilli(r.ReadLong())), "Z"), true
	case avro.LocalTimestampMicros:
		return strings.TrimSuffix(formats.FormatTimestamp(time.UnixMicro(r.ReadLong())), "Z"), true
	case avro.Date:
		return time.Unix(int64(r.ReadInt())*86400, 0).UTC().Format(time.DateOnly), true
	case avro.Decimal:
		scale := l.(*avro.DecimalLogicalSchema).Scale()
		var b []byte
		if fs, ok := s.(*avro.FixedSchema); ok {
			b = make([]byte, fs.Size())
			r.Read(b)
		} else {
			b = r.ReadBytes()
		}
		return formatDecimal(fromTwosComplement(b), scale), true
	}
	return nil, false
}

// trailing reports whether bytes are left in r after a datum.
func trailing(r *avro.Reader) bool {
	r.Peek()
	if r.Error != nil {
		r.Error = nil
		return false
	}
	return true
}

// MaxItems bounds the items of one decoded array or map. Items of a zero-size type (null, an
// empty record) take no bytes, so without a bound a few bytes of garbage could ask for billions.
const MaxItems = 1 << 20

// itemsFit reports whether n more items after have fit under MaxItems, else reports the error on r.
func itemsFit(r *avro.Reader, have, n int64) bool {
	if n < 0 || have+n > MaxItems {
		r.ReportError("decode array or map", fmt.Sprintf("%d items: more than %d", have+n, MaxItems))
		return false
	}
	return true
}
