package rest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/drivers/rest/resttest"
)

// BenchmarkRequest measures one GET round trip (request, whole response body) against a local
// httptest server answering a fixed 29-byte JSON body, sequentially and from parallel goroutines
// sharing one Conn. Allocations include the in-process server's.
func BenchmarkRequest(b *testing.B) {
	body := []byte(`{"id":"42","status":"PLACED"}`)
	fixed := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{"29"}
		_, _ = w.Write(body)
	})
	for _, bc := range []struct {
		name string
		opts resttest.Options
		tg   map[string]string
	}{
		{name: "http1", tg: map[string]string{"protocol": "http1"}},
		{name: "h2c", opts: resttest.Options{H2C: true}, tg: map[string]string{"protocol": "h2c"}},
	} {
		srv := resttest.Start(b, fixed, bc.opts)
		c, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL, Options: bc.tg,
			Headers: map[string]string{"Authorization": "Bearer x"}})
		if err != nil {
			b.Fatal(err)
		}
		r := c.(drivers.Requester)
		msg := &drivers.Message{Route: "/orders/42"}
		check := func(b *testing.B, resp *drivers.Message, err error) {
			if err != nil {
				b.Fatal(err)
			}
			if resp.Status != 200 || len(resp.Body) == 0 {
				b.Fatalf("status %d, %d body bytes", resp.Status, len(resp.Body))
			}
		}
		b.Run(bc.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := r.Request(context.Background(), msg)
				check(b, resp, err)
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := r.Request(context.Background(), msg)
					check(b, resp, err)
				}
			})
		})
		c.Close()
	}
}
