package request_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/bench/request"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/formats/template"
)

// TestRESTWorkload runs the engine with a REST Op against an in-process server that checks
// every body is the template's payload for a distinct sequence number, and fails one request
// in ten with 503.
func TestRESTWorkload(t *testing.T) {
	var mu sync.Mutex
	var moved int64 // request and response body bytes of the successful requests, as the server counted them
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		dup := seen[string(b)]
		seen[string(b)] = true
		n := len(seen)
		mu.Unlock()
		if dup || r.Method != http.MethodPost || r.URL.Path != "/orders" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		m, _ := io.WriteString(w, `{"ok":true}`)
		mu.Lock()
		moved += int64(len(b) + m) // Totals.Bytes counts successful operations
		mu.Unlock()
	}))
	defer srv.Close()
	c, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tpl, err := template.Compile("order", `{"id":"ord-{{.Seq}}"}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := payload.FromTemplate(tpl, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	op, err := request.New([]drivers.Requester{c.(drivers.Requester)}, drivers.Message{Method: "POST", Route: "/orders", ContentType: "application/json"}, src, request.HTTPStatus, 4)
	if err != nil {
		t.Fatal(err)
	}
	e, err := bench.New(bench.Config{Workers: 4, Count: 500}, op)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w.Totals.Requests != 500 || w.Errors["http_5xx"] != 50 || len(w.Errors) != 1 {
		t.Fatalf("totals %+v errors %v: want 500 requests, 50 http_5xx and nothing else", w.Totals, w.Errors)
	}
	if len(seen) != 500 {
		t.Fatalf("server saw %d distinct bodies, want 500", len(seen))
	}
	// Response bodies are counted (drivers.BodyCounter), not held: the bytes are the server's.
	if w.Totals.Bytes != moved {
		t.Fatalf("bytes %d, the server moved %d", w.Totals.Bytes, moved)
	}
}

func TestGRPCStatus(t *testing.T) {
	err := request.GRPCStatus(&drivers.Message{Status: 14, StatusMessage: "down"})
	if got := bench.Classify(err); got != "grpc_UNAVAILABLE" {
		t.Fatalf("class %q", got)
	}
	if request.GRPCStatus(&drivers.Message{}) != nil {
		t.Fatal("OK status failed")
	}
}
