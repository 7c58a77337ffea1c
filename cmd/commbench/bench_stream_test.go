package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// shopStreamProtos copies shop.proto and grpctest's streaming test service into one folder and
// returns the --proto arguments declaring both services.
func shopStreamProtos(t *testing.T) (dir string, args []string) {
	t.Helper()
	dir = t.TempDir()
	root := testenv.ModuleRoot(t)
	for name, from := range map[string]string{
		"shop.proto":        filepath.Join(root, "testdata", "schemas", "shop.proto"),
		"shop_stream.proto": filepath.Join(root, "drivers", "grpc", "grpctest", "shop_stream.proto"),
	} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, []string{"--proto", filepath.Join(dir, "shop_stream.proto"), "--proto", filepath.Join(dir, "shop.proto"), "-I", dir}
}

// TestBenchGRPCStreams: `bench grpc` picks the call type from the method descriptor and counts
// one operation per stream, with the exact messages the shop server's behaviour implies
// (WatchOrders: 3 orders; PlaceOrders: one summary; TrackOrders: one order per id, NotFound for
// "missing"). One worker keeps the payload numbers exact: stream s sends payloads s*N..s*N+N-1.
func TestBenchGRPCStreams(t *testing.T) {
	srv := grpctest.StartShop(t, grpctest.Options{})
	_, protos := shopStreamProtos(t)
	watch := writeFile(t, "watch.json", `{"customer_id":"c-{{.Seq}}"}`)
	place := writeFile(t, "place.json", `{"customer_id":"c-{{.Seq}}","items":[{"sku":"SKU-1","qty":1,"unit_price":{"currency":"EUR","amount_minor":100}}]}`)
	track := writeFile(t, "track.json", `{"id":"{{.Row.id}}"}`)
	// With 2 messages per stream, even streams ask for o-1 then "missing", odd ones o-2 and o-3.
	ids := writeFile(t, "ids.csv", "id\no-1\nmissing\no-2\no-3\n")
	const streams = 20
	tests := []struct {
		name, method, operation string
		args                    []string
		ok, sent, received      int64
		errors                  map[string]int64
	}{
		{name: "server stream read to its end", method: "shop.v1.OrderService/WatchOrders", operation: "server-stream",
			args: []string{"--message-template", watch}, ok: streams, sent: streams, received: 3 * streams},
		{name: "server stream cancelled after 1", method: "shop.v1.OrderService/WatchOrders", operation: "server-stream",
			args: []string{"--message-template", watch, "--messages-per-stream", "1"}, ok: streams, sent: streams, received: streams},
		{name: "client stream of 3", method: "shop.v1test.OrderStreamService/PlaceOrders", operation: "client-stream",
			args: []string{"--message-template", place, "--messages-per-stream", "3"}, ok: streams, sent: 3 * streams, received: streams},
		{name: "bidi stream with NotFound", method: "shop.v1test.OrderStreamService/TrackOrders", operation: "bidi-stream",
			args: []string{"--message-template", track, "--data-file", ids, "--messages-per-stream", "2", "--threshold", "error_rate<=50%"},
			ok:   streams / 2, sent: streams, received: streams, errors: map[string]int64{"grpc_NOT_FOUND": streams / 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results.json")
			args := append([]string{"bench", "grpc", "--address", srv.Addr, "--method", tt.method, "-n", "20", "-c", "1", "--out", out}, protos...)
			f, stdout := runResults(t, out, append(args, tt.args...)...)
			w := f.Workloads[0]
			got := w.Totals
			if w.Operation != tt.operation || got.Requests != streams || got.Succeeded != tt.ok || got.MessagesSent != tt.sent || got.MessagesReceived != tt.received {
				t.Fatalf("%s: totals %+v errors %v; want %s, %d streams, %d succeeded, %d sent, %d received", w.Operation, got, w.Errors, tt.operation, streams, tt.ok, tt.sent, tt.received)
			}
			for class, n := range tt.errors {
				if w.Errors[class] != n {
					t.Errorf("errors %v, want %d %s", w.Errors, n, class)
				}
			}
			if w.Latency == nil || w.Latency.Count != tt.ok || w.Latency.Count+failedCount(w.FailedLatency) != streams || f.Run.Config["operation"] != tt.operation {
				t.Fatalf("latency %+v (want one sample per stream), config %v", w.Latency, f.Run.Config)
			}
			if !strings.Contains(stdout, "Streams (") || !strings.Contains(stdout, "received") {
				t.Errorf("summary lacks the stream figures:\n%s", stdout)
			}
		})
	}
}

// TestRunGRPCStreamScenario: a scenario's server-stream workload goes through the same builder.
func TestRunGRPCStreamScenario(t *testing.T) {
	srv := grpctest.StartShop(t, grpctest.Options{})
	dir, _ := shopStreamProtos(t)
	out := filepath.Join(t.TempDir(), "results.json")
	scenario := writeFile(t, "streams.yaml", `name: streams
targets:
  - name: shop
    driver: grpc
    address: `+srv.Addr+`
    proto: [`+filepath.Join(dir, "shop_stream.proto")+`, `+filepath.Join(dir, "shop.proto")+`]
    import_paths: [`+dir+`]
workloads:
  - name: track
    target: shop
    operation: bidi-stream
    method: shop.v1test.OrderStreamService/TrackOrders
    messages_per_stream: 5
    payload:
      body: '{"id":"o-{{.Seq}}"}'
    concurrency: 2
    count: 30
    thresholds: ["errors==0"]
outputs:
  json: `+out+`
`)
	f, _ := runResults(t, out, "run", scenario)
	w := f.Workloads[0]
	if w.Operation != "bidi-stream" || w.Totals.Succeeded != 30 || w.Totals.MessagesSent != 150 || w.Totals.MessagesReceived != 150 {
		t.Fatalf("workload %s totals %+v errors %v, want 30 bidi streams of 5 messages each way", w.Operation, w.Totals, w.Errors)
	}
	// The scenario's operation must agree with the method.
	bad := writeFile(t, "bad.yaml", strings.Replace(mustRead(t, scenario), "operation: bidi-stream", "operation: server-stream", 1))
	code, _, stderr := runCLI(t, nil, "run", bad)
	if code != 2 || !strings.Contains(stderr, `operation "server-stream"`) || !strings.Contains(stderr, "bidi-streaming") {
		t.Fatalf("mismatched operation: exit %d, stderr %s", code, stderr)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runResults runs the CLI, which must exit 0, and returns the results file it wrote to out and
// its stdout.
func runResults(t *testing.T, out string, args ...string) (*results.File, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return f, stdout
}

// failedCount is the number of failed operations with a latency (0 when none).
func failedCount(l *results.Latency) int64 {
	if l == nil {
		return 0
	}
	return l.Count
}
