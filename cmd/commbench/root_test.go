package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// runCLI runs the whole CLI in-process and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, env, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpShowsCommandsFlagsAndExitCodes(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"version", "completion", "--log-level", "--no-color", "--quiet", "Exit codes:", "3  the run could not be carried out"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var b buildInfo
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if b.GoVersion == "" || b.OS == "" || b.Arch == "" || b.Version == "" {
		t.Fatalf("incomplete: %+v", b)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--bogus"}, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"bad output", []string{"version", "--output", "yaml"}, "invalid --format"},
		{"bad format", []string{"version", "--format", "yaml"}, "invalid --format"},
		{"bad log level", []string{"--log-level", "loud", "version"}, "invalid --log-level"},
		{"extra argument", []string{"version", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, errOut)
			}
			if !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "--help") {
				t.Fatalf("stderr %q lacks %q and a --help hint", errOut, tt.want)
			}
			// a deprecated spelling (version --output) adds cobra's one-line notice before the error
			if n := strings.Count(strings.TrimSpace(deprecationNotice.ReplaceAllString(errOut, "")), "\n"); n > 1 {
				t.Fatalf("error is not short (%d lines): %s", n+1, errOut)
			}
		})
	}
}

// deprecationNotice is the line cobra prints for a deprecated flag.
var deprecationNotice = regexp.MustCompile(`(?m)^Flag --\S+ has been deprecated, .*\n`)

func TestNoColor(t *testing.T) {
	a := &app{env: envMap([]string{"NO_COLOR=1"})}
	if a.Color(&bytes.Buffer{}) {
		t.Fatal("colour on a buffer with NO_COLOR")
	}
}
