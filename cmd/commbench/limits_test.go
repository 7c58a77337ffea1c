package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPayloadTemplateSizeLimit: a body template whose payload passes the limit fails with exit 2
// before any request (default 16 MiB; --max-payload-bytes sets it).
func TestPayloadTemplateSizeLimit(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := write("huge.json", `{"s": "`+strings.Repeat("{{randString 65536}}", 300)+`"}`) // 19.7 MB per payload
	small := write("small.json", `{"s": "{{randString 2000}}"}`)
	bench := func(args ...string) (int, string) {
		code, stdout, stderr := runCLI(t, nil, append([]string{"bench", "rest", "--url", srv.URL, "-X", "POST", "--path", "/p", "-n", "2", "-c", "1"}, args...)...)
		return code, stdout + stderr
	}
	if code, out := bench("--body-template", huge); code != 2 || !strings.Contains(out, "passes the limit of 16777216 bytes") || !strings.Contains(out, "--max-payload-bytes") {
		t.Fatalf("huge template: exit %d, want 2 naming the limit and the flag:\n%s", code, out)
	}
	if code, out := bench("--body-template", small, "--max-payload-bytes", "1000"); code != 2 || !strings.Contains(out, "passes the limit of 1000 bytes") {
		t.Fatalf("limit 1000: exit %d, want 2:\n%s", code, out)
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests sent with a template past the limit", n)
	}
	if code, out := bench("--body-template", small); code != 0 {
		t.Fatalf("small template: exit %d:\n%s", code, out)
	}
}
