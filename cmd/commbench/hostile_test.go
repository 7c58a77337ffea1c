package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hostile holds what a pact or a provider may use to drive a terminal or a CI log: ESC (CSI
// erase), OSC (window title, hyperlink), BEL, NUL, C1 CSI, and line breaks that start GitHub
// Actions and Azure Pipelines commands.
const hostile = "x\x1b[2J\x1b]0;owned\x07\x1b]8;;http://evil\x1b\\\x00\u009b31m\n::error title=owned::pwned\r\n::add-mask::x\n##vso[task.setvariable variable=x]y"

// ciCommand matches a line a CI runner would execute.
var ciCommand = regexp.MustCompile(`(?m)^\s*(::[a-z-]+|##vso\[)`)

// TestHostileStringsReachNoConsoleRaw verifies a pact whose consumer, provider, description and
// provider state hold hostile strings against a provider that answers with them, and checks the
// console output (stdout and stderr, --log-level debug) for any of them raw.
func TestHostileStringsReachNoConsoleRaw(t *testing.T) {
	pact := map[string]any{
		"consumer": map[string]any{"name": "web" + hostile}, "provider": map[string]any{"name": "orders" + hostile},
		"interactions": []any{map[string]any{
			"description":    "get order" + hostile,
			"providerStates": []any{map[string]any{"name": "state" + hostile}},
			"request":        map[string]any{"method": "GET", "path": "/orders/1"},
			"response": map[string]any{"status": 200, "headers": map[string]any{"Content-Type": "application/json"},
				"body": map[string]any{"id": "1" + hostile}},
		}},
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	}
	b, err := json.Marshal(pact)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "hostile.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_states" {
			w.WriteHeader(http.StatusBadRequest) // the state change fails with a hostile answer
			io.WriteString(w, hostile)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "2" + hostile, "extra": hostile})
	}))
	defer provider.Close()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"mismatch", []string{"verify", "--pact", path, "--provider-base-url", provider.URL}},
		{"state change error", []string{"verify", "--pact", path, "--provider-base-url", provider.URL, "--state-change-url", provider.URL + "/_states"}},
		{"filter matches nothing", []string{"verify", "--pact", path, "--provider-base-url", provider.URL, "--description", "^nothing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), append(c.args, "--log-level", "debug", "--md", "-"), nil, strings.NewReader(""), &stdout, &stderr)
			if code == 0 && c.name != "filter matches nothing" {
				t.Errorf("exit 0 for a failing verification")
			}
			console := stdout.String() + stderr.String()
			if !strings.Contains(console, "get order") && c.name != "filter matches nothing" {
				t.Fatalf("the interaction is not in the output (exit %d):\n%s", code, console)
			}
			for _, raw := range []string{"\x1b", "\x07", "\x00", "\u009b", "\r"} {
				if strings.Contains(console, raw) {
					t.Errorf("console output holds %q raw", raw)
				}
			}
			if m := ciCommand.FindString(console); m != "" {
				t.Errorf("a line starts a CI command (%q)", m)
			}
			if t.Failed() {
				t.Logf("exit %d, console:\n%q", code, console)
			}
		})
	}
}
