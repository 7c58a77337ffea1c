package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/demo"
	"github.com/commbench/commbench/internal/testenv"
)

// withEnv returns env with key set to value (replacing any earlier setting).
func withEnv(env []string, key, value string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// TestRunOptionalTargetRefuses: the shop scenario's AMQP target is optional; the real RabbitMQ
// with a wrong password answers and refuses the credentials. The run is not skipped-and-passed
// (the exit 0) but fails with exit 3 naming the refusal, its results written, not marked
// interrupted; its dry run says so too. A port where nothing listens is still skipped (the shop
// tests' "only verify, AMQP skipped").
func TestRunOptionalTargetRefuses(t *testing.T) {
	testenv.AMQPURL(t) // skips (fails under CI) without RabbitMQ
	env := withEnv(startShop(t, "", false), demo.EnvAMQP, "amqp://guest:wrong-password@127.0.0.1:5672/")
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, env, append([]string{"run", shopScenario(t), "--only", "verify"}, shortRun(dir)...)...)
	if code != 3 || !strings.Contains(stderr, "answered but cannot be used") || !strings.Contains(stderr, "wrong username or password") {
		t.Fatalf("exit %d, want 3 naming the refused credentials\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "wrong-password") || strings.Contains(stdout, "wrong-password") {
		t.Fatal("the password is in the output")
	}
	f := loadResults(t, filepath.Join(dir, "results.json"))
	if f.Run.Interrupted || !strings.Contains(f.Run.Error, "cannot be used") {
		t.Fatalf("run %+v: want the cause, not interrupted", f.Run)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "junit.xml")); err != nil || !strings.Contains(string(b), "cannot be used") {
		t.Fatalf("JUnit does not name the cause: %v\n%s", err, b)
	}
	code, stdout, _ = runCLI(t, env, append([]string{"run", shopScenario(t), "--dry-run"}, shortRun(t.TempDir())...)...)
	if code != 3 || !strings.Contains(stdout, "ANSWERS BUT CANNOT BE USED") {
		t.Fatalf("dry run: exit %d, want 3\n%s", code, stdout)
	}
}

// TestRunDryRunValidatesFiles: --dry-run loads every input file: a missing pact, a broken
// template, a missing .proto exit 2 naming the file, before any target is tried (none runs
// here). The real run with the missing pact exits 2 too, not marked interrupted.
func TestRunDryRunValidatesFiles(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"id": "{{.Seq"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing-pact.json")
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{"missing pact", []string{"contracts.0.pacts=[\"" + missing + "\"]"}, missing},
		{"broken template", []string{"workloads.rest-get-order-json.payload.template=" + broken}, "broken.json"},
		{"missing proto", []string{"targets.order-service.proto=[\"" + filepath.Join(dir, "nope.proto") + "\"]"}, "nope.proto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"run", shopScenario(t), "--dry-run"}
			for _, s := range tt.set {
				args = append(args, "--set", s)
			}
			code, stdout, stderr := runCLI(t, nil, append(args, shortRun(t.TempDir())...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want 2 naming %s\n%s\n%s", code, tt.want, stdout, stderr)
			}
		})
	}
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, nil, append([]string{"run", shopScenario(t), "--only", "verify", "--set", "contracts.0.pacts=[\"" + missing + "\"]"}, shortRun(out)...)...)
	if code != 2 || strings.Contains(stdout+stderr, "interrupted") {
		t.Fatalf("run with a missing pact: exit %d, want 2 and no 'interrupted'\n%s\n%s", code, stdout, stderr)
	}
}
