package shop

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/formats/protobuf"
)

var update = flag.Bool("update", false, "rewrite testdata/pacts/shop/checkout-order-service.json")

// grpcPactPath is the committed gRPC consumer contract, relative to this package.
var grpcPactPath = filepath.Join("..", "..", "testdata", "pacts", "shop", "checkout-order-service.json")

// TestGRPCPactIsCurrent builds the checkout -> order-service pact for shop.v1.OrderService/GetOrder
// as Pact's protobuf plugin records it (a V4 Synchronous/Messages interaction with transport grpc,
// base64 protobuf contents, and shop.proto's FileDescriptorSet base64 in the plugin configuration)
// and compares it with the committed file; -update rewrites it. pact-go's DSL needs the plugin
// binary for gRPC, so this pact is built here, from shop.proto.
func TestGRPCPactIsCurrent(t *testing.T) {
	got := shopGRPCPact(t, grpctest.ShopFiles(t))
	if *update {
		raw, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(grpcPactPath, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(grpcPactPath)
	if err != nil {
		t.Fatalf("%v (write it: go test ./demo/shop -run TestGRPCPactIsCurrent -update)", err)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	// Compare as JSON values.
	gotRaw, _ := json.Marshal(got)
	var gotV any
	_ = json.Unmarshal(gotRaw, &gotV)
	if !reflect.DeepEqual(gotV, want) {
		t.Fatalf("%s is stale: regenerate it with go test ./demo/shop -run TestGRPCPactIsCurrent -update", grpcPactPath)
	}
}

// shopGRPCPact returns the pact: GetOrder("o-1") answers an order whose id, customer_id
// (^c-[0-9]+$) and status (PLACED or PAID) match. The descriptors are testdata/schemas/shop.protoset
// (shop.proto with its imports, kept current by formats/protobuf's TestShopProtoset).
func shopGRPCPact(t *testing.T, files *protoregistry.Files) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "schemas", "shop.protoset"))
	if err != nil {
		t.Fatal(err)
	}
	encode := func(message string, v map[string]any) string {
		md, err := protobuf.FindMessage(files, message)
		if err != nil {
			t.Fatal(err)
		}
		m, err := protobuf.FromValue(md, v)
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	type obj = map[string]any
	rule := func(m obj) obj { return obj{"combine": "AND", "matchers": []any{m}} }
	return obj{
		"consumer": obj{"name": "checkout"},
		"provider": obj{"name": "order-service"},
		"interactions": []any{obj{
			"type": "Synchronous/Messages", "description": "get order o-1", "transport": "grpc",
			"key":                 "shop-get-order-o-1",
			"pluginConfiguration": obj{"protobuf": obj{"descriptorKey": "shop", "service": "OrderService/GetOrder"}},
			"request": obj{"contents": obj{
				"content": encode("shop.v1.GetOrderRequest", obj{"id": "o-1"}), "contentType": "application/protobuf;message=.shop.v1.GetOrderRequest", "encoded": "base64",
			}},
			"response": []any{obj{
				"contents": obj{
					"content":     encode("shop.v1.Order", obj{"id": "o-1", "customer_id": "c-1", "status": "ORDER_STATUS_PLACED"}),
					"contentType": "application/protobuf;message=.shop.v1.Order", "encoded": "base64",
				},
				"matchingRules": obj{"body": obj{
					"$.id":          rule(obj{"match": "type"}),
					"$.customer_id": rule(obj{"match": "regex", "regex": "^c-[0-9]+$"}),
					"$.status":      rule(obj{"match": "regex", "regex": "^ORDER_STATUS_(PLACED|PAID)$"}),
				}},
			}},
		}},
		"metadata": obj{
			"pactSpecification": obj{"version": "4.0"},
			"plugins": []any{obj{"name": "protobuf", "version": "0.3.0", "configuration": obj{
				"shop": obj{"protoDescriptors": base64.StdEncoding.EncodeToString(raw)},
			}}},
		},
	}
}
