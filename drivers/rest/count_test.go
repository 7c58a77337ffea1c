package rest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
)

// TestRequestCount: RequestCount reads a body to its end and counts it, holding none of it, so
// a chunked body larger than max_body_bytes is counted where Request refuses it; the status and
// headers are those of the response, and HEAD counts nothing.
func TestRequestCount(t *testing.T) {
	const size = 5<<20 + 3
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		if r.Method != http.MethodHead {
			io.Copy(w, io.LimitReader(strings.NewReader(strings.Repeat("x", size)), size)) // chunked: no Content-Length
		}
	}))
	defer srv.Close()
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL, Options: map[string]string{"max_body_bytes": "1024"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := conn.(drivers.BodyCounter)
	resp, n, err := c.RequestCount(context.Background(), &drivers.Message{Route: "/big"})
	if err != nil {
		t.Fatal(err)
	}
	if n != size || resp.Body != nil || resp.Status != http.StatusAccepted || resp.ContentType != "text/plain" {
		t.Fatalf("RequestCount: n=%d body=%d bytes status=%d type=%q; want n=%d, no body, 202, text/plain", n, len(resp.Body), resp.Status, resp.ContentType, size)
	}
	if _, err := conn.(drivers.Requester).Request(context.Background(), &drivers.Message{Route: "/big"}); err == nil || !strings.Contains(err.Error(), "max_body_bytes") {
		t.Fatalf("Request of a body over max_body_bytes: %v, want the max_body_bytes error", err)
	}
	if _, n, err := c.RequestCount(context.Background(), &drivers.Message{Method: http.MethodHead, Route: "/big"}); err != nil || n != 0 {
		t.Fatalf("HEAD: n=%d err=%v, want 0 and no error", n, err)
	}
	conn.Close()
	if _, _, err := c.RequestCount(context.Background(), &drivers.Message{Route: "/big"}); !errors.Is(err, drivers.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// BenchmarkRequestCount compares the bytes allocated per request of 1 MiB responses read by
// Request (kept) and RequestCount (counted): `go test -bench RequestCount -benchmem ./drivers/rest`.
func BenchmarkRequestCount(b *testing.B) {
	body := strings.Repeat("x", 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, strings.NewReader(body))
	}))
	defer srv.Close()
	conn, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	msg := &drivers.Message{Route: "/"}
	b.Run("Request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := conn.(drivers.Requester).Request(context.Background(), msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RequestCount", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := conn.(drivers.BodyCounter).RequestCount(context.Background(), msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
