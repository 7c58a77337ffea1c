package grpc_test

import (
	"context"
	"fmt"

	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/formats/protobuf"
)

// Finding the method a Pact protobuf-plugin interaction names ("Service/Method", no package).
func ExampleFindMethod() {
	files, err := protobuf.CompileSources(context.Background(), map[string]string{"shop.proto": `syntax = "proto3";
package shop.v1;
message GetOrderRequest { string id = 1; }
message Order { string id = 1; }
service OrderService { rpc GetOrder(GetOrderRequest) returns (Order); }`}, []string{"shop.proto"})
	if err != nil {
		fmt.Println(err)
		return
	}
	md, err := cgrpc.FindMethod(files, "OrderService/GetOrder")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cgrpc.MethodPath(md), md.Input().FullName(), "->", md.Output().FullName())
	// Output: /shop.v1.OrderService/GetOrder shop.v1.GetOrderRequest -> shop.v1.Order
}
