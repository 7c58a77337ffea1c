package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
)

// TestHeadWithContentLength: a HEAD response announcing the Content-Length of the body a GET
// would get (RFC 9110 §9.3.2) is a response with no body, not a truncated one.
func TestHeadWithContentLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "42")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.(drivers.Requester).Request(context.Background(), &drivers.Message{Method: http.MethodHead, Route: "/orders/1"})
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	if resp.Status != 200 || len(resp.Body) != 0 || resp.Header("Content-Length") != "42" {
		t.Errorf("status %d, %d body bytes, Content-Length %q; want 200, none, 42", resp.Status, len(resp.Body), resp.Header("Content-Length"))
	}
}
