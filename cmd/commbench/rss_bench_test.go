package main

// Peak memory of the commbench binary on hostile or large inputs (issue 15). Each benchmark
// builds the binary, generates its input, runs it as a child process and reports the child's
// peak resident set (getrusage ru_maxrss) as peak-RSS-MB, and the bytes it wrote. Run:
//
//	COMMBENCH_RSS=1 go test ./cmd/commbench -run '^$' -bench RSS -benchtime 1x    (make bench-rss)
//
// Without COMMBENCH_RSS they are skipped: each takes 30 to 80 s and builds the binary, too long
// for `make bench`.
//
// Targets: decode --ocf of an 8 x 16 MiB inflating file < 256 MB; verify of 100,000
// interactions < 400 MB; verify of a 63 MB pact with a body mismatch < 300 MB, reports < 10 MB.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/commbench/commbench/internal/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// commbenchBinary builds cmd/commbench once per test process.
func commbenchBinary(b *testing.B) string {
	if os.Getenv("COMMBENCH_RSS") == "" {
		b.Skip("peak RSS benchmarks run with COMMBENCH_RSS=1 (make bench-rss)")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "commbench-rss")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "commbench")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = filepath.Join(testenv.ModuleRoot(b), "cmd", "commbench")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binPath
}

// peakRSS runs the binary with args and returns its peak RSS in MB and its exit code; what it
// writes on stdout goes to stdout.
//
// The binary is started by a launcher, a fresh child of this test binary (TestRSSLauncher):
// Linux keeps ru_maxrss across execve and Go starts children with vfork (CLONE_VM), so a child
// started from this process would report this process's peak (the inputs it generated, the
// provider's 63 MB body) as its own. The launcher's own few MB are the floor of the figure.
func peakRSS(b *testing.B, stdout io.Writer, args ...string) (float64, int) {
	b.Helper()
	dir := b.TempDir()
	out := filepath.Join(dir, "stdout")
	raw, err := testenv.RunChild(context.Background(), dir, "TestRSSLauncher", rssJobEnv,
		rssJob{Bin: commbenchBinary(b), Args: args, Stdout: out})
	if err != nil {
		b.Fatalf("launcher: %v\n%s", err, raw)
	}
	_, line, ok := bytes.Cut(raw, []byte(rssResultPrefix))
	if !ok {
		b.Fatalf("launcher printed no result:\n%s", raw)
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	var res rssResult
	if err := json.Unmarshal(line, &res); err != nil {
		b.Fatalf("launcher result %q: %v", line, err)
	}
	if res.Code > 1 {
		b.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	if f, err := os.Open(out); err == nil {
		io.Copy(stdout, f)
		f.Close()
	}
	return float64(res.MaxRSSKB) / 1024, res.Code // ru_maxrss is in KiB on Linux
}

const (
	rssJobEnv       = "COMMBENCH_RSS_JOB"
	rssResultPrefix = "RSS-RESULT "
)

// rssJob is what TestRSSLauncher runs: Bin with Args, stdout to the file Stdout.
type rssJob struct {
	Bin    string
	Args   []string
	Stdout string
}

// rssResult is what TestRSSLauncher measured: the child's ru_maxrss (KiB), exit code and stderr.
type rssResult struct {
	MaxRSSKB int64
	Code     int
	Stderr   string
}

// TestRSSLauncher runs one rssJob and prints its rssResult; it runs only as peakRSS's child.
func TestRSSLauncher(t *testing.T) {
	var job rssJob
	testenv.ChildJob(t, rssJobEnv, &job)
	out, err := os.Create(job.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(job.Bin, job.Args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	res, _ := json.Marshal(rssResult{MaxRSSKB: ru.Maxrss, Code: cmd.ProcessState.ExitCode(), Stderr: stderr.String()})
	fmt.Printf("%s%s\n", rssResultPrefix, res)
}

// countingWriter counts bytes and drops them.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// dirBytes is the total size of the files in dir.
func dirBytes(b *testing.B, dir string) int64 {
	var n int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && !e.IsDir() {
			n += fi.Size()
		}
	}
	return n
}

// BenchmarkRSSDecodeOCFInflating: decode --ocf of a ~130 KB container file whose 8 deflate blocks
// inflate to 16 MB each (16,000 strings of 1 KiB per block).
func BenchmarkRSSDecodeOCFInflating(b *testing.B) {
	commbenchBinary(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "bomb.avro")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := ocf.NewEncoder(`"string"`, f, ocf.WithCodec(ocf.Deflate), ocf.WithBlockLength(16000), ocf.WithEncoderSchemaCache(&avro.SchemaCache{}))
	if err != nil {
		b.Fatal(err)
	}
	kib := strings.Repeat("a", 1024)
	for range 8 * 16000 {
		if err := enc.Encode(kib); err != nil {
			b.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	b.ResetTimer()
	for range b.N {
		var out countingWriter
		rss, _ := peakRSS(b, &out, "decode", "--ocf", path)
		b.ReportMetric(rss, "peak-RSS-MB")
		b.ReportMetric(float64(fi.Size())/1e3, "input-KB")
		b.ReportMetric(float64(out.n)/1e6, "output-MB")
	}
}

// provider answers every request with {"id": "1"}; with big set, POST /big answers a body that
// differs from the pact's at its first byte.
func startRSSProvider(b *testing.B, bigBody []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/big" {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(bigBody)
			return
		}
		io.WriteString(w, `{"id": "1"}`)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// writePact writes a V3 pact with the given interactions.
func writePact(b *testing.B, path string, interactions []any) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(map[string]any{
		"consumer": map[string]any{"name": "web"}, "provider": map[string]any{"name": "orders"},
		"interactions": interactions, "metadata": map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRSSVerify100kInteractions: verify of one pact with 100,000 HTTP interactions, every
// report written.
func BenchmarkRSSVerify100kInteractions(b *testing.B) {
	commbenchBinary(b)
	dir := b.TempDir()
	pact := filepath.Join(dir, "big.json")
	ins := make([]any, 100_000)
	for i := range ins {
		ins[i] = map[string]any{
			"description":    fmt.Sprintf("get order %d", i),
			"providerStates": []any{map[string]any{"name": "order exists", "params": map[string]any{"id": i}}},
			"request":        map[string]any{"method": "GET", "path": fmt.Sprintf("/orders/%d", i), "headers": map[string]any{"Accept": "application/json"}},
			"response": map[string]any{"status": 200, "headers": map[string]any{"Content-Type": "application/json"},
				"body":          map[string]any{"id": "1"},
				"matchingRules": map[string]any{"body": map[string]any{"$.id": map[string]any{"matchers": []any{map[string]any{"match": "type"}}}}}},
		}
	}
	writePact(b, pact, ins)
	verifyRSS(b, pact, startRSSProvider(b, nil), 0, "-q")
}

// verifyRSS runs verify of pact against the provider at url b.N times with every report in a
// folder, wants exit code want, and reports peak RSS, pact, reports and stdout sizes.
func verifyRSS(b *testing.B, pact, url string, want int, extra ...string) {
	fi, _ := os.Stat(pact)
	out := filepath.Join(b.TempDir(), "out")
	b.ResetTimer()
	for range b.N {
		os.RemoveAll(out)
		os.Mkdir(out, 0o755)
		var stdout countingWriter
		args := append([]string{"verify", "--pact", pact, "--provider-base-url", url,
			"--json", filepath.Join(out, "results.json"), "--html", filepath.Join(out, "report.html"),
			"--junit", filepath.Join(out, "junit.xml"), "--md", filepath.Join(out, "report.md")}, extra...)
		rss, code := peakRSS(b, &stdout, args...)
		if code != want {
			b.Fatalf("exit %d, want %d", code, want)
		}
		b.ReportMetric(rss, "peak-RSS-MB")
		b.ReportMetric(float64(fi.Size())/1e6, "pact-MB")
		b.ReportMetric(float64(dirBytes(b, out))/1e6, "reports-MB")
		b.ReportMetric(float64(stdout.n)/1e6, "stdout-MB")
	}
}

// BenchmarkRSSVerifyLargePactMismatch: verify of a 63 MB pact whose one interaction expects a
// 63 MB text body, against a provider answering another 63 MB body: one body mismatch, every
// report and the streaming tree on stdout.
func BenchmarkRSSVerifyLargePactMismatch(b *testing.B) {
	commbenchBinary(b)
	dir := b.TempDir()
	pact := filepath.Join(dir, "large.json")
	const size = 63_000_000
	expected := strings.Repeat("expected line of the body\n", size/26)
	actual := []byte(strings.Repeat("ACTUAL line of the body!!\n", size/26))
	writePact(b, pact, []any{map[string]any{
		"description": "post a big document",
		"request":     map[string]any{"method": "POST", "path": "/big"},
		"response":    map[string]any{"status": 200, "headers": map[string]any{"Content-Type": "text/plain"}, "body": expected},
	}})
	expected = ""
	verifyRSS(b, pact, startRSSProvider(b, actual), 1) // 1: a mismatch
}
