package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// orderServer accepts POST /orders with a JSON body and answers 503 to every fifth request.
func orderServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/orders" || !bytes.HasPrefix(b, []byte(`{"id":"ord-`)) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n.Add(1)%5 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"status":"PLACED"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBenchREST(t *testing.T) {
	srv, _ := orderServer(t)
	body := writeFile(t, "order.json", `{"id":"ord-{{.Seq}}","qty":{{randInt 1 5}}}`)
	restArgs := func(extra ...string) []string {
		return append([]string{"bench", "rest", "--url", srv.URL, "-X", "POST", "--path", "/orders", "--body-template", body,
			"-H", "Authorization: Bearer ${TOKEN}", "-q"}, extra...)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		requests   int64
		thresholds []bool
		stdout     []string
		stderr     string
	}{
		{name: "closed model passes thresholds", args: restArgs("-n", "200", "-c", "4", "--threshold", "p99<10s", "--threshold", "error_rate<=20%"),
			code: 0, requests: 200, thresholds: []bool{true, true, true}, stdout: []string{"POST /orders", "p99<10s"}},
		{name: "net/http client through drivers/rest", args: restArgs("-n", "100", "-c", "4", "--http-client", "net", "--threshold", "error_rate<=20%"),
			code: 0, requests: 100, thresholds: []bool{true, true}},
		{name: "open model", args: restArgs("--rate", "400/s", "-d", "500ms", "--max-in-flight", "8", "--threshold", "error_rate<=20%"),
			code: 0, requests: 200, thresholds: []bool{true, true}},
		{name: "breached threshold exits 1 after writing", args: restArgs("-n", "50", "--threshold", "error_rate<1%"),
			code: 1, requests: 50, thresholds: []bool{false, true}, stderr: "threshold breached: error_rate<1% (actual 20.0%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results.json")
			code, stdout, stderr := runCLI(t, []string{"TOKEN=s3cret-token"}, append(tt.args, "--out", out)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("summary lacks %q:\n%s", s, stdout)
				}
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte("s3cret")) {
				t.Fatal("results file holds the secret header value")
			}
			f, err := results.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if f.Run.Command != "bench" || f.Run.Environment.GoVersion == "" || f.Run.Config["driver"] != "rest" || len(f.Workloads) != 1 {
				t.Fatalf("run %+v", f.Run)
			}
			w := f.Workloads[0]
			if w.Totals.Requests != tt.requests || w.Errors["http_5xx"] != tt.requests/5 || w.Latency == nil || w.Latency.Histogram == "" {
				t.Fatalf("totals %+v errors %v", w.Totals, w.Errors)
			}
			if len(w.Thresholds) != len(tt.thresholds) {
				t.Fatalf("thresholds %+v", w.Thresholds)
			}
			for i, p := range tt.thresholds {
				if w.Thresholds[i].Passed != p {
					t.Errorf("threshold %+v, want passed %v", w.Thresholds[i], p)
				}
			}
		})
	}
}

func TestBenchUsageAndUnreachable(t *testing.T) {
	closed := "http://" + drivertest.ClosedPort(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad threshold", []string{"bench", "rest", "--url", closed, "--threshold", "p99<fast"}, 2, `threshold "p99<fast": value "fast": not a number`},
		{"integrity threshold on rest", []string{"bench", "rest", "--url", "http://127.0.0.1:1", "-n", "1", "--threshold", "lost==0"}, 2, "produces no messaging integrity figures"},
		{"bad rate", []string{"bench", "rest", "--url", closed, "--rate", "fast"}, 2, "--rate"},
		{"concurrency with rate", []string{"bench", "rest", "--url", closed, "--rate", "10/s", "-c", "5"}, 2, "--max-in-flight"},
		{"missing url", []string{"bench", "rest"}, 2, "--url is required"},
		{"missing template", []string{"bench", "rest", "--url", closed, "--body-template", "/nonexistent.json"}, 2, "nonexistent.json"},
		{"unreachable", []string{"bench", "rest", "--url", closed, "-n", "1"}, 3, "unreachable"},
		{"messages per stream on a unary method", []string{"bench", "grpc", "--address", "127.0.0.1:1", "--proto", "../../testdata/schemas/shop.proto", "--method", "shop.v1.OrderService/GetOrder", "--messages-per-stream", "2"}, 2, "is unary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, append(tt.args, "-q")...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q", code, tt.code, stderr, tt.want)
			}
		})
	}
}

// TestBenchInterrupted: cancelling the context (Ctrl-C) stops the load, and the results are
// still written, marked interrupted; the exit code is 3.
func TestBenchInterrupted(t *testing.T) {
	srv, _ := orderServer(t)
	body := writeFile(t, "order.json", `{"id":"ord-{{.Seq}}"}`)
	out := filepath.Join(t.TempDir(), "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	began := time.Now()
	code := Execute(ctx, []string{"bench", "rest", "--url", srv.URL, "-X", "POST", "--path", "/orders", "--body-template", body, "-d", "1m", "--out", out}, nil, strings.NewReader(""), &stdout, &stderr)
	if code != 3 || time.Since(began) > 10*time.Second {
		t.Fatalf("exit %d after %v; stderr %s", code, time.Since(began), stderr.String())
	}
	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Run.Interrupted || !f.Workloads[0].Interrupted || f.Workloads[0].Totals.Requests == 0 {
		t.Fatalf("run %+v workload totals %+v", f.Run, f.Workloads[0].Totals)
	}
}

func TestBenchGRPC(t *testing.T) {
	srv := grpctest.StartShop(t, grpctest.Options{})
	proto := filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas", "shop.proto")
	tpl := writeFile(t, "get.json", `{"id":"{{.Row.id}}"}`)
	rows := writeFile(t, "ids.csv", "id\no-1\nmissing\no-2\no-3\n")
	out := filepath.Join(t.TempDir(), "results.json")
	f, _ := runResults(t, out, "bench", "grpc", "--address", srv.Addr, "--proto", proto, "--method", "shop.v1.OrderService/GetOrder",
		"--message-template", tpl, "--data-file", rows, "-n", "400", "-c", "8", "--connections", "2", "--out", out, "-q",
		"--threshold", "error_rate<=25%") // one id in four is missing
	w := f.Workloads[0]
	if w.Driver != "grpc" || w.Totals.Requests != 400 || w.Errors["grpc_NOT_FOUND"] != 100 || w.Totals.Succeeded != 300 {
		t.Fatalf("workload %s totals %+v errors %v, want 400 calls, 100 grpc_NOT_FOUND", w.Driver, w.Totals, w.Errors)
	}
}

// TestBenchRESTProtobufBody: with --format protobuf the template's JSON is encoded as the
// schema's message, and the server receives valid Protobuf with the sequence's value.
func TestBenchRESTProtobufBody(t *testing.T) {
	proto := filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas", "shop.proto")
	var bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		// GetOrderRequest{id: "o-N"}: field 1, wire type 2, then the length and the string.
		if len(b) < 3 || b[0] != 0x0a || int(b[1]) != len(b)-2 || !bytes.HasPrefix(b[2:], []byte("o-")) || r.Header.Get("Content-Type") != "application/x-protobuf" {
			bad.Add(1)
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	tpl := writeFile(t, "get.json", `{"id":"o-{{.Seq}}"}`)
	code, _, stderr := runCLI(t, nil, "bench", "rest", "--url", srv.URL, "-X", "POST", "--format", "protobuf", "--schema", proto,
		"--message", "shop.v1.GetOrderRequest", "--body-template", tpl, "--content-type", "application/x-protobuf", "-n", "50", "-q",
		"--threshold", "errors==0")
	if code != 0 || bad.Load() != 0 {
		t.Fatalf("exit %d, %d bad bodies: %s", code, bad.Load(), stderr)
	}
}

// TestHeaderSecretWithDollar: header values are expanded once: a token whose value holds '$',
// "$$" and "${...}" arrives intact, and a "$$" written in a flag (or a workload header) is one
// '$', through bench rest (fasthttp and net/http clients), verify, and run.
func TestHeaderSecretWithDollar(t *testing.T) {
	const token = "s3cret$$x${y}$"
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("X-Literal") != "a$b" {
			bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		good.Add(1)
	}))
	defer srv.Close()
	pact := writeFile(t, "pact.json", `{"consumer":{"name":"web"},"provider":{"name":"api"},
		"interactions":[{"description":"ping","request":{"method":"GET","path":"/ping"},"response":{"status":200}}],
		"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	headers := []string{"-H", "Authorization: Bearer ${TOKEN}", "-H", "X-Literal: a$$b"}
	tests := []struct {
		name string
		args []string
		sent int64
	}{
		{"bench rest fasthttp", []string{"bench", "rest", "--url", srv.URL, "--path", "/ping", "-n", "20", "-c", "2", "-q", "--threshold", "errors==0"}, 20},
		{"bench rest net/http", []string{"bench", "rest", "--url", srv.URL, "--path", "/ping", "-n", "20", "-c", "2", "-q", "--http-client", "net", "--threshold", "errors==0"}, 20},
		{"verify", []string{"verify", "--pact", pact, "--provider-base-url", srv.URL}, 1},
		{"run fasthttp", []string{"run", headerScenario(t, srv.URL, "fast")}, 10},
		{"run net/http", []string{"run", headerScenario(t, srv.URL, "net")}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good.Store(0)
			bad.Store(0)
			args := tt.args
			if args[0] != "run" {
				args = append(args, headers...)
			}
			code, stdout, stderr := runCLI(t, []string{"TOKEN=" + token}, args...)
			if code != 0 || good.Load() != tt.sent || bad.Load() != 0 {
				t.Fatalf("exit %d, %d intact and %d altered headers (want %d intact)\nstdout: %s\nstderr: %s", code, good.Load(), bad.Load(), tt.sent, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "s3cret") {
				t.Fatal("the secret header value was printed")
			}
		})
	}
	code, _, stderr := runCLI(t, nil, "bench", "rest", "--url", srv.URL, "-n", "1", "-q", "-H", "Authorization: Bearer ${TOKEN}")
	if code != 2 || !strings.Contains(stderr, "--header Authorization") || !strings.Contains(stderr, "${TOKEN} is not set") {
		t.Fatalf("unset variable: exit %d, stderr %s", code, stderr)
	}
}

