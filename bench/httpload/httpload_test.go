package httpload

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/drivers"
)

// TestRequests: method, path under the base URL's prefix, headers (Host included), content
// type and the body of each sequence number reach the server; statuses of 400 and more are
// StatusErrors; the byte count is request plus response body.
func TestRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.URL.Path != "/api/orders" || r.Host != "shop.test" || r.Header.Get("X-Key") != "k1" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if string(b) == "seq-13" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok:"+string(b))
	}))
	defer srv.Close()
	body := payload.Ring{[]byte("seq-10"), []byte("seq-11"), []byte("seq-12"), []byte("seq-13")}
	op, err := New(context.Background(), Config{
		Target: drivers.Target{Address: srv.URL + "/api", Headers: map[string]string{"X-Key": "k1", "Host": "shop.test"}},
		Method: "post", Path: "/orders", ContentType: "application/json", Body: body, Workers: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	tests := []struct {
		name  string
		seq   uint64
		bytes int
		class string
	}{
		{"ok", 0, 6 + 9, ""},
		{"ok other worker payload", 2, 6 + 9, ""},
		{"503", 3, 6, "http_5xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := op.Do(context.Background(), int(tt.seq)%2, tt.seq)
			if n != tt.bytes || bench.Classify(err) != tt.class {
				t.Fatalf("Do = %d, %v; want %d bytes, class %q", n, err, tt.bytes, tt.class)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := op.Do(ctx, 0, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	tests := []struct {
		name string
		cfg  Config
		is   error
	}{
		{"unreachable", Config{Target: drivers.Target{Address: closed, ConnectTimeout: time.Second}, Workers: 1}, drivers.ErrUnreachable},
		{"not a URL", Config{Target: drivers.Target{Address: "127.0.0.1:80"}, Workers: 1}, nil},
		{"relative path", Config{Target: drivers.Target{Address: closed}, Path: "orders", Workers: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("err %v, want one wrapping %v", err, tt.is)
			}
		})
	}
}

// TestRefusedMidRunIsClassified: when the server goes away, requests fail and are classified
// (connection refused or reset), never retried into successes.
func TestRefusedMidRunIsClassified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	op, err := New(context.Background(), Config{Target: drivers.Target{Address: srv.URL}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	if _, err := op.Do(context.Background(), 0, 0); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	srv.Close()
	_, err = op.Do(context.Background(), 0, 1)
	if c := bench.Classify(err); c != bench.ClassConnectionRefused && c != bench.ClassConnectionReset {
		t.Fatalf("class %q of %v, want connection_refused or connection_reset", c, err)
	}
}
