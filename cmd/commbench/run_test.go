package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/commbench/commbench/demo"
	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// shopScenario is the example shop's scenario, as CI runs it.
func shopScenario(t *testing.T) string {
	return filepath.Join(testenv.ModuleRoot(t), filepath.FromSlash(demo.Scenario))
}

// startShop starts the example system (kfake, and the real RabbitMQ when amqpURL is set) and
// returns the environment the shop scenario reads, as "KEY=value".
func startShop(t *testing.T, amqpURL string, broken bool) []string {
	t.Helper()
	sys, err := shop.Start(context.Background(), shop.Options{Root: testenv.ModuleRoot(t), AMQPURL: amqpURL, Break: broken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sys.Close)
	if amqpURL != "" && sys.AMQPErr != nil {
		t.Fatalf("shop could not reach RabbitMQ at %s: %v", amqpURL, sys.AMQPErr)
	}
	var env []string
	for k, v := range demo.Env(sys) {
		env = append(env, k+"="+v)
	}
	if amqpURL == "" {
		env = append(env, demo.EnvAMQP+"=amqp://guest:guest@127.0.0.1:1/") // nothing listens on port 1
	}
	return env
}

// shortRun are the overrides that keep the shop scenario's workloads short and its outputs in dir.
func shortRun(dir string) []string {
	args := []string{
		"--set", "outputs.html=" + filepath.Join(dir, "report.html"),
		"--set", "outputs.junit=" + filepath.Join(dir, "junit.xml"),
		"--set", "outputs.json=" + filepath.Join(dir, "results.json"),
		"--set", "outputs.md=" + filepath.Join(dir, "report.md"),
	}
	for _, w := range []string{"rest-get-order-json", "grpc-get-order-protobuf", "kafka-order-placed-avro", "amqp-order-placed-protobuf"} {
		args = append(args, "--set", "workloads."+w+".duration=1s", "--set", "workloads."+w+".drain=2s")
	}
	return args
}

func loadResults(t *testing.T, path string) *results.File {
	t.Helper()
	f, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRunShopScenario is the end-to-end test CI runs: `commbench run testdata/scenarios/shop.yaml`
// against the example shop on kfake and the real RabbitMQ passes, every contract (HTTP, gRPC,
// Kafka and AMQP messages) is verified, every workload ran with its integrity figures, and a
// secret given by ${VAR} appears in no output.
func TestRunShopScenario(t *testing.T) {
	env := append(startShop(t, testenv.AMQPURL(t), false), "SHOP_TOKEN=s3cr3t-t0ken-value")
	dir := t.TempDir()
	args := append([]string{"run", shopScenario(t), "--set", `targets.orders-api.headers={"Authorization": "Bearer ${SHOP_TOKEN}"}`}, shortRun(dir)...)
	code, stdout, stderr := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	f := loadResults(t, filepath.Join(dir, "results.json"))
	if f.Run.Command != "run" || f.Verification == nil {
		t.Fatalf("results: command %q, verification %v", f.Run.Command, f.Verification)
	}
	transports := map[string]int{}
	for _, in := range f.Verification.Interactions {
		if in.Status != results.StatusPassed {
			t.Errorf("%s -> %s %q: %s %s", in.Consumer, in.Provider, in.Description, in.Status, in.Reason)
		}
		transports[in.Consumer]++
	}
	for _, c := range []string{"web", "checkout", "shipping", "billing"} {
		if transports[c] == 0 {
			t.Errorf("no interaction of consumer %s verified (%v)", c, transports)
		}
	}
	if len(f.Workloads) != 4 {
		t.Fatalf("%d workloads, want 4", len(f.Workloads))
	}
	for _, w := range f.Workloads {
		if w.Totals.Succeeded == 0 {
			t.Errorf("workload %s: nothing succeeded: %+v", w.Name, w.Totals)
		}
		if w.Driver == "amqp" || w.Driver == "kafka" {
			if w.Integrity == nil || w.Integrity.Received == 0 || w.Integrity.Lost != 0 {
				t.Errorf("workload %s: integrity %+v", w.Name, w.Integrity)
			}
		}
	}
	for _, name := range []string{"report.html", "junit.xml", "results.json", "report.md"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "s3cr3t-t0ken-value") || strings.Contains(string(raw), "guest:guest@") {
			t.Errorf("%s leaks a credential", name)
		}
	}
	if strings.Contains(stdout+stderr, "s3cr3t-t0ken-value") {
		t.Error("the output leaks the token")
	}
	if !strings.Contains(stdout, "PASS") || !strings.Contains(stdout, filepath.Join(dir, "report.html")) {
		t.Errorf("summary lacks the verdict or where the report is:\n%s", stdout)
	}
}

// TestRunExitCodes runs scenarios that must fail, each with its exit code and message.
func TestRunExitCodes(t *testing.T) {
	scenarioDir := filepath.Dir(shopScenario(t))
	typo := filepath.Join(t.TempDir(), "typo.yaml")
	raw, err := os.ReadFile(shopScenario(t))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "    concurrency: 4\n", "    concurrancy: 4\n", 1)
	line := strings.Count(text[:strings.Index(text, "concurrancy")], "\n") + 1
	if err := os.WriteFile(typo, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	unreachable := []string{"SHOP_REST_URL=http://127.0.0.1:1", "SHOP_GRPC_ADDR=127.0.0.1:1", "SHOP_KAFKA_BROKERS=127.0.0.1:1", "COMMBENCH_AMQP_URL=amqp://guest:guest@127.0.0.1:1/"}
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"typo in a field name", nil, []string{"run", typo}, 2, typo + ":" + strconv.Itoa(line) + ": workloads.0.concurrancy: unknown field \"concurrancy\"; did you mean concurrency?"},
		{"no such file", nil, []string{"run", filepath.Join(scenarioDir, "nope.yaml")}, 2, "no such file"},
		{"bad override", nil, []string{"run", shopScenario(t), "--set", "nothing"}, 2, "want key=value"},
		{"bad --only", nil, []string{"run", shopScenario(t), "--only", "everything"}, 2, `--only "everything"`},
		{"target down", unreachable, []string{"run", shopScenario(t), "--only", "verify"}, 3, "orders-api"},
		{"dry run, target down", unreachable, []string{"run", shopScenario(t), "--dry-run"}, 3, "did not answer"},
		{"no scenario", nil, []string{"run"}, 2, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if len(args) > 1 {
				args = append(args, shortRun(t.TempDir())...) // outputs away from the working directory
			}
			code, stdout, stderr := runCLI(t, tt.env, args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestRunParts checks --only, --dry-run, optional targets and a breached threshold against the
// shop without RabbitMQ.
func TestRunParts(t *testing.T) {
	env := startShop(t, "", false)
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, stdout string, f *results.File)
	}{
		{"dry run", []string{"--dry-run"}, 0, func(t *testing.T, stdout string, f *results.File) {
			for _, want := range []string{"orders-api", "answers", "optional: would be skipped", "kafka-order-placed-avro", "open 1000/s", "every target answers"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("plan lacks %q:\n%s", want, stdout)
				}
			}
			if f != nil {
				t.Error("a dry run wrote results")
			}
		}},
		{"only verify, AMQP skipped", []string{"--only", "verify"}, 0, func(t *testing.T, stdout string, f *results.File) {
			if len(f.Workloads) != 0 || f.Verification.Summary.Passed != 5 || f.Verification.Summary.Skipped != 1 {
				t.Fatalf("workloads %d, summary %+v", len(f.Workloads), f.Verification.Summary)
			}
			for _, in := range f.Verification.Interactions {
				if in.Consumer == "billing" && (in.Status != results.StatusSkipped || !strings.Contains(in.Reason, "docker run")) {
					t.Errorf("AMQP interaction %s: %q, want skipped with how to start a broker", in.Status, in.Reason)
				}
			}
		}},
		{"only bench, threshold breached", []string{"--only", "bench", "--set", "workloads.0.thresholds=[\"p99<1us\"]"}, 1, func(t *testing.T, stdout string, f *results.File) {
			if f.Verification != nil || len(f.Workloads) != 3 {
				t.Fatalf("verification %v, %d workloads (want none, 3: AMQP skipped)", f.Verification, len(f.Workloads))
			}
			if !strings.Contains(stdout, "skipped workload amqp-order-placed-protobuf") {
				t.Errorf("no note of the skipped AMQP workload:\n%s", stdout)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append(append([]string{"run", shopScenario(t)}, tt.args...), shortRun(dir)...)
			code, stdout, stderr := runCLI(t, env, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, stdout, stderr)
			}
			var f *results.File
			if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
				f = loadResults(t, filepath.Join(dir, "results.json"))
			}
			if f == nil && !strings.Contains(tt.name, "dry") {
				t.Fatal("no results written")
			}
			tt.check(t, stdout, f)
		})
	}
}
