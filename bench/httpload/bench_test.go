package httpload

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/drivers"
)

// rawServer answers every request whose body ends with marker with a fixed HTTP/1.1 response,
// allocating nothing per request, so that the benchmark's allocations are the client's.
func rawServer(b *testing.B, marker []byte) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}")
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					for k := bytes.Count(buf[:n], marker); k > 0; k-- {
						if _, err := c.Write(resp); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// BenchmarkDo is one HTTP/1.1 POST with a 32-byte body and its response over a kept-alive
// loopback connection: time per request (client and server share the CPUs) and the client's
// allocations per request (none).
func BenchmarkDo(b *testing.B) {
	body := []byte(`{"id":"ord-1","qty":2,"sku":"x"}`)
	url := rawServer(b, []byte(`"x"}`))
	op, err := New(context.Background(), Config{Target: drivers.Target{Address: url}, Method: "POST", Path: "/orders",
		ContentType: "application/json", Body: payload.Static(body), Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer op.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := op.Do(ctx, 0, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
