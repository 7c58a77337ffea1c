package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RunChild runs the test named test of the running test binary in a child process, handing it
// job: job is written as JSON to a file in dir whose path the child finds in the environment
// variable env (read it with ChildJob). It returns the child's combined stdout and stderr, and
// the child's exit error (*exec.ExitError when its test failed); ctx bounds the run.
func RunChild(ctx context.Context, dir, test, env string, job any) ([]byte, error) {
	raw, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("child job: %w", err)
	}
	path := filepath.Join(dir, "child-job.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.bench=^$")
	cmd.Env = append(os.Environ(), env+"="+path)
	return cmd.CombinedOutput()
}

// ChildJob decodes into job the JSON job RunChild handed to this process through the
// environment variable env. Unless that variable is set, it skips t: a child test runs only when
// its parent starts it.
func ChildJob(t testing.TB, env string, job any) {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		t.Skipf("runs only as the child process of another test (%s unset)", env)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, job); err != nil {
		t.Fatalf("child job %s: %v", path, err)
	}
}
