package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestBenchAddressFromEnvironment: ${VAR} in --url expands from the environment, as in scenario
// targets (the bench flags and scenario files build the same runner target).
func TestBenchAddressFromEnvironment(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { n.Add(1) }))
	defer srv.Close()
	code, _, stderr := runCLI(t, []string{"ORDERS_URL=" + srv.URL}, "bench", "rest", "--url", "${ORDERS_URL}", "-n", "3", "-c", "1", "-q")
	if code != 0 || n.Load() != 3 {
		t.Fatalf("exit %d, %d requests: %s", code, n.Load(), stderr)
	}
	code, _, stderr = runCLI(t, nil, "bench", "rest", "--url", "${ORDERS_URL}", "-n", "3", "-q")
	if code != 2 {
		t.Fatalf("unset variable: exit %d, want 2: %s", code, stderr)
	}
}
