package runner_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// Verify a pact against a provider running in-process, with its provider states set up by
// state handlers: the handler of "an order exists" returns the id the provider made, which the
// pact's ProviderState generator puts into the request path.
func ExampleVerify() {
	orders := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id := r.PathValue("id")
		if !orders[id] {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"order %s not found"}`, id)
			return
		}
		fmt.Fprintf(w, `{"id":%q,"status":"PLACED","total":25.5,"items":[{"sku":"SKU-1","qty":2}]}`, id)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/orders/o-2")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"o-2","status":"PLACED"}`)
	})
	provider := httptest.NewServer(mux)
	defer provider.Close()

	c := runner.Contract{
		Pacts: []string{"../testdata/pacts/verify/web-orders-api.json"},
		HTTP:  &runner.Endpoint{Target: scenario.Target{Address: provider.URL}},
		Hooks: verifier.Hooks{StateHandlers: verifier.StateHandlers{
			"an order exists": func(_ context.Context, setup bool, _ contracts.ProviderState) (map[string]any, error) {
				orders["o-42"] = setup
				return map[string]any{"id": "o-42"}, nil
			},
			"no order exists": func(context.Context, bool, contracts.ProviderState) (map[string]any, error) {
				clear(orders)
				return nil, nil
			},
		}},
	}
	res, err := runner.Verify(context.Background(), c, runner.Options{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, in := range res.Verification.Interactions {
		fmt.Printf("%s: %s\n", in.Description, in.Status)
	}
	fmt.Println("failed:", res.Failed())
	// Output:
	// get an order: passed
	// get a missing order: passed
	// place an order: passed
	// failed: false
}

// Benchmark an HTTP server: 200 requests from 4 workers (the closed model), with thresholds that
// fail the run when a request errs (succeeded>0 is the default threshold every workload gets).
func ExampleBench() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	defer srv.Close()

	w := runner.Workload{
		Target: scenario.Target{Name: "health", Driver: "rest", Address: srv.URL},
		Workload: scenario.Workload{
			Name: "GET /health", Operation: "request", Path: "/health",
			Concurrency: 4, Count: 200, Thresholds: []string{"errors==0", "error_rate<1%"},
		},
	}
	var started string
	o := runner.Options{Progress: runner.Progress{
		WorkloadStarted: func(cfg bench.Config, _ func() bench.Snapshot) func() {
			started = fmt.Sprintf("%s with %d workers", cfg.Info.Name, cfg.Workers)
			return nil
		},
	}}
	res, err := runner.Bench(context.Background(), w, o)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	wl := res.Workloads[0]
	fmt.Println("started:", started)
	fmt.Printf("%s: %d requests, %d errors\n", wl.Name, wl.Totals.Requests, wl.Totals.Errors)
	for _, t := range wl.Thresholds {
		fmt.Printf("threshold %s passed: %v\n", t.Expr, t.Passed)
	}
	fmt.Println("failed:", res.Failed())
	// Output:
	// started: GET /health with 4 workers
	// GET /health: 200 requests, 0 errors
	// threshold errors==0 passed: true
	// threshold error_rate<1% passed: true
	// threshold succeeded>0 passed: true
	// failed: false
}
