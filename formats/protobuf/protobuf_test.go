package protobuf

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/formatstest"
	"github.com/commbench/commbench/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/schemas/shop.protoset from shop.proto")

func schemasDir(t testing.TB) string {
	return filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas")
}

func compileShop(t testing.TB) *protoregistry.Files {
	t.Helper()
	files, err := Compile(context.Background(), []string{filepath.Join(schemasDir(t), "shop.proto")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func compileTypes(t testing.TB) *protoregistry.Files {
	t.Helper()
	files, err := Compile(context.Background(), []string{"testdata/types.proto"}, []string{"testdata"})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readJSON decodes a JSON document into the value model (json.Number for numbers).
func readJSON(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFindMessage(t *testing.T) {
	files := compileShop(t)
	tests := []struct {
		name, in, want, errPart string
	}{
		{"full name", "shop.v1.Order", "shop.v1.Order", ""},
		{"leading dot as in pact content types", ".shop.v1.OrderItem", "shop.v1.OrderItem", ""},
		{"unique short name", "OrderPlaced", "shop.v1.OrderPlaced", ""},
		{"unknown lists available", "shop.v1.Nope", "", "available: shop.v1.Address, shop.v1.GetOrderRequest, shop.v1.Money, shop.v1.Order,"},
		{"enum is not a message", "shop.v1.OrderStatus", "", "is a enum, not a message"},
		{"service is not a message", "shop.v1.OrderService", "", "is a service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := FindMessage(files, tt.in)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(md.FullName()) != tt.want {
				t.Fatalf("got %s, want %s", md.FullName(), tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file, src string
		want            []string
	}{
		{"syntax error has file:line:col", "bad.proto", "syntax = \"proto3\";\npackage x;\nmessage A {\n  string s = ;\n}\n", []string{"bad.proto:4:14"}},
		{"unknown type has position", "link.proto", "syntax = \"proto3\";\npackage x;\nmessage A {\n  Missing m = 1;\n}\n", []string{"link.proto:4:3", "Missing"}},
		{"missing import", "imp.proto", "syntax = \"proto3\";\nimport \"nothere.proto\";\n", []string{"nothere.proto"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(context.Background(), []string{write(tt.file, tt.src)}, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := Compile(context.Background(), []string{filepath.Join(dir, "absent.proto")}, nil); err == nil || !strings.Contains(err.Error(), "absent.proto") {
		t.Fatalf("absent file: %v", err)
	}
}

func TestCompileWithImportPath(t *testing.T) {
	// The file given inside an import path compiles under its relative name, so its imports and
	// the registry paths are the ones protoc would use.
	files, err := Compile(context.Background(), []string{filepath.Join(schemasDir(t), "shop.proto")}, []string{schemasDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := files.FindFileByPath("shop.proto"); err != nil {
		t.Fatal(err)
	}
	if _, err := files.FindFileByPath("google/protobuf/timestamp.proto"); err != nil {
		t.Fatalf("well-known import not registered: %v", err)
	}
}

func shopProtoset(t testing.TB, files *protoregistry.Files) []byte {
	t.Helper()
	var set descriptorpb.FileDescriptorSet
	var add func(fd protoreflect.FileDescriptor)
	seen := map[string]bool{}
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := 0; i < fd.Imports().Len(); i++ {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	fd, err := files.FindFileByPath("shop.proto")
	if err != nil {
		t.Fatal(err)
	}
	add(fd)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestShopProtoset checks testdata/schemas/shop.protoset (protoc --include_imports -o) is the
// compiled shop.proto; run with -update after changing shop.proto.
func TestShopProtoset(t *testing.T) {
	want := shopProtoset(t, compileShop(t))
	p := filepath.Join(schemasDir(t), "shop.protoset")
	if *update {
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := LoadDescriptorSetFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := shopProtoset(t, files); !bytes.Equal(got, want) {
		t.Fatal("shop.protoset is stale: go test ./formats/protobuf -run TestShopProtoset -update")
	}
}

func TestLoadDescriptorSetWithoutImports(t *testing.T) {
	// A set written without --include_imports: timestamp.proto comes from the linked-in WKTs.
	files := compileShop(t)
	fd, _ := files.FindFileByPath("shop.proto")
	set := &descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{protodesc.ToFileDescriptorProto(fd)}}
	b, _ := proto.Marshal(set)
	got, err := LoadDescriptorSet(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FindMessage(got, "shop.v1.Order"); err != nil {
		t.Fatal(err)
	}

	// An import neither in the set nor well known is named.
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.Dependency = append(fdp.Dependency, "vendor/missing.proto")
	b, _ = proto.Marshal(&descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{fdp}})
	if _, err := LoadDescriptorSet(b); err == nil || !strings.Contains(err.Error(), "vendor/missing.proto") {
		t.Fatalf("err = %v", err)
	}
	if _, err := LoadDescriptorSet([]byte{0xff, 0xff, 0xff}); err == nil {
		t.Fatal("garbage accepted as a FileDescriptorSet")
	}
}

func TestRoundTripShopSamples(t *testing.T) {
	files := compileShop(t)
	tests := []struct{ sample, message string }{
		{"order.json", "shop.v1.Order"},
		{"order-large-amount.json", "shop.v1.Order"},
		{"order-placed.json", "shop.v1.OrderPlaced"},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "testdata", "samples", tt.sample))
			if err != nil {
				t.Fatal(err)
			}
			in := readJSON(t, raw)
			md, err := FindMessage(files, tt.message)
			if err != nil {
				t.Fatal(err)
			}
			c := NewCodec(md, files)
			formatstest.RoundTrip(t, c, in)
		})
	}
}

func TestLargeIntegersStayExact(t *testing.T) {
	files := compileShop(t)
	md, _ := FindMessage(files, "shop.v1.Money")
	for _, in := range []any{json.Number("9007199254740993"), "9007199254740993", int64(9007199254740993)} {
		m, err := FromValue(md, map[string]any{"currency": "EUR", "amountMinor": in})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Get(md.Fields().ByName("amount_minor")).Int(); got != 9007199254740993 {
			t.Fatalf("%T %v -> %d", in, in, got)
		}
		v, _ := ToValue(m)
		if got := v.(map[string]any)["amount_minor"]; got != json.Number("9007199254740993") {
			t.Fatalf("ToValue amount_minor = %#v", got)
		}
	}
}

func TestAllTypesRoundTrip(t *testing.T) {
	files := compileTypes(t)
	md, err := FindMessage(files, "typestest.v1.AllTypes")
	if err != nil {
		t.Fatal(err)
	}
	in := readJSON(t, []byte(`{
	  "flag": true, "i32": -5, "s32": -6, "sf32": 7, "i64": -9223372036854775808, "s64": 9223372036854775807,
	  "sf64": 12, "u32": 4294967295, "f32": 3, "u64": 18446744073709551615, "f64": 1,
	  "fl": 1.5, "db": 1e+100, "text": "héllo", "data": "AAEC/w==", "color": "COLOR_GREEN",
	  "inner": {"label": "a", "numbers": [1, 2, 3]},
	  "inners": [{"label": "b", "numbers": []}],
	  "tags": ["x", "y"],
	  "by_name": {"k": {"label": "c", "numbers": [4]}},
	  "by_id": {"-3": "minus three", "10": "ten"},
	  "by_flag": {"true": 1, "false": -1},
	  "maybe": null,
	  "choice_text": null,
	  "choice_inner": {"label": "d", "numbers": []},
	  "at": "2024-05-01T12:30:45.123456789Z",
	  "took": "-1.500s",
	  "attrs": {"a": 1, "b": [true, null, "s"], "c": {"d": 2.5}},
	  "anything": null,
	  "big": "9007199254740993",
	  "note": "n",
	  "ok": false,
	  "mask": "a.b,c",
	  "packed": {"@type": "type.googleapis.com/typestest.v1.Inner", "label": "packed", "numbers": [9]},
	  "list": [1, "two", {"three": 3}],
	  "colors": ["COLOR_RED", 2]
	}`))
	c := NewCodec(md, files)
	b, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	// What comes back differently from the input: enums given by number come back as names, and
	// the int64 wrapper given as text (protojson style) comes back as an exact json.Number.
	want := in.(map[string]any)
	want["colors"] = []any{"COLOR_RED", "COLOR_GREEN"}
	want["big"] = json.Number("9007199254740993")
	if !reflect.DeepEqual(out, want) {
		got, _ := json.Marshal(out)
		exp, _ := json.Marshal(want)
		t.Fatalf("round trip differs:\n got: %s\nwant: %s", got, exp)
	}
}

func TestEmptyMessageHasEveryField(t *testing.T) {
	files := compileTypes(t)
	md, _ := FindMessage(files, "typestest.v1.AllTypes")
	v, err := ToValue(dynamicpb.NewMessage(md))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if len(m) != md.Fields().Len() {
		t.Fatalf("%d keys, want %d", len(m), md.Fields().Len())
	}
	checks := map[string]any{
		"flag": false, "i64": json.Number("0"), "text": "", "data": "", "color": "COLOR_UNSPECIFIED",
		"inner": nil, "maybe": nil, "choice_text": nil, "at": nil, "fl": json.Number("0"),
	}
	for k, want := range checks {
		if !reflect.DeepEqual(m[k], want) {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	if l, ok := m["tags"].([]any); !ok || len(l) != 0 {
		t.Errorf("tags = %#v, want empty array", m["tags"])
	}
	if mp, ok := m["by_id"].(map[string]any); !ok || len(mp) != 0 {
		t.Errorf("by_id = %#v, want empty object", m["by_id"])
	}
}

func TestFromValueErrors(t *testing.T) {
	shop := compileShop(t)
	order, _ := FindMessage(shop, "shop.v1.Order")
	types := compileTypes(t)
	all, _ := FindMessage(types, "typestest.v1.AllTypes")
	item := func(qty any) map[string]any { return map[string]any{"sku": "s", "qty": qty} }
	tests := []struct {
		name string
		md   protoreflect.MessageDescriptor
		in   any
		want string
	}{
		{"string for int32 in list", order, map[string]any{"items": []any{item(1), item(2), item("x")}}, `items[2].qty: want int32, got string "x"`},
		{"fraction for int32", order, map[string]any{"items": []any{item(json.Number("1.5"))}}, `items[0].qty: want int32, got number 1.5`},
		{"int32 overflow", order, map[string]any{"items": []any{item(json.Number("2147483648"))}}, `items[0].qty: want int32, got number 2147483648`},
		{"unknown field", order, map[string]any{"idd": "x"}, `unknown field "idd" in shop.v1.Order (fields: card_token, created_at,`},
		{"unknown enum name", order, map[string]any{"status": "SHIPPED"}, `status: want enum shop.v1.OrderStatus (ORDER_STATUS_UNSPECIFIED, ORDER_STATUS_PLACED`},
		{"object expected", order, map[string]any{"total": "12 EUR"}, `total: want object shop.v1.Money, got string "12 EUR"`},
		{"array expected", order, map[string]any{"items": map[string]any{}}, `items: want array of object shop.v1.OrderItem, got object`},
		{"root not an object", order, []any{}, `$: want object shop.v1.Order, got array`},
		{"bad timestamp", order, map[string]any{"created_at": "yesterday"}, `created_at: want RFC 3339 timestamp text`},
		{"map value type", order, map[string]any{"labels": map[string]any{"k": json.Number("1")}}, `labels["k"]: want string, got number 1`},
		{"two oneof members", order, map[string]any{"card_token": "a", "invoice_ref": "b"}, `are members of oneof payment`},
		{"bad base64", all, map[string]any{"data": "***"}, `data: want bytes (base64 text), got string "***"`},
		{"negative uint", all, map[string]any{"u64": json.Number("-1")}, `u64: want uint64, got number -1`},
		{"bad map key", all, map[string]any{"by_id": map[string]any{"x": "y"}}, `by_id["x"]: want map key int32, got "x"`},
		{"bad duration", all, map[string]any{"took": "5 minutes"}, `took: want duration text`},
		{"null in list", all, map[string]any{"tags": []any{"a", nil}}, `tags[1]: want string, got null`},
		{"bool as string", all, map[string]any{"flag": "true"}, `flag: want bool, got string "true"`},
		{"struct wants object", all, map[string]any{"attrs": json.Number("3")}, `attrs: want google.protobuf.Struct in protojson form`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromValue(tt.md, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodeGarbage(t *testing.T) {
	files := compileShop(t)
	md, _ := FindMessage(files, "shop.v1.Order")
	c := NewCodec(md, files)
	good, err := c.Encode(map[string]any{"id": "o-1", "items": []any{map[string]any{"sku": "s", "qty": 1}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"truncated":     good[:len(good)-3],
		"bad tag":       {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"bad wire type": {0x0f},
		"len too long":  {0x0a, 0x7f, 'a'},
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := c.Decode(b); err == nil {
				t.Fatalf("% x decoded without error", b)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	c, err := formats.New("protobuf", formats.Options{Schema: filepath.Join(schemasDir(t), "shop.protoset"), Message: "shop.v1.Money"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "protobuf" || c.ContentType() != "application/protobuf" {
		t.Fatalf("%s %s", c.Name(), c.ContentType())
	}
	if _, err := formats.New("protobuf", formats.Options{Schema: filepath.Join(schemasDir(t), "shop.proto")}); err == nil || !strings.Contains(err.Error(), "shop.v1.Order") {
		t.Fatalf("missing message name: %v", err)
	}
}

// pactPlugin is the part of a Pact V4 file written by the protobuf plugin that the test reads.
type pactPlugin struct {
	Interactions []struct {
		PluginConfiguration struct {
			Protobuf struct {
				DescriptorKey string `json:"descriptorKey"`
			} `json:"protobuf"`
		} `json:"pluginConfiguration"`
		Request  pactPart   `json:"request"`
		Response []pactPart `json:"response"`
	} `json:"interactions"`
	Metadata struct {
		Plugins []struct {
			Name          string `json:"name"`
			Configuration map[string]struct {
				ProtoDescriptors string `json:"protoDescriptors"`
			} `json:"configuration"`
		} `json:"plugins"`
	} `json:"metadata"`
}

type pactPart struct {
	Contents struct {
		Content     string `json:"content"`
		ContentType string `json:"contentType"`
	} `json:"contents"`
	MatchingRules struct {
		Body map[string]struct {
			Matchers []struct {
				Match string `json:"match"`
			} `json:"matchers"`
		} `json:"body"`
	} `json:"matchingRules"`
}

// TestRealPactGRPCResponseMetadata decodes the protobuf bodies of a pact recorded by the Pact
// protobuf plugin with the FileDescriptorSet embedded in it, and checks each body has a value
// at every matching-rule path, of the type the rule expects.
func TestRealPactGRPCResponseMetadata(t *testing.T) {
	raw, err := os.ReadFile(testenv.SharedFile(t, "real-pacts", "grpc-response-metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pact pactPlugin
	if err := json.Unmarshal(raw, &pact); err != nil {
		t.Fatal(err)
	}
	in := pact.Interactions[0]
	key := in.PluginConfiguration.Protobuf.DescriptorKey
	var descB64 string
	for _, p := range pact.Metadata.Plugins {
		if p.Name == "protobuf" && p.Configuration[key].ProtoDescriptors != "" {
			descB64 = p.Configuration[key].ProtoDescriptors
			break
		}
	}
	desc, err := base64.StdEncoding.DecodeString(descB64)
	if err != nil {
		t.Fatal(err)
	}
	files, err := LoadDescriptorSet(desc)
	if err != nil {
		t.Fatal(err)
	}
	parts := []struct {
		name string
		part pactPart
		want map[string]any
	}{
		{"request", in.Request, map[string]any{"s": ""}},
		{"response", in.Response[0], map[string]any{"b": true}},
	}
	for _, tt := range parts {
		t.Run(tt.name, func(t *testing.T) {
			_, msg, ok := strings.Cut(tt.part.Contents.ContentType, "message=")
			if !ok {
				t.Fatalf("content type %q names no message", tt.part.Contents.ContentType)
			}
			md, err := FindMessage(files, msg)
			if err != nil {
				t.Fatal(err)
			}
			body, err := base64.StdEncoding.DecodeString(tt.part.Contents.Content)
			if err != nil {
				t.Fatal(err)
			}
			v, err := NewCodec(md, files).Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, tt.want) {
				t.Fatalf("decoded %#v, want %#v", v, tt.want)
			}
			obj := v.(map[string]any)
			if len(tt.part.MatchingRules.Body) == 0 {
				t.Fatal("pact has no body matching rules to check")
			}
			for p, rule := range tt.part.MatchingRules.Body {
				field := strings.TrimPrefix(p, "$.")
				got, present := obj[field]
				if !present {
					t.Fatalf("rule path %s: no such key in %v", p, obj)
				}
				for _, m := range rule.Matchers {
					switch m.Match {
					case "type":
						if _, isStr := got.(string); !isStr {
							t.Errorf("%s: type matcher on a string example, got %T", p, got)
						}
					case "boolean":
						if _, isBool := got.(bool); !isBool {
							t.Errorf("%s: boolean matcher, got %T", p, got)
						}
					default:
						t.Errorf("%s: matcher %q not checked by this test", p, m.Match)
					}
				}
			}
		})
	}
}
