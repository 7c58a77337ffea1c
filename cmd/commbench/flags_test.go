package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

// TestFlagsExpandEnv: ${VAR} and ${VAR:-default} work in flag values as in scenarios, typed flags
// included (expanded before parsing); an unset variable without a default is a usage error naming
// the flag.
func TestFlagsExpandEnv(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version", "--format", "${FMT:-json}")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("default from ${FMT:-json}: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, []string{"FMT=text"}, "version", "--format=${FMT:-json}")
	if code != 0 || !strings.HasPrefix(out, "commbench ") {
		t.Fatalf("FMT=text: exit %d\n%s", code, out)
	}
	code, _, errOut := runCLI(t, nil, "version", "--format", "${NOPE}")
	if code != 2 || !strings.Contains(errOut, "--format: environment variable NOPE is not set") {
		t.Fatalf("unset variable: exit %d, stderr %s", code, errOut)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	code, _, errOut = runCLI(t, []string{"DIR=" + dir}, "bench", "rest", "--url", srv.URL, "-n", "${N:-7}", "-c", "1", "-q", "-o", "${DIR}/r.json")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, errOut)
	}
	f, err := results.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil || f.Workloads[0].Totals.Requests != 7 {
		t.Fatalf("results %v: %+v", err, f)
	}
}

// TestOneMeaningPerFlag: -o/--out is the results file (bench, verify, run, report merge), and
// --json the same; encode -o is the output file; the old spellings still work, deprecated, with a
// notice on stderr.
func TestOneMeaningPerFlag(t *testing.T) {
	dir := t.TempDir()
	in := shopFile(t, "samples", "order.json")
	code, _, errOut := runCLI(t, nil, "encode", "--in", in, "-o", filepath.Join(dir, "order2.json"))
	if code != 0 {
		t.Fatalf("encode -o: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "order2.json")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "version", "-o", "json")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "{") || !strings.Contains(errOut, "deprecated, use --format") {
		t.Fatalf("version -o json: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	for _, cmd := range [][]string{{"verify"}, {"bench", "rest"}, {"run"}, {"report", "merge"}, {"bench", "kafka"}} {
		code, out, _ := runCLI(t, nil, append(cmd, "--help")...)
		for _, want := range []string{"-o, --out", "--json", "--html", "--junit", "--md", "--step-summary"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("%s --help lacks %s", strings.Join(cmd, " "), want)
			}
		}
	}
}

// TestCompletionOfEnumeratedValues: cobra's __complete offers the values of enumerated flags.
func TestCompletionOfEnumeratedValues(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "version", "--format", ""}, []string{"text", "json"}},
		{[]string{"__complete", "run", "x.yaml", "--only", ""}, []string{"verify", "bench"}},
		{[]string{"__complete", "bench", "rest", "--format", ""}, []string{"json", "protobuf", "avro"}},
		{[]string{"__complete", "bench", "rest", "--http-client", ""}, []string{"fast", "net"}},
		{[]string{"__complete", "encode", "--compare="}, []string{"text", "json"}},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, nil, tt.args...)
		for _, w := range tt.want {
			if code != 0 || !strings.Contains(out, w+"\n") {
				t.Errorf("%v: exit %d, lacks %q:\n%s%s", tt.args, code, w, out, errOut)
			}
		}
	}
}
