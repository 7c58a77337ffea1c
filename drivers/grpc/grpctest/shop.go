package grpctest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/testenv"
)

//go:embed shop_stream.proto
var shopStreamProto string

// Method routes of the shop services.
const (
	GetOrder    = "/shop.v1.OrderService/GetOrder"
	PlaceOrder  = "/shop.v1.OrderService/PlaceOrder"
	WatchOrders = "/shop.v1.OrderService/WatchOrders"
	PlaceOrders = "/shop.v1test.OrderStreamService/PlaceOrders"
	TrackOrders = "/shop.v1test.OrderStreamService/TrackOrders"
)

// CompileShop compiles shopProto (the source of testdata/schemas/shop.proto) together with the
// streaming test service (shop_stream.proto, embedded in this package) with formats/protobuf.
func CompileShop(ctx context.Context, shopProto string) (*protoregistry.Files, error) {
	return protobuf.CompileSources(ctx, map[string]string{
		"shop.proto":        shopProto,
		"shop_stream.proto": shopStreamProto,
	}, []string{"shop.proto", "shop_stream.proto"})
}

// ShopFiles compiles the module's testdata/schemas/shop.proto with the streaming test service.
func ShopFiles(t testing.TB) *protoregistry.Files {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas", "shop.proto"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := CompileShop(context.Background(), string(src))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// StartShop starts a shop server (ShopFiles, Shop handlers) for the test.
func StartShop(t testing.TB, opts Options) *Server {
	t.Helper()
	files := ShopFiles(t)
	return Start(t, files, Shop(), opts)
}

// Shop returns the handlers of the shop services:
//
//	GetOrder     id "" InvalidArgument; "missing" NotFound "order missing not found"; "stall" answers
//	             only when the call ends; else order {id, customer_id "c-1", one item SKU-1 x2 at
//	             12.50 EUR, total 25.00 EUR, status PLACED}. Header x-order-id (and x-request-id
//	             echoed from the request metadata), trailer x-served-by: grpctest.
//	PlaceOrder   customer_id "" InvalidArgument; else the order "o-N" with the request's items,
//	             address and computed total.
//	WatchOrders  customer "stall" waits; else 3 orders "<customer>-1..3" PLACED, PAID, SHIPPED.
//	PlaceOrders  places every request, answers {count, order_ids, total}.
//	TrackOrders  answers each GetOrderRequest with GetOrder's order; "missing" ends with NotFound.
func Shop() map[string]Handler {
	var seq atomic.Int64
	return map[string]Handler{
		GetOrder: func(s *Stream) error {
			req, err := s.Recv()
			if err != nil {
				return err
			}
			id := str(req, "id")
			hdr := metadata.Pairs("x-order-id", id)
			if md, ok := metadata.FromIncomingContext(s.Context()); ok {
				if v := md.Get("x-request-id"); len(v) > 0 {
					hdr.Append("x-request-id", v...)
				}
			}
			if err := s.SetHeader(hdr); err != nil {
				return err
			}
			s.SetTrailer(metadata.Pairs("x-served-by", "grpctest"))
			order, err := lookup(s.Context(), s.Method.Output(), id)
			if err != nil {
				return err
			}
			return s.Send(order)
		},
		PlaceOrder: func(s *Stream) error {
			req, err := s.Recv()
			if err != nil {
				return err
			}
			order, err := place(req, s.Method.Output(), seq.Add(1))
			if err != nil {
				return err
			}
			return s.Send(order)
		},
		WatchOrders: func(s *Stream) error {
			req, err := s.Recv()
			if err != nil {
				return err
			}
			customer := str(req, "customer_id")
			if customer == "stall" {
				<-s.Context().Done()
				return status.FromContextError(s.Context().Err()).Err()
			}
			for i, st := range []int32{1, 2, 3} {
				o := newOrder(s.Method.Output(), customer+"-"+strconv.Itoa(i+1), customer)
				o.Set(field(o, "status"), protoreflect.ValueOfEnum(protoreflect.EnumNumber(st)))
				if err := s.Send(o); err != nil {
					return err
				}
			}
			return nil
		},
		PlaceOrders: func(s *Stream) error {
			out := dynamicpb.NewMessage(s.Method.Output())
			orderMD := s.Method.Input().ParentFile().Messages().ByName("Order") // shop.v1.Order, beside PlaceOrderRequest
			ids := out.Mutable(field(out, "order_ids")).List()
			var count int32
			var total int64
			for {
				req, err := s.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return err
				}
				o, err := place(req, orderMD, seq.Add(1))
				if err != nil {
					return err
				}
				count++
				ids.Append(o.Get(field(o, "id")))
				total += amount(o.Get(field(o, "total")).Message())
			}
			out.Set(field(out, "count"), protoreflect.ValueOfInt32(count))
			setMoney(out.Mutable(field(out, "total")).Message(), total)
			return s.Send(out)
		},
		TrackOrders: func(s *Stream) error {
			for {
				req, err := s.Recv()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				order, err := lookup(s.Context(), s.Method.Output(), str(req, "id"))
				if err != nil {
					return err
				}
				if err := s.Send(order); err != nil {
					return err
				}
			}
		},
	}
}

