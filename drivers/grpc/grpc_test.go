package grpc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/testenv"
)

// encode builds a message of type name from JSON-model values and marshals it.
func encode(t testing.TB, files *protoregistry.Files, name string, v map[string]any) []byte {
	t.Helper()
	md, err := protobuf.FindMessage(files, name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := protobuf.FromValue(md, v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode unmarshals b as message name and returns its JSON-model value.
func decode(t testing.TB, files *protoregistry.Files, name string, b []byte) map[string]any {
	t.Helper()
	md, err := protobuf.FindMessage(files, name)
	if err != nil {
		t.Fatal(err)
	}
	m := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	v, err := protobuf.ToValue(m)
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

func open(t testing.TB, tg drivers.Target) *cgrpc.Conn {
	t.Helper()
	c, err := cgrpc.New().Open(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*cgrpc.Conn)
}

func TestConformance(t *testing.T) {
	files := grpctest.ShopFiles(t)
	getOrder := encode(t, files, "shop.v1.GetOrderRequest", map[string]any{"id": "42"})
	stall := encode(t, files, "shop.v1.GetOrderRequest", map[string]any{"id": "stall"})
	drivertest.Run(t, drivertest.Harness{
		Driver: cgrpc.New(),
		Target: func(t *testing.T) drivers.Target {
			return drivers.Target{Address: grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{}).Addr}
		},
		RoundTrip: func(ctx context.Context, c drivers.Conn) error {
			resp, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: grpctest.GetOrder, Body: getOrder})
			if err != nil {
				return err
			}
			if resp.Status != 0 {
				return fmt.Errorf("status %d %s", resp.Status, resp.StatusMessage)
			}
			m := dynamicpb.NewMessage(mustMessage(files, "shop.v1.Order"))
			if err := proto.Unmarshal(resp.Body, m); err != nil {
				return err
			}
			if id := m.Get(m.Descriptor().Fields().ByName("id")).String(); id != "42" {
				return fmt.Errorf("order id %q, want 42", id)
			}
			return nil
		},
		Stall: func(ctx context.Context, c drivers.Conn) error {
			resp, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: grpctest.GetOrder, Body: stall})
			if err == nil {
				return fmt.Errorf("stalled call answered with status %d", resp.Status)
			}
			return err
		},
		Address: func(hp string) string { return hp },
		TLSTarget: func(t *testing.T, certs *drivertest.Certs) drivers.Target {
			srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{TLS: certs.ServerConfig(true)})
			return drivers.Target{Address: srv.Addr, TLS: drivers.TLS{
				Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile,
			}}
		},
		MutualTLS: true,
	})
}

func mustMessage(files *protoregistry.Files, name string) protoreflect.MessageDescriptor {
	md, err := protobuf.FindMessage(files, name)
	if err != nil {
		panic(err)
	}
	return md
}

