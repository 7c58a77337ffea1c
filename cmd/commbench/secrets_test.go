package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canaries are distinct secrets, one per channel a secret reaches commbench by. None may appear
// in any byte commbench writes: stdout, stderr, results, reports.
var canaries = map[string]string{
	"flag header":             "CANARY-FLAG-HEADER-7c1",
	"env via ${VAR} (flag)":   "CANARY-ENV-VAR-FLAG-a93",
	"scenario ${VAR} header":  "CANARY-SCENARIO-HEADER-4d2",
	"scenario ${VAR} address": "CANARY-SCENARIO-USERINFO-e57",
	"scenario ${VAR} state":   "CANARY-SCENARIO-STATE-b88",
	"provider URL user info":  "CANARY-PROVIDER-USERINFO-0f3",
	"state URL user info":     "CANARY-STATE-USERINFO-61a",
	"state URL query":         "CANARY-STATE-QUERY-2b9",
	"pact URL user info":      "CANARY-PACT-USERINFO-95e",
	"pact URL query":          "CANARY-PACT-QUERY-c40",
	"broker token env":        "CANARY-PACT-BROKER-TOKEN-d71",
	"bench URL user info":     "CANARY-BENCH-USERINFO-38f",
	"bench path query":        "CANARY-BENCH-QUERY-5e6",
	"amqp URL password":       "CANARY-AMQP-PASSWORD-817",
	"sasl password":           "CANARY-SASL-PASSWORD-a0b",
	"registry URL user info":  "CANARY-REGISTRY-USERINFO-7d4",
	"registry password env":   "CANARY-REGISTRY-PASSWORD-6e2",
}

// canaryPact is an HTTP pact with one interaction and a provider state.
const canaryPact = `{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{
    "description": "get order 1", "providerStates": [{"name": "order 1 exists"}],
    "request": {"method": "GET", "path": "/orders/1"},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": "1"}}
  }],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}`

// canaryEnv is the environment of every canary run: secrets in variables flags and scenarios
// reference, and in the variables commbench reads itself.
func canaryEnv() []string {
	return []string{
		"API_KEY=" + canaries["env via ${VAR} (flag)"],
		"SC_TOKEN=" + canaries["scenario ${VAR} header"],
		"SC_PASS=" + canaries["scenario ${VAR} address"],
		"SC_STATE=" + canaries["scenario ${VAR} state"],
		"AMQP_PASS=" + canaries["amqp URL password"],
		"KAFKA_PASS=" + canaries["sasl password"],
		"PACT_BROKER_TOKEN=" + canaries["broker token env"],
		"COMMBENCH_SCHEMA_REGISTRY_USERNAME=registry-user",
		"COMMBENCH_SCHEMA_REGISTRY_PASSWORD=" + canaries["registry password env"],
	}
}

// canaryServers starts the provider (good or bad), the state change endpoint and a pact server.
type canaryServers struct{ provider, badProvider, states, pacts *httptest.Server }

func startCanaryServers(t *testing.T) canaryServers {
	t.Helper()
	var s canaryServers
	s.provider = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": "1"}`)
	}))
	s.badProvider = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "internal error")
	}))
	s.states = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	s.pacts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, canaryPact)
	}))
	for _, srv := range []*httptest.Server{s.provider, s.badProvider, s.states, s.pacts} {
		t.Cleanup(srv.Close)
	}
	return s
}

// withUser puts user:secret@ into an http://host URL.
func withUser(u, secret string) string {
	return strings.Replace(u, "http://", "http://user:"+secret+"@", 1)
}