// lookup answers GetOrder for id.
func lookup(ctx context.Context, orderMD protoreflect.MessageDescriptor, id string) (*dynamicpb.Message, error) {
	switch id {
	case "":
		return nil, status.Error(codes.InvalidArgument, "id is required")
	case "missing":
		return nil, status.Error(codes.NotFound, "order missing not found")
	case "stall":
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	}
	return newOrder(orderMD, id, "c-1"), nil
}

// newOrder returns order id of customer: one item SKU-1 x2 at 1250 EUR cents, total 2500, PLACED.
func newOrder(md protoreflect.MessageDescriptor, id, customer string) *dynamicpb.Message {
	o := dynamicpb.NewMessage(md)
	o.Set(field(o, "id"), protoreflect.ValueOfString(id))
	o.Set(field(o, "customer_id"), protoreflect.ValueOfString(customer))
	items := o.Mutable(field(o, "items")).List()
	item := items.NewElement()
	im := item.Message()
	im.Set(im.Descriptor().Fields().ByName("sku"), protoreflect.ValueOfString("SKU-1"))
	im.Set(im.Descriptor().Fields().ByName("qty"), protoreflect.ValueOfInt32(2))
	setMoney(im.Mutable(im.Descriptor().Fields().ByName("unit_price")).Message(), 1250)
	items.Append(item)
	setMoney(o.Mutable(field(o, "total")).Message(), 2500)
	o.Set(field(o, "status"), protoreflect.ValueOfEnum(1))
	return o
}

// place turns a PlaceOrderRequest into the order "o-n".
func place(req *dynamicpb.Message, orderMD protoreflect.MessageDescriptor, n int64) (*dynamicpb.Message, error) {
	customer := str(req, "customer_id")
	if customer == "" {
		return nil, status.Error(codes.InvalidArgument, "customer_id is required")
	}
	o := dynamicpb.NewMessage(orderMD)
	o.Set(field(o, "id"), protoreflect.ValueOfString(fmt.Sprintf("o-%d", n)))
	o.Set(field(o, "customer_id"), protoreflect.ValueOfString(customer))
	var total int64
	reqItems := req.Get(field(req, "items")).List()
	items := o.Mutable(field(o, "items")).List()
	for i := 0; i < reqItems.Len(); i++ {
		it := reqItems.Get(i).Message()
		fields := it.Descriptor().Fields()
		total += int64(it.Get(fields.ByName("qty")).Int()) * amount(it.Get(fields.ByName("unit_price")).Message())
		items.Append(reqItems.Get(i))
	}
	if req.Has(field(req, "shipping_address")) {
		o.Set(field(o, "shipping_address"), req.Get(field(req, "shipping_address")))
	}
	setMoney(o.Mutable(field(o, "total")).Message(), total)
	o.Set(field(o, "status"), protoreflect.ValueOfEnum(1))
	return o, nil
}

func field(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	return m.Descriptor().Fields().ByName(protoreflect.Name(name))
}

func str(m protoreflect.Message, name string) string { return m.Get(field(m, name)).String() }

func amount(money protoreflect.Message) int64 { return money.Get(field(money, "amount_minor")).Int() }

func setMoney(money protoreflect.Message, cents int64) {
	money.Set(field(money, "currency"), protoreflect.ValueOfString("EUR"))
	money.Set(field(money, "amount_minor"), protoreflect.ValueOfInt64(cents))
}
