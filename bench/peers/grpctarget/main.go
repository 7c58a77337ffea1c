// Command grpctarget is the gRPC target of scripts/bench-peers.sh: the shop.v1.OrderService of
// testdata/schemas/shop.proto served by drivers/grpc/grpctest (dynamic messages, reflection).
//
//	grpctarget -addr 127.0.0.1:18081 -proto testdata/schemas/shop.proto
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"

	"github.com/commbench/commbench/drivers/grpc/grpctest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address (loopback)")
	proto := flag.String("proto", "testdata/schemas/shop.proto", "shop.proto")
	flag.Parse()
	src, err := os.ReadFile(*proto)
	if err != nil {
		log.Fatal(err)
	}
	files, err := grpctest.CompileShop(context.Background(), string(src))
	if err != nil {
		log.Fatal(err)
	}
	srv, err := grpctest.New(files, grpctest.Shop(), grpctest.Options{Addr: *addr})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving on %s", srv.Addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	srv.Close()
}