// assertNoCanary runs the CLI at --log-level debug with every output in dir, and fails when a
// canary appears in stdout, stderr or any file written. It returns the exit code.
func assertNoCanary(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append(args, "--log-level", "debug")
	code := Execute(context.Background(), args, canaryEnv(), strings.NewReader(""), &stdout, &stderr)
	outputs := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".json.in") {
			b, _ := os.ReadFile(p)
			outputs[filepath.Base(p)] = b
		}
		return nil
	})
	if len(outputs) < 3 && code < 2 { // a command that could not start writes no report
		t.Errorf("no output file was written (exit %d)", code)
	}
	for name, b := range outputs {
		for channel, c := range canaries {
			if i := bytes.Index(b, []byte(c)); i >= 0 {
				t.Errorf("%s holds the %s canary: ...%s...", name, channel, b[max(0, i-120):min(len(b), i+len(c)+40)])
			}
		}
	}
	log := fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	if t.Failed() {
		t.Log(log)
	}
	return code, log
}

// outputFlags are verify's and bench's output flags into dir.
func outputFlags(dir string, bench bool) []string {
	if bench {
		return []string{"--out", filepath.Join(dir, "results.json"), "--html", filepath.Join(dir, "report.html"),
			"--junit", filepath.Join(dir, "junit.xml"), "--md", filepath.Join(dir, "report.md")}
	}
	return []string{"--json", filepath.Join(dir, "results.json"), "--html", filepath.Join(dir, "report.html"),
		"--junit", filepath.Join(dir, "junit.xml"), "--md", filepath.Join(dir, "report.md")}
}

// TestNoSecretInAnyOutput seeds a distinct canary into every channel and runs verify, bench and
// run on the success path and on each error path.
func TestNoSecretInAnyOutput(t *testing.T) {
	s := startCanaryServers(t)
	const refused = "http://127.0.0.1:1" // nothing listens on port 1
	stateURL := func(base string) string {
		return withUser(base, canaries["state URL user info"]) + "/_states?token=" + canaries["state URL query"]
	}
	pactURL := func(base string) string {
		return withUser(base, canaries["pact URL user info"]) + "/pact.json?token=" + canaries["pact URL query"]
	}
	headers := []string{"--header", "Authorization: Bearer " + canaries["flag header"], "--header", "X-Api-Key: ${API_KEY}"}
	registry := []string{"--schema-registry", withUser(refused, canaries["registry URL user info"])}

	verify := func(pact, provider, states string, extra ...string) []string {
		args := []string{"verify", "--pact", pact, "--provider-base-url", withUser(provider, canaries["provider URL user info"]),
			"--state-change-url", states}
		return append(append(args, headers...), extra...)
	}
	for _, c := range []struct {
		name     string
		args     func(dir string) []string
		wantCode int
	}{
		{"verify/success", func(string) []string { return verify(pactURL(s.pacts.URL), s.provider.URL, stateURL(s.states.URL)) }, 0},
		{"verify/unreachable state change URL", func(string) []string { return verify(pactURL(s.pacts.URL), s.provider.URL, stateURL(refused)) }, 3},
		{"verify/unreachable pact URL", func(string) []string { return verify(pactURL(refused), s.provider.URL, stateURL(s.states.URL)) }, -1},
		{"verify/bad provider", func(string) []string { return verify(pactURL(s.pacts.URL), s.badProvider.URL, stateURL(s.states.URL)) }, 1},
		{"verify/unreachable provider", func(string) []string { return verify(pactURL(s.pacts.URL), refused, stateURL(s.states.URL)) }, 3},
		{"verify/refused broker and registry", func(string) []string {
			return verify(pactURL(s.pacts.URL), s.provider.URL, stateURL(s.states.URL),
				append([]string{"--amqp-url", "amqp://guest:" + canaries["amqp URL password"] + "@127.0.0.1:1/"}, registry...)...)
		}, 3},
		{"bench/success", func(string) []string {
			return append([]string{"bench", "rest", "--url", withUser(s.provider.URL, canaries["bench URL user info"]),
				"--path", "/orders/1?token=" + canaries["bench path query"], "-n", "20", "-c", "2"}, headers...)
		}, 0},
		{"bench/bad provider", func(string) []string {
			return append([]string{"bench", "rest", "--url", withUser(s.badProvider.URL, canaries["bench URL user info"]),
				"--path", "/orders/1?token=" + canaries["bench path query"], "-n", "20", "-c", "2", "--threshold", "error_rate==0"}, headers...)
		}, 1},
		{"bench/unreachable", func(string) []string {
			return append([]string{"bench", "rest", "--url", withUser(refused, canaries["bench URL user info"]),
				"--path", "/orders/1?token=" + canaries["bench path query"], "-n", "20"}, headers...)
		}, 3},
		{"bench/refused broker", func(string) []string {
			return []string{"bench", "amqp", "--url", "amqp://guest:" + canaries["amqp URL password"] + "@127.0.0.1:1/", "--route", "/q", "-n", "5"}
		}, 3},
		{"run/success", func(dir string) []string {
			return runArgs(t, dir, s, s.provider.URL, s.states.URL, pactURL(s.pacts.URL), false)
		}, 0},
		{"run/unreachable state change URL", func(dir string) []string {
			return runArgs(t, dir, s, s.provider.URL, refused, pactURL(s.pacts.URL), false)
		}, 3},
		{"run/unreachable pact URL", func(dir string) []string {
			return runArgs(t, dir, s, s.provider.URL, s.states.URL, pactURL(refused), false)
		}, -1},
		{"run/bad provider", func(dir string) []string {
			return runArgs(t, dir, s, s.badProvider.URL, s.states.URL, pactURL(s.pacts.URL), false)
		}, 1},
		{"run/refused broker", func(dir string) []string {
			return runArgs(t, dir, s, s.provider.URL, s.states.URL, pactURL(s.pacts.URL), true)
		}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := c.args(dir)
			if args[0] != "run" {
				args = append(args, outputFlags(dir, args[0] == "bench")...)
			}
			code, log := assertNoCanary(t, dir, args...)
			if c.wantCode >= 0 && code != c.wantCode || c.wantCode < 0 && code == 0 {
				t.Errorf("exit %d, want %d (-1: an error)\n%s", code, c.wantCode, log)
			}
		})
	}
}

