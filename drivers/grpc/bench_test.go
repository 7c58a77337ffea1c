package grpc_test

import (
	"context"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
)

// BenchmarkUnary measures one unary GetOrder round trip (encoded request bytes out, response
// bytes, headers and trailers back) against the in-process shop server, sequentially and from
// parallel goroutines sharing one Conn.
func BenchmarkUnary(b *testing.B) {
	files := grpctest.ShopFiles(b)
	srv := grpctest.Start(b, files, grpctest.Shop(), grpctest.Options{})
	c := open(b, drivers.Target{Address: srv.Addr})
	msg := &drivers.Message{Route: grpctest.GetOrder, Body: encode(b, files, "shop.v1.GetOrderRequest", map[string]any{"id": "42"})}
	check := func(b *testing.B, resp *drivers.Message, err error) {
		if err != nil {
			b.Fatal(err)
		}
		if resp.Status != 0 || len(resp.Body) == 0 {
			b.Fatalf("status %d, %d body bytes", resp.Status, len(resp.Body))
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := c.Request(context.Background(), msg)
			check(b, resp, err)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := c.Request(context.Background(), msg)
				check(b, resp, err)
			}
		})
	})
}
