package httpload

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/commbench/commbench/drivers"
)

// TestLargeBodiesCountedNotBuffered: chunked and Content-Length bodies of 64 MiB are counted
// exactly, and a request allocates far less than the body (it is streamed through a small
// buffer, not held); the connection serves the next request.
func TestLargeBodiesCountedNotBuffered(t *testing.T) {
	const size = 64 << 20
	chunk := make([]byte, 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("length") == "1" {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/big", "/big?length=1"} {
		op, err := New(context.Background(), Config{Target: drivers.Target{Address: srv.URL}, Method: "GET", Path: path, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := op.Do(context.Background(), 0, 0); err != nil || n != size { // warm up the connection
			t.Fatalf("%s: Do = %d, %v; want %d bytes", path, n, err, size)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range 3 {
			if n, err := op.Do(context.Background(), 0, uint64(i)); err != nil || n != size {
				t.Fatalf("%s: Do = %d, %v; want %d bytes", path, n, err, size)
			}
		}
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: 3 requests of 64 MiB allocated %d bytes: bodies are buffered", path, alloc)
		}
		op.Close()
	}
}