// runArgs writes a scenario whose secrets all come from ${VAR}s and URLs, and returns the run
// arguments with every output in dir. With brokers, it adds AMQP and Kafka (SASL) targets that
// refuse connections, with a workload on each.
func runArgs(t *testing.T, dir string, s canaryServers, provider, states, pact string, brokers bool) []string {
	t.Helper()
	provider = strings.Replace(provider, "http://", "http://user:${SC_PASS}@", 1)
	states = strings.Replace(states, "http://", "http://user:${SC_STATE}@", 1) + "/_states?token=${SC_STATE}"
	yaml := fmt.Sprintf(`name: canary
targets:
  - name: api
    driver: rest
    address: %s
    headers: {Authorization: "Bearer ${SC_TOKEN}", X-Static: %q}
contracts:
  - pacts: [%q]
    http: api
    state_change_url: %s
workloads:
  - name: get
    target: api
    operation: request
    method: GET
    path: /orders/1?token=%s
    count: 10
    concurrency: 1
outputs: {json: results.json}
`, provider, canaries["flag header"], pact, states, canaries["bench path query"])
	if brokers {
		yaml = strings.Replace(yaml, "contracts:", `  - name: rabbit
    driver: amqp
    address: amqp://guest:${AMQP_PASS}@127.0.0.1:1/
    connect_timeout: 1s
  - name: kafka
    driver: kafka
    address: 127.0.0.1:1
    username: commbench
    password: ${KAFKA_PASS}
    connect_timeout: 1s
    options: {sasl: plain}
contracts:`, 1)
		yaml = strings.Replace(yaml, "outputs:", `  - name: publish
    target: rabbit
    operation: publish
    route: /q
    count: 5
  - name: produce
    target: kafka
    operation: produce
    route: t
    count: 5
outputs:`, 1)
	}
	path := filepath.Join(dir, "canary.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"run", path,
		"--set", "outputs.html=" + filepath.Join(dir, "report.html"), "--set", "outputs.junit=" + filepath.Join(dir, "junit.xml"),
		"--set", "outputs.json=" + filepath.Join(dir, "results.json"), "--set", "outputs.md=" + filepath.Join(dir, "report.md")}
}
