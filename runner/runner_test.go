package runner_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// ordersAPI answers testdata/pacts/verify/web-orders-api.json for order o-1 and counts requests.
func ordersAPI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("id") != "o-1" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
			return
		}
		fmt.Fprint(w, `{"id":"o-1","status":"PLACED","total":25.5,"items":[{"sku":"SKU-1","qty":2}]}`)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/orders/o-2")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"o-2","status":"PLACED"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &n
}

func pactFile(t *testing.T) string {
	return filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", "verify", "web-orders-api.json")
}

// noop is a state handler that does nothing.
func noop(context.Context, bool, contracts.ProviderState) (map[string]any, error) { return nil, nil }

var states = verifier.StateHandlers{"an order exists": noop, "no order exists": noop}

// TestRunScenario runs a scenario built in Go: ${VAR} from Options.LookupEnv, the contract with
// Options.Hooks, a workload, and an optional target that does not answer (its workload skipped).
func TestRunScenario(t *testing.T) {
	srv, requests := ordersAPI(t)
	s := &scenario.Scenario{
		Name: "orders",
		Targets: []scenario.Target{
			{Name: "api", Driver: "rest", Address: "${API_URL}"},
			{Name: "bus", Driver: "kafka", Address: drivertest.ClosedPort(t), Optional: true},
		},
		Contracts: []scenario.Contract{{Pacts: []string{pactFile(t)}, HTTP: "api"}},
		Workloads: []scenario.Workload{
			{Name: "get-order", Target: "api", Operation: "request", Path: "/orders/o-1", Count: 20, Concurrency: 2, Thresholds: []string{"errors==0"}},
			{Name: "events", Target: "bus", Operation: "produce", Route: "orders", Count: 1},
		},
	}
	var interactions, skipped, started int
	o := runner.Options{
		LookupEnv: func(k string) (string, bool) { return map[string]string{"API_URL": srv.URL}[k], k == "API_URL" },
		Hooks:     verifier.Hooks{StateHandlers: states},
		Progress: runner.Progress{
			Interaction:     func(results.Interaction) { interactions++ },
			WorkloadSkipped: func(string) { skipped++ },
			WorkloadStarted: func(bench.Config, func() bench.Snapshot) func() { started++; return nil },
		},
	}
	f, err := runner.Run(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	if f.Run.Command != "run" || f.Verification.Summary.Passed != 3 || interactions != 3 {
		t.Fatalf("command %q, verification %+v, %d interactions reported", f.Run.Command, f.Verification.Summary, interactions)
	}
	if len(f.Workloads) != 1 || f.Workloads[0].Totals.Requests != 20 || started != 1 || f.Failed() {
		t.Fatalf("workloads %+v, %d started, failed %v", f.Workloads, started, f.Failed())
	}
	if len(f.SkippedWorkloads) != 1 || f.SkippedWorkloads[0].Name != "events" || skipped != 1 || !strings.Contains(f.SkippedWorkloads[0].Reason, "docker compose up -d kafka") {
		t.Fatalf("skipped %+v (%d reported)", f.SkippedWorkloads, skipped)
	}
	if n := requests.Load(); n != 23 { // 3 interactions, 20 workload requests
		t.Errorf("the provider saw %d requests, want 23", n)
	}
	if addr := fmt.Sprint(f.Run.Config["targets"]); strings.Contains(addr, srv.URL) {
		t.Errorf("the configuration echo holds the expanded address: %s", addr)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	srv, _ := ordersAPI(t)
	closed := "http://" + drivertest.ClosedPort(t)
	api := func(address string) *runner.Endpoint {
		return &runner.Endpoint{Target: scenario.Target{Address: address}}
	}
	tests := []struct {
		name string
		run  func() (*results.File, error)
		want error
		text string
	}{
		{"missing pact", func() (*results.File, error) {
			return runner.Verify(context.Background(), runner.Contract{Pacts: []string{"/nonexistent/pact.json"}, HTTP: api(srv.URL)}, runner.Options{})
		}, runner.ErrInvalid, "/nonexistent/pact.json"},
		{"pact broken after a verified interaction", func() (*results.File, error) {
			// streamed: the first interaction is verified before the second is read
			pact := filepath.Join(t.TempDir(), "broken.json")
			doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[` +
				`{"description":"get","request":{"method":"GET","path":"/orders/o-1"},"response":{"status":200}},` +
				`{"description":"no response","request":{"method":"GET","path":"/orders/o-1"}}]}`
			if err := os.WriteFile(pact, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			return runner.Verify(context.Background(), runner.Contract{Pacts: []string{pact}, HTTP: api(srv.URL)}, runner.Options{})
		}, runner.ErrInvalid, `interactions[1] ("no response"): response: expected an object`},
		{"provider down", func() (*results.File, error) {
			return runner.Verify(context.Background(), runner.Contract{Pacts: []string{pactFile(t)}, HTTP: api(closed)}, runner.Options{})
		}, runner.ErrUnavailable, "provider " + closed},
		{"hooks and a URL", func() (*results.File, error) {
			c := runner.Contract{Pacts: []string{pactFile(t)}, HTTP: api(srv.URL), StateChangeURL: srv.URL + "/state", Hooks: verifier.Hooks{StateHandlers: states}}
			return runner.Verify(context.Background(), c, runner.Options{})
		}, runner.ErrInvalid, "state handlers and a state change URL"},
		{"unset variable", func() (*results.File, error) {
			s := &scenario.Scenario{Targets: []scenario.Target{{Name: "api", Driver: "rest", Address: "${NOPE_UNSET}"}}}
			return runner.Run(context.Background(), s, runner.Options{LookupEnv: func(string) (string, bool) { return "", false }})
		}, runner.ErrInvalid, "NOPE_UNSET"},
		{"integrity threshold on a request workload", func() (*results.File, error) {
			w := runner.Workload{Target: scenario.Target{Driver: "rest", Address: srv.URL},
				Workload: scenario.Workload{Name: "w", Operation: "request", Count: 1, Thresholds: []string{"lost==0"}}}
			return runner.Bench(context.Background(), w, runner.Options{})
		}, runner.ErrInvalid, "produces no messaging integrity figures"},
		{"bench target down", func() (*results.File, error) {
			w := runner.Workload{Target: scenario.Target{Driver: "rest", Address: closed}, Workload: scenario.Workload{Name: "w", Operation: "request", Count: 1}}
			return runner.Bench(context.Background(), w, runner.Options{})
		}, runner.ErrUnavailable, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.run()
			if !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.text) {
				t.Fatalf("err %v, want %v naming %q", err, tt.want, tt.text)
			}
			if f != nil {
				t.Fatalf("results %+v with an error before the run", f.Run)
			}
		})
	}
}

// TestBenchCancelled: cancelling the context stops the load; the partial results come back,
// marked interrupted, with ErrUnavailable.
func TestBenchCancelled(t *testing.T) {
	srv, _ := ordersAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := runner.Options{Progress: runner.Progress{WorkloadStarted: func(_ bench.Config, snap func() bench.Snapshot) func() {
		go func() {
			for snap().Succeeded < 10 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		return nil
	}}}
	w := runner.Workload{Target: scenario.Target{Driver: "rest", Address: srv.URL},
		Workload: scenario.Workload{Name: "long", Operation: "request", Path: "/orders/o-1", Duration: scenario.Duration(time.Hour), Concurrency: 2}}
	f, err := runner.Bench(ctx, w, o)
	if !errors.Is(err, runner.ErrUnavailable) || f == nil {
		t.Fatalf("err %v, results %v", err, f)
	}
	if !f.Run.Interrupted || !f.Workloads[0].Interrupted || f.Workloads[0].Totals.Requests < 10 {
		t.Fatalf("run %+v, workload totals %+v", f.Run, f.Workloads[0].Totals)
	}
}