func TestUnary(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	c := open(t, drivers.Target{
		Address:   srv.Addr,
		Headers:   map[string]string{"X-Request-Id": "${RID}"},
		LookupEnv: func(n string) (string, bool) { return "rid-" + n, true },
	})
	tests := []struct {
		name        string
		route       string
		headers     map[string][]string
		in          string
		req         map[string]any
		wantStatus  int
		wantMessage string
		out         string
		check       func(t *testing.T, resp *drivers.Message, body map[string]any)
	}{
		{
			name: "get order with metadata", route: grpctest.GetOrder, in: "shop.v1.GetOrderRequest", req: map[string]any{"id": "7"},
			out: "shop.v1.Order",
			check: func(t *testing.T, resp *drivers.Message, body map[string]any) {
				if body["id"] != "7" || body["status"] != "ORDER_STATUS_PLACED" {
					t.Errorf("body = %v", body)
				}
				if got := resp.Header("x-order-id"); got != "7" {
					t.Errorf("header x-order-id = %q", got)
				}
				if got := resp.Header("x-request-id"); got != "rid-RID" {
					t.Errorf("header x-request-id = %q, want the expanded target header echoed", got)
				}
				if got := resp.Trailers["x-served-by"]; len(got) != 1 || got[0] != "grpctest" {
					t.Errorf("trailer x-served-by = %q", got)
				}
				if resp.ContentType != "application/grpc+proto" {
					t.Errorf("content type = %q", resp.ContentType)
				}
			},
		},
		{
			name: "message metadata overrides target metadata", route: grpctest.GetOrder, in: "shop.v1.GetOrderRequest", req: map[string]any{"id": "8"},
			headers: map[string][]string{"x-request-id": {"mine"}}, out: "shop.v1.Order",
			check: func(t *testing.T, resp *drivers.Message, _ map[string]any) {
				if got := resp.Headers["x-request-id"]; len(got) != 1 || got[0] != "mine" {
					t.Errorf("x-request-id = %q, want [mine]", got)
				}
			},
		},
		{name: "not found", route: grpctest.GetOrder, in: "shop.v1.GetOrderRequest", req: map[string]any{"id": "missing"}, wantStatus: 5, wantMessage: "order missing not found"},
		{name: "invalid argument", route: "shop.v1.OrderService/GetOrder", in: "shop.v1.GetOrderRequest", req: map[string]any{}, wantStatus: 3, wantMessage: "id is required"},
		{
			name: "place order", route: grpctest.PlaceOrder, in: "shop.v1.PlaceOrderRequest", out: "shop.v1.Order",
			req: map[string]any{"customer_id": "c-9", "items": []any{
				map[string]any{"sku": "A", "qty": 3, "unit_price": map[string]any{"currency": "EUR", "amount_minor": 100}},
				map[string]any{"sku": "B", "qty": 1, "unit_price": map[string]any{"currency": "EUR", "amount_minor": 50}},
			}},
			check: func(t *testing.T, _ *drivers.Message, body map[string]any) {
				total := body["total"].(map[string]any)
				if fmt.Sprint(total["amount_minor"]) != "350" || body["customer_id"] != "c-9" {
					t.Errorf("order = %v", body)
				}
			},
		},
		{name: "unknown method", route: "/shop.v1.OrderService/Nope", in: "shop.v1.GetOrderRequest", req: map[string]any{}, wantStatus: 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Request(context.Background(), &drivers.Message{Route: tc.route, Headers: tc.headers, Body: encode(t, files, tc.in, tc.req)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.wantStatus || (tc.wantMessage != "" && resp.StatusMessage != tc.wantMessage) {
				t.Fatalf("status = %d %q, want %d %q", resp.Status, resp.StatusMessage, tc.wantStatus, tc.wantMessage)
			}
			var body map[string]any
			if tc.out != "" {
				body = decode(t, files, tc.out, resp.Body)
			}
			if tc.check != nil {
				tc.check(t, resp, body)
			}
		})
	}
}

func TestStreaming(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	c := open(t, drivers.Target{Address: srv.Addr})
	place := func(customer string, cents int) []byte {
		return encode(t, files, "shop.v1.PlaceOrderRequest", map[string]any{"customer_id": customer, "items": []any{
			map[string]any{"sku": "A", "qty": 1, "unit_price": map[string]any{"currency": "EUR", "amount_minor": cents}}}})
	}
	get := func(id string) []byte { return encode(t, files, "shop.v1.GetOrderRequest", map[string]any{"id": id}) }

	t.Run("server streaming", func(t *testing.T) {
		var ids []string
		resp, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.WatchOrders,
			Body: encode(t, files, "shop.v1.WatchOrdersRequest", map[string]any{"customer_id": "c-5"})}, nil,
			func(b []byte) error {
				ids = append(ids, decode(t, files, "shop.v1.Order", b)["id"].(string))
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 0 || !slices.Equal(ids, []string{"c-5-1", "c-5-2", "c-5-3"}) {
			t.Fatalf("status %d, ids %v", resp.Status, ids)
		}
		if decode(t, files, "shop.v1.Order", resp.Body)["status"] != "ORDER_STATUS_SHIPPED" {
			t.Fatal("result Body is not the last response")
		}
	})
	t.Run("client streaming", func(t *testing.T) {
		resp, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.PlaceOrders},
			slices.Values([][]byte{place("a", 100), place("b", 20), place("c", 3)}), nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := decode(t, files, "shop.v1test.PlaceOrdersSummary", resp.Body)
		if resp.Status != 0 || fmt.Sprint(sum["count"]) != "3" || fmt.Sprint(sum["total"].(map[string]any)["amount_minor"]) != "123" {
			t.Fatalf("status %d, summary %v", resp.Status, sum)
		}
	})
	t.Run("client streaming error status", func(t *testing.T) {
		resp, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.PlaceOrders},
			slices.Values([][]byte{place("a", 1), place("", 1)}), nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 3 || resp.StatusMessage != "customer_id is required" {
			t.Fatalf("status = %d %q", resp.Status, resp.StatusMessage)
		}
	})
	t.Run("bidirectional ping-pong", func(t *testing.T) {
		// Each request is sent only after the previous response arrived: send and receive must
		// run concurrently.
		got := make(chan string, 1)
		var order []string
		send := func(yield func([]byte) bool) {
			for _, id := range []string{"x", "y", "z"} {
				if !yield(get(id)) {
					return
				}
				select {
				case g := <-got:
					order = append(order, g)
				case <-time.After(5 * time.Second):
					return
				}
			}
		}
		resp, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.TrackOrders}, send, func(b []byte) error {
			got <- decode(t, files, "shop.v1.Order", b)["id"].(string)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 0 || !slices.Equal(order, []string{"x", "y", "z"}) {
			t.Fatalf("status %d, order %v", resp.Status, order)
		}
	})
	t.Run("bidirectional error ends the stream", func(t *testing.T) {
		n := 0
		resp, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.TrackOrders},
			slices.Values([][]byte{get("a"), get("missing"), get("b")}), func([]byte) error { n++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 5 || n != 1 {
			t.Fatalf("status %d after %d responses, want 5 after 1", resp.Status, n)
		}
	})
	t.Run("recv error cancels", func(t *testing.T) {
		stop := errors.New("enough")
		_, err := c.Stream(context.Background(), &drivers.Message{Route: grpctest.WatchOrders,
			Body: encode(t, files, "shop.v1.WatchOrdersRequest", map[string]any{"customer_id": "c"})}, nil,
			func([]byte) error { return stop })
		if !errors.Is(err, stop) {
			t.Fatalf("err = %v, want the recv error", err)
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Stream(ctx, &drivers.Message{Route: grpctest.WatchOrders,
			Body: encode(t, files, "shop.v1.WatchOrdersRequest", map[string]any{"customer_id": "stall"})}, nil, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestFindMethod(t *testing.T) {
	files := grpctest.ShopFiles(t)
	raw, err := os.ReadFile(testenv.SharedFile(t, "real-pacts", "grpc-response-metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pact struct {
		Metadata struct {
			Plugins []struct {
				Configuration map[string]struct {
					ProtoDescriptors string `json:"protoDescriptors"`
				} `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &pact); err != nil {
		t.Fatal(err)
	}
	set, err := base64.StdEncoding.DecodeString(pact.Metadata.Plugins[0].Configuration["628d9de1211ee7ee1d167e3e12b170bf"].ProtoDescriptors)
	if err != nil {
		t.Fatal(err)
	}
	pactFiles, err := protobuf.LoadDescriptorSet(set)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		files   *protoregistry.Files
		method  string
		want    string
		wantErr string
	}{
		{name: "route", files: files, method: "/shop.v1.OrderService/GetOrder", want: "/shop.v1.OrderService/GetOrder"},
		{name: "no leading slash", files: files, method: "shop.v1test.OrderStreamService/TrackOrders", want: "/shop.v1test.OrderStreamService/TrackOrders"},
		{name: "dotted", files: files, method: "shop.v1.OrderService.WatchOrders", want: "/shop.v1.OrderService/WatchOrders"},
		{name: "short service name", files: files, method: "OrderService/PlaceOrder", want: "/shop.v1.OrderService/PlaceOrder"},
		{name: "pact leading dot", files: pactFiles, method: ".pactissue.Test/GetTest", want: "/pactissue.Test/GetTest"},
		{name: "pact short", files: pactFiles, method: "Test/GetTest", want: "/pactissue.Test/GetTest"},
		{name: "unknown service", files: files, method: "Nope/GetOrder", wantErr: "no service Nope in the descriptors (services: shop.v1.OrderService, shop.v1test.OrderStreamService)"},
		{name: "unknown method", files: files, method: "OrderService/Nope", wantErr: "has no method Nope (methods: GetOrder, PlaceOrder, WatchOrders)"},
		{name: "malformed", files: files, method: "GetOrder", wantErr: "want Service/Method"},
		{name: "empty method", files: files, method: "/shop.v1.OrderService/", wantErr: "want Service/Method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, err := cgrpc.FindMethod(tc.files, tc.method)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cgrpc.MethodPath(md); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestReflect(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	got, err := open(t, drivers.Target{Address: srv.Addr}).Reflect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{grpctest.GetOrder, grpctest.PlaceOrder, grpctest.WatchOrders, grpctest.PlaceOrders, grpctest.TrackOrders} {
		md, err := cgrpc.FindMethod(got, m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := cgrpc.FindMethod(files, m)
		if md.IsStreamingClient() != want.IsStreamingClient() || md.IsStreamingServer() != want.IsStreamingServer() ||
			md.Output().Fields().Len() != want.Output().Fields().Len() {
			t.Errorf("%s: reflected descriptor differs from the source", m)
		}
	}
	if _, err := cgrpc.FindMethod(got, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"); err == nil {
		t.Error("the reflection service itself is in the result")
	}

	bare := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{NoReflection: true})
	_, err = open(t, drivers.Target{Address: bare.Addr}).Reflect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not offer reflection") {
		t.Fatalf("err = %v, want a hint that reflection is off", err)
	}
}

func TestOpenErrors(t *testing.T) {
	files := grpctest.ShopFiles(t)
	certs := drivertest.NewCerts(t)
	tlsSrv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{TLS: certs.ServerConfig(false)})
	plain := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	tests := []struct {
		name    string
		target  drivers.Target
		wantErr string
	}{
		{name: "URL address", target: drivers.Target{Address: "grpc://127.0.0.1:1"}, wantErr: "want host:port"},
		{name: "no port", target: drivers.Target{Address: "127.0.0.1"}, wantErr: "want host:port"},
		{name: "unknown option", target: drivers.Target{Address: plain.Addr, Options: map[string]string{"protocol": "h2c"}}, wantErr: `grpc: unknown option "protocol" (known: authority, max_message_bytes)`},
		{name: "bad max message", target: drivers.Target{Address: plain.Addr, Options: map[string]string{"max_message_bytes": "-1"}}, wantErr: "expected an integer from 1"},
		{name: "plain text to TLS server", target: drivers.Target{Address: tlsSrv.Addr, ConnectTimeout: time.Second}, wantErr: "is TLS expected"},
		{name: "TLS to plain-text server", target: drivers.Target{Address: plain.Addr, TLS: drivers.TLS{Enabled: true, CAFile: certs.CAFile}, ConnectTimeout: time.Second}, wantErr: "TLS handshake"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			c, err := cgrpc.New().Open(context.Background(), tc.target)
			if err == nil {
				c.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("Open took %s", el)
			}
		})
	}
}

func TestRequestMetadata(t *testing.T) {
	files := grpctest.ShopFiles(t)
	// The handler answers with the request metadata it received as response headers.
	srv := grpctest.Start(t, files, map[string]grpctest.Handler{
		grpctest.GetOrder: func(s *grpctest.Stream) error {
			md, _ := metadata.FromIncomingContext(s.Context())
			out := metadata.MD{}
			for _, k := range []string{"authorization", "x-tenant", "x-multi"} {
				out[k] = md.Get(k)
			}
			if err := s.SendHeader(out); err != nil {
				return err
			}
			return status.Error(codes.NotFound, "no order")
		},
	}, grpctest.Options{})
	tests := []struct {
		name    string
		target  drivers.Target
		headers map[string][]string
		want    map[string][]string
	}{
		{name: "basic auth from credentials", target: drivers.Target{Username: "ann", Password: "pw"},
			want: map[string][]string{"authorization": {"Basic YW5uOnB3"}}},
		{name: "authorization header wins over credentials", target: drivers.Target{Username: "ann", Password: "pw", Headers: map[string]string{"Authorization": "Bearer t"}},
			want: map[string][]string{"authorization": {"Bearer t"}}},
		{name: "target and message metadata", target: drivers.Target{Headers: map[string]string{"X-Tenant": "acme"}},
			headers: map[string][]string{"X-Multi": {"1", "2"}},
			want:    map[string][]string{"x-tenant": {"acme"}, "x-multi": {"1", "2"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.target.Address = srv.Addr
			resp, err := open(t, tc.target).Request(context.Background(), &drivers.Message{Route: grpctest.GetOrder, Headers: tc.headers})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != int(codes.NotFound) {
				t.Fatalf("status %d", resp.Status)
			}
			for k, want := range tc.want {
				if got := resp.Headers[k]; !slices.Equal(got, want) {
					t.Errorf("server received %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestServerUnavailableIsAResponse(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, map[string]grpctest.Handler{
		grpctest.GetOrder: func(s *grpctest.Stream) error { return status.Error(codes.Unavailable, "maintenance") },
	}, grpctest.Options{})
	resp, err := open(t, drivers.Target{Address: srv.Addr}).Request(context.Background(), &drivers.Message{Route: grpctest.GetOrder})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != int(codes.Unavailable) || resp.StatusMessage != "maintenance" {
		t.Fatalf("status = %d %q", resp.Status, resp.StatusMessage)
	}
}

func TestServerGoneIsUnreachable(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	c := open(t, drivers.Target{Address: srv.Addr, RequestTimeout: 2 * time.Second})
	srv.Close()
	resp, err := c.Request(context.Background(), &drivers.Message{Route: grpctest.GetOrder, Body: encode(t, files, "shop.v1.GetOrderRequest", map[string]any{"id": "1"})})
	if !errors.Is(err, drivers.ErrUnreachable) {
		t.Fatalf("err = %v (response %+v), want drivers.ErrUnreachable", err, resp)
	}
}
