package stream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/bench/request"
	"github.com/commbench/commbench/bench/stream"
	"github.com/commbench/commbench/drivers"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/formats/template"
	"github.com/commbench/commbench/results"
)

// TestShopStreams runs every streaming shape against grpctest's shop server through the engine
// and checks the exact stream, message and error counts the server's behaviour implies:
// WatchOrders answers 3 orders, PlaceOrders one summary of the orders it was sent, TrackOrders
// one order per id (NotFound for "missing").
func TestShopStreams(t *testing.T) {
	files := grpctest.ShopFiles(t)
	srv := grpctest.Start(t, files, grpctest.Shop(), grpctest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := cgrpc.New().Open(ctx, drivers.Target{Address: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	placed := func(want int) request.Check {
		md, _ := cgrpc.FindMethod(files, grpctest.PlaceOrders)
		codec := protobuf.NewCodec(md.Output(), files)
		return func(resp *drivers.Message) error {
			if err := request.GRPCStatus(resp); err != nil {
				return err
			}
			v, err := codec.Decode(resp.Body)
			if err != nil {
				return err
			}
			if got := fmt.Sprint(v.(map[string]any)["count"]); got != fmt.Sprint(want) {
				return fmt.Errorf("summary count %s, want %d", got, want)
			}
			return nil
		}
	}
	tests := []struct {
		name           string
		method         string
		kind           stream.Kind
		messages       int
		template       string
		check          request.Check
		ok             int64
		sent, received int64
	}{
		{name: "server stream to its end", method: grpctest.WatchOrders, kind: stream.Server, template: `{"customer_id":"c-{{.Seq}}"}`,
			ok: streams, sent: streams, received: 3 * streams},
		{name: "server stream cancelled after 2", method: grpctest.WatchOrders, kind: stream.Server, messages: 2, template: `{"customer_id":"c-{{.Seq}}"}`,
			ok: streams, sent: streams, received: 2 * streams},
		{name: "client stream of 5", method: grpctest.PlaceOrders, kind: stream.Client, messages: 5, check: placed(5),
			template: `{"customer_id":"c-{{.Seq}}","items":[{"sku":"SKU-1","qty":2,"unit_price":{"currency":"EUR","amount_minor":1250}}]}`,
			ok:       streams, sent: 5 * streams, received: streams},
		{name: "bidi stream of 4", method: grpctest.TrackOrders, kind: stream.Bidi, messages: 4, template: `{"id":"o-{{.Seq}}"}`,
			ok: streams, sent: 4 * streams, received: 4 * streams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := cgrpc.FindMethod(files, tt.method)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := template.Compile(tt.name, tt.template, template.Options{})
			if err != nil {
				t.Fatal(err)
			}
			src, err := payload.FromTemplate(tpl, protobuf.NewCodec(md.Input(), files), 0)
			if err != nil {
				t.Fatal(err)
			}
			check := tt.check
			if check == nil {
				check = request.GRPCStatus
			}
			op, err := stream.New(stream.Config{Conns: []drivers.Streamer{conn.(drivers.Streamer)}, Route: tt.method, Kind: tt.kind,
				Messages: tt.messages, Body: src, Check: check, Workers: 4})
			if err != nil {
				t.Fatal(err)
			}
			e, err := bench.New(bench.Config{Workers: 4, Count: streams}, op)
			if err != nil {
				t.Fatal(err)
			}
			w, err := e.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			checkTotals(t, w, tt.ok, tt.sent, tt.received)
			if w.Latency == nil || w.Latency.Count != streams {
				t.Fatalf("latency %+v, want one sample per stream (%d)", w.Latency, streams)
			}
		})
	}
}

func checkTotals(t *testing.T, w *results.Workload, ok, sent, received int64) {
	t.Helper()
	got := w.Totals
	if got.Requests != streams || got.Succeeded != ok || got.MessagesSent != sent || got.MessagesReceived != received || got.Bytes == 0 {
		t.Fatalf("totals %+v errors %v; want %d streams, %d succeeded, %d messages sent, %d received", got, w.Errors, streams, ok, sent, received)
	}
}

const streams = 40

func TestNewErrors(t *testing.T) {
	conns := []drivers.Streamer{nil}
	tests := []struct {
		name string
		cfg  stream.Config
	}{
		{"no connection", stream.Config{Route: "/a.B/C", Kind: stream.Bidi, Workers: 1}},
		{"no route", stream.Config{Conns: conns, Kind: stream.Bidi, Workers: 1}},
		{"unknown kind", stream.Config{Conns: conns, Route: "/a.B/C", Kind: "unary", Workers: 1}},
		{"negative messages", stream.Config{Conns: conns, Route: "/a.B/C", Kind: stream.Client, Messages: -1, Workers: 1}},
		{"no workers", stream.Config{Conns: conns, Route: "/a.B/C", Kind: stream.Server}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := stream.New(tt.cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