// headerScenario is a scenario sending 10 requests to url with the http_client given, an
// Authorization target header naming ${TOKEN} and a workload header written with "$$".
func headerScenario(t *testing.T, url, client string) string {
	return writeFile(t, "headers.yaml", `name: headers
targets:
  - name: api
    driver: rest
    address: `+url+`
    headers:
      Authorization: Bearer ${TOKEN}
workloads:
  - name: ping
    target: api
    operation: request
    path: /ping
    http_client: `+client+`
    headers:
      X-Literal: a$$b
    concurrency: 2
    count: 10
    thresholds: ["errors==0"]
`)
}

// TestBenchReports: bench writes --html, --junit, --md and --out itself (reports.WriteOutputs):
// the JUnit XML parses back with one testcase per threshold and the breached one failed, the
// Markdown and HTML name the workload, "-" sends a report to stdout (the summary then goes to
// stderr), and an unwritable path exits 2 naming it.
func TestBenchReports(t *testing.T) {
	srv, _ := orderServer(t)
	body := writeFile(t, "order.json", `{"id":"ord-{{.Seq}}"}`)
	dir := t.TempDir()
	paths := map[string]string{"--out": "results.json", "--html": "out/report.html", "--junit": "out/junit.xml", "--md": "summary.md"}
	args := []string{"bench", "rest", "--url", srv.URL, "-X", "POST", "--path", "/orders", "--body-template", body, "-n", "50", "-q",
		"--threshold", "p99<10s", "--threshold", "errors==0"}
	for flag, p := range paths {
		paths[flag] = filepath.Join(dir, p)
		args = append(args, flag, paths[flag])
	}
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 1 || !strings.Contains(stderr, "threshold breached: errors==0") {
		t.Fatalf("exit %d (want 1: errors==0 breached), stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "POST /orders") {
		t.Errorf("summary missing from stdout:\n%s", stdout)
	}
	if _, err := results.ReadFile(paths["--out"]); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(paths["--junit"])
	if err != nil {
		t.Fatal(err)
	}
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(b, &junit); err != nil || junit.Tests != 4 || junit.Failures != 2 || len(junit.Cases) != 4 {
		t.Fatalf("junit: %v, %+v; want 4 threshold testcases (2 given, 2 default), 2 failed (errors==0, error_rate<1%%):\n%s", err, junit, b)
	}
	for name, p := range map[string]string{"html": paths["--html"], "markdown": paths["--md"]} {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("POST /orders")) || !bytes.Contains(b, []byte("errors==0")) {
			t.Errorf("%s report %s: %v, lacks the workload or the threshold", name, p, err)
		}
	}

	code, stdout, stderr = runCLI(t, nil, "bench", "rest", "--url", srv.URL, "-X", "POST", "--path", "/orders", "--body-template", body, "-n", "5", "-q", "--md", "-", "--threshold", "error_rate<=100%")
	if code != 0 || !strings.HasPrefix(stdout, "#") || !strings.Contains(stderr, "POST /orders") {
		t.Fatalf("--md -: exit %d, stdout (want the Markdown) %q, stderr (want the summary) %q", code, stdout, stderr)
	}
	blocked := filepath.Join(writeFile(t, "file", ""), "report.html") // a path below a regular file
	code, _, stderr = runCLI(t, nil, "bench", "rest", "--url", srv.URL, "-n", "5", "-q", "--html", blocked)
	if code != 2 || !strings.Contains(stderr, blocked) {
		t.Fatalf("unwritable --html: exit %d, stderr %s", code, stderr)
	}
}
