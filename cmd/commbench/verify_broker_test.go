package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/contracts/broker/brokertest"
	"github.com/commbench/commbench/contracts/verifier/messagetest"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/testenv"
)

const brokerToken = "tok-s3cr3t-7f"

// brokerPacts starts a Pact Broker holding the orders provider's pacts from contracts/broker's
// testdata: web's (passes), mobile's (fails; pending when mobilePending) and beta's (WIP, fails).
func brokerPacts(t *testing.T, mobilePending bool) *brokertest.Broker {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "contracts", "broker", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	b := brokertest.New(t, "orders",
		brokertest.Pact{Consumer: "web", Content: read("web-orders.json")},
		brokertest.Pact{Consumer: "mobile", Content: read("mobile-orders.json"), Pending: mobilePending},
		brokertest.Pact{Consumer: "beta", Content: read("beta-orders.json"), WIP: true})
	b.RequireToken(brokerToken)
	return b
}

// ordersAPI is the provider of those pacts: an order without discount or currency.
func ordersAPI(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/orders/1" {
			fmt.Fprint(w, `{"id":"1","total":9.5,"status":"PAID"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVerifyFromBrokerPipeline(t *testing.T) {
	b := brokerPacts(t, true)
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	env := []string{"PACT_BROKER_TOKEN=" + brokerToken}
	code, stdout, stderr := runCLI(t, env, "verify", "--broker-url", b.URL, "--provider-name", "orders",
		"--provider-base-url", ordersAPI(t), "--consumer-version-selectors", `{"mainBranch": true}`,
		"--enable-pending", "--include-wip-pacts-since", "2024-01-01", "--provider-branch", "main",
		"--publish", "--provider-version", "1.2.3", "--provider-tags", "dev", "--build-url", "https://ci.test/7",
		"--json", out("results.json"), "--junit", out("junit.xml"), "--md", out("report.md"), "--html", out("report.html"), "--no-color")
	if code != 0 {
		t.Fatalf("exit %d (mobile and beta are pending and WIP: their failures must not fail the run)\n%s\n%s", code, stdout, stderr)
	}
	// The broker's notices come before each pact's interactions.
	notice := strings.Index(stdout, "This pact is in pending state")
	mobileLine := strings.Index(stdout, "mobile → orders: get order 1 with its discount")
	if notice < 0 || mobileLine < 0 || notice > mobileLine || !strings.Contains(stdout, "(WIP, pending: failures do not fail the run)") {
		t.Errorf("notices not printed before verification:\n%s", stdout)
	}
	f := mustReadResults(t, out("results.json"))
	v := f.Verification
	if v.Summary.Total != 5 || v.Summary.Passed != 3 || v.Summary.PendingFailed != 2 || v.Summary.Failed != 0 {
		t.Errorf("summary %+v", v.Summary)
	}
	if len(v.Pacts) != 3 || !v.Pacts[1].Pending || v.Pacts[1].WIP || !v.Pacts[2].WIP || !v.Pacts[0].Published || v.Pacts[0].URL != b.PactURL("web") {
		t.Errorf("broker pacts %+v", v.Pacts)
	}
	for _, consumer := range []string{"web", "mobile", "beta"} {
		if n := len(b.Published(consumer)); n != 1 {
			t.Errorf("%s: %d results published", consumer, n)
		}
	}
	var pub map[string]any
	_ = json.Unmarshal(b.Published("mobile")[0], &pub)
	if pub["success"] != false || pub["providerApplicationVersion"] != "1.2.3" || pub["buildUrl"] != "https://ci.test/7" || pub["verifiedBy"].(map[string]any)["implementation"] != "commbench" {
		t.Errorf("mobile's published results: %v", pub)
	}
	for _, name := range []string{"results.json", "junit.xml", "report.md", "report.html"} {
		data, err := os.ReadFile(out(name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), brokerToken) {
			t.Errorf("%s shows the broker token", name)
		}
		if !strings.Contains(string(data), b.PactURL("mobile")) {
			t.Errorf("%s does not name mobile's pact URL", name)
		}
	}
	if strings.Contains(stdout+stderr, brokerToken) {
		t.Error("the output shows the broker token")
	}
	echo, _ := json.Marshal(f.Run.Config)
	if !strings.Contains(string(echo), `"auth":"bearer token"`) {
		t.Errorf("config echo: %s", echo)
	}
}

func TestVerifyFromBrokerFailures(t *testing.T) {
	api := ordersAPI(t)
	tests := []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string
	}{
		{"refused token", []string{"PACT_BROKER_TOKEN=wrong-" + brokerToken}, []string{"--consumer-version-selectors", `{"mainBranch": true}`}, 3, "refused the credentials"},
		{"token flag wins over the environment", []string{"PACT_BROKER_TOKEN=wrong"}, []string{"--token", brokerToken, "--consumer-version-selectors", `{"consumer": "web"}`}, 0, ""},
		{"not pending fails", []string{"PACT_BROKER_TOKEN=" + brokerToken}, []string{"--consumer-version-selectors", `{"mainBranch": true}`}, 1, ""},
		{"no pacts", []string{"PACT_BROKER_TOKEN=" + brokerToken}, []string{"--provider-name", "nobody", "--consumer-version-selectors", `{"mainBranch": true}`}, 1, "no pacts"},
		{"no pacts ignored", []string{"PACT_BROKER_TOKEN=" + brokerToken}, []string{"--provider-name", "nobody", "--consumer-version-selectors", `{"mainBranch": true}`, "--ignore-no-pacts-error"}, 0, ""},
		{"publish without version", nil, []string{"--publish"}, 2, "--publish needs --provider-version"},
		{"bad selector", nil, []string{"--consumer-version-selectors", `{"mainbranch": true}`}, 2, `unknown field "mainbranch"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := brokerPacts(t, false)
			args := append([]string{"verify", "--broker-url", b.URL, "--provider-name", "orders", "--provider-base-url", api, "--no-color"}, tc.args...)
			code, stdout, stderr := runCLI(t, tc.env, args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, want %d with %q\n%s\n%s", code, tc.code, tc.stderr, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, brokerToken) {
				t.Error("the output shows the broker token")
			}
		})
	}
	// PACT_BROKER_BASE_URL stands for --broker-url only when no --pact is given.
	b := brokerPacts(t, false)
	if code, stdout, stderr := runCLI(t, []string{"PACT_BROKER_BASE_URL=" + b.URL, "PACT_BROKER_TOKEN=" + brokerToken, "PACT_PROVIDER_NAME=orders"},
		"verify", "--provider-base-url", api, "--consumer-version-selectors", `{"consumer": "web"}`); code != 0 || !strings.Contains(stdout, "web → orders") {
		t.Errorf("broker from the environment: exit %d\n%s\n%s", code, stdout, stderr)
	}
	pact := filepath.Join(testenv.ModuleRoot(t), "contracts", "broker", "testdata", "web-orders.json")
	if code, stdout, stderr := runCLI(t, []string{"PACT_BROKER_BASE_URL=http://127.0.0.1:1"}, "verify", "--pact", pact, "--provider-base-url", api); code != 0 {
		t.Errorf("--pact with PACT_BROKER_BASE_URL set: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"verify", "--provider-base-url", api}, {"verify", "--broker-url", "http://127.0.0.1:1", "--provider-base-url", api}, {"verify", "--pact", "x.json", "--publish"}} {
		if code, _, stderr := runCLI(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}

// A message pact from the broker is verified on the real broker (here kfake) as a pact file is.
func TestVerifyMessagePactFromBrokerOverKafka(t *testing.T) {
	content, err := os.ReadFile(testenv.SharedFile(t, "real-pacts", "message-with-metadata-v4.json"))
	if err != nil {
		t.Fatal(err)
	}
	b := brokertest.New(t, "AmqpProviderWithMetadata", brokertest.Pact{Consumer: "test_consumer", Content: content})
	_, addr := kafkatest.NewCluster(t, 1, 1, "events")
	provider := openBroker(t, kafka.New(), addr)
	trigger := httptest.NewServer(messagetest.PublishOnPost(provider, func() *drivers.Message { return metadataMessage("events", "correct") }))
	defer trigger.Close()
	code, stdout, stderr := runCLI(t, nil, "verify", "--broker-url", b.URL, "--provider-name", "AmqpProviderWithMetadata",
		"--consumer-version-selectors", `{"mainBranch": true}`, "--kafka-brokers", addr, "--message-route", "^A message with metadata$=kafka://events",
		"--trigger-url", "metadata="+trigger.URL+"/publish", "--message-timeout", "2s", "--publish", "--provider-version", "9", "--no-color")
	if code != 0 || !strings.Contains(stdout, "A message with metadata [message] (passed)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var pub map[string]any
	if p := b.Published("test_consumer"); len(p) == 1 {
		_ = json.Unmarshal(p[0], &pub)
	}
	if pub["success"] != true {
		t.Errorf("published %v", pub)
	}
}

func TestRunScenarioWithBrokerBlock(t *testing.T) {
	b := brokerPacts(t, true)
	dir := t.TempDir()
	scen := filepath.Join(dir, "pipeline.yaml")
	yaml := `name: provider-pipeline
targets:
  - name: orders-api
    driver: rest
    address: ` + ordersAPI(t) + `
contracts:
  - http: orders-api
    consumer: mobile
    broker:
      url: ` + b.URL + `
      provider: orders
      consumer_version_selectors: [{mainBranch: true}]
      enable_pending: true
      provider_branch: main
      publish: true
      provider_version: ${GIT_SHA}
outputs:
  json: ` + filepath.Join(dir, "results.json") + `
`
	if err := os.WriteFile(scen, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, []string{"PACT_BROKER_TOKEN=" + brokerToken, "GIT_SHA=abc123"}, "run", scen, "--no-color")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	f := mustReadResults(t, filepath.Join(dir, "results.json"))
	if len(f.Verification.Pacts) != 1 || f.Verification.Pacts[0].Consumer != "mobile" || f.Verification.Summary.PendingFailed != 1 {
		t.Errorf("verification %+v", f.Verification)
	}
	if len(b.Published("mobile")) != 1 || len(b.Published("web")) != 0 {
		t.Errorf("published for mobile %d, web %d; want 1 and 0 (consumer filter)", len(b.Published("mobile")), len(b.Published("web")))
	}
	if echo, _ := json.Marshal(f.Run.Config); strings.Contains(string(echo), brokerToken) {
		t.Errorf("the scenario echo shows the token: %s", echo)
	}
}

func TestVerifyFromBrokerRetries(t *testing.T) {
	api := ordersAPI(t)
	for _, tc := range []struct {
		retries string
		code    int
	}{{"", 0}, {"0", 3}} {
		b := brokerPacts(t, false)
		b.Fail(http.MethodPost, "/pacts/provider/orders/for-verification", 1, http.StatusServiceUnavailable)
		args := []string{"verify", "--broker-url", b.URL, "--provider-name", "orders", "--provider-base-url", api,
			"--token", brokerToken, "--consumer-version-selectors", `{"consumer": "web"}`}
		if tc.retries != "" {
			args = append(args, "--retries", tc.retries)
		}
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != tc.code {
			t.Errorf("--retries %q after one 503: exit %d, want %d\n%s\n%s", tc.retries, code, tc.code, stdout, stderr)
		}
		if tc.code == 3 && !strings.Contains(stderr, "unavailable") {
			t.Errorf("stderr: %s", stderr)
		}
	}
}
