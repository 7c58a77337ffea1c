package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/commbench/commbench/internal/junitxsd"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// TestJUnitValidAgainstXSD: the JUnit XML of every command that writes one (verify, bench, run,
// report render) validates against Jenkins' junit-10.xsd (xmllint --schema), with failures in it:
// a provider that breaks its contract and a breached threshold.
func TestJUnitValidAgainstXSD(t *testing.T) {
	srv := httptest.NewServer(&ordersProvider{broken: true})
	t.Cleanup(srv.Close)
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", "verify", "web-orders-api.json")
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	scenario := at("scenario.yaml")
	if err := os.WriteFile(scenario, []byte(`name: junit-xsd
targets:
  - name: orders
    driver: rest
    address: `+srv.URL+`
contracts:
  - pacts: [`+pact+`]
    http: orders
    state_change_url: `+srv.URL+`/_pact/state
workloads:
  - name: get-order
    target: orders
    operation: request
    method: GET
    path: /orders/o-1
    concurrency: 1
    count: 10
    thresholds: ["p99<10s", "errors>5"]
outputs:
  json: `+at("ignored.json")+`
`), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, junit string
		args        []string
	}{
		{"verify", at("verify.xml"), []string{"verify", "--pact", pact, "--provider-base-url", srv.URL,
			"--state-change-url", srv.URL + "/_pact/state", "--junit", at("verify.xml"), "-o", at("verify.json")}},
		{"bench", at("bench.xml"), []string{"bench", "rest", "--url", srv.URL, "--path", "/orders/o-1", "-n", "10", "-c", "1", "-q",
			"--threshold", "p99<10s", "--threshold", "errors>5", "--junit", at("bench.xml"), "--out", at("bench.json")}},
		{"run", at("run.xml"), []string{"run", scenario, "--junit", at("run.xml"), "-o", at("run.json")}}, // the flags override the scenario's outputs
		{"report render", at("render.xml"), []string{"report", "render", at("run.json"), "--junit", at("render.xml")}},
	}
	for _, st := range steps {
		code, stdout, stderr := runCLI(t, nil, st.args...)
		if code != 1 && !(st.name == "report render" && code == 0) {
			t.Fatalf("%s: exit %d, want 1 (a contract or a threshold failed)\n%s\n%s", st.name, code, stdout, stderr)
		}
		data, err := os.ReadFile(st.junit)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		junitxsd.Validate(t, st.name+"'s JUnit XML", data)
	}
	for _, p := range []string{"verify.json", "bench.json", "run.json"} { // -o/--out: the results file everywhere
		if _, err := results.ReadFile(at(p)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(at("ignored.json")); err == nil {
		t.Error("run -o did not override the scenario's outputs.json")
	}
}
