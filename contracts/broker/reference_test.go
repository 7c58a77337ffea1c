package broker_test

// Differential tests: Pact's reference verifier (`pact verifier`, pact_verifier_cli) and commbench's
// broker client plus contracts/verifier run against the same in-process broker (brokertest) and
// the same in-process provider; both must send the same broker requests (method, path as sent,
// JSON body, volatile fields normalized) and reach the same verdicts.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/contracts/broker/brokertest"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
)

// ordersProvider answers GET /orders/1 with an order (no discount, no currency) and 404 otherwise:
// web's pact passes, mobile's and beta's fail.
func ordersProvider(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && r.URL.Path == "/orders/1" {
			fmt.Fprint(w, `{"id":"1","total":9.5,"status":"PAID"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"not found"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func pactFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pipeline is one provider pipeline run, as flags of the reference verifier.
type pipeline struct {
	selectors     []string
	tags          []string
	pending       bool
	wipSince      string
	branch        string
	providerTags  []string
	publish       bool
	version       string
	buildURL      string
	token         string
	user, pass    string
	ignoreNoPacts bool
}

func (p pipeline) args(brokerURL, provider string, prov *url.URL) []string {
	a := []string{"verifier", "--broker-url", brokerURL, "--provider-name", provider,
		"--hostname", prov.Hostname(), "--port", prov.Port(), "--no-colour", "--loglevel", "error"}
	for _, s := range p.selectors {
		a = append(a, "--consumer-version-selectors", s)
	}
	if len(p.tags) > 0 {
		a = append(a, "--consumer-version-tags", strings.Join(p.tags, ","))
	}
	if p.pending {
		a = append(a, "--enable-pending")
	}
	if p.wipSince != "" {
		a = append(a, "--include-wip-pacts-since", p.wipSince)
	}
	if p.branch != "" {
		a = append(a, "--provider-branch", p.branch)
	}
	if len(p.providerTags) > 0 {
		a = append(a, "--provider-tags", strings.Join(p.providerTags, ","))
	}
	if p.publish {
		a = append(a, "--publish", "--provider-version", p.version)
	}
	if p.buildURL != "" {
		a = append(a, "--build-url", p.buildURL)
	}
	if p.token != "" {
		a = append(a, "--token", p.token)
	}
	if p.user != "" {
		a = append(a, "--user", p.user, "--password", p.pass)
	}
	if p.ignoreNoPacts {
		a = append(a, "--ignore-no-pacts-error")
	}
	return a
}

// verdict is what a run concluded: its exit code and, per broker interaction id, whether it passed
// and whether its failure was pending (non-fatal).
type verdict struct {
	exit           int
	passed         map[string]bool
	pendingFailing []string
}

// runReference runs `pact verifier` and reads its JSON report.
func runReference(t *testing.T, b *brokertest.Broker, prov *url.URL, p pipeline) verdict {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	args := append(p.args(b.URL, b.Provider, prov), "--json", report)
	cmd := exec.Command(brokertest.PactCLI(t), args...)
	cmd.Env = []string{"PACT_DO_NOT_TRACK=true", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	v := verdict{passed: map[string]bool{}}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		v.exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("pact verifier: %v\n%s", err, out)
	}
	t.Logf("pact verifier exit %d:\n%s", v.exit, out)
	data, err := os.ReadFile(report)
	if err != nil {
		return v // no report: it stopped before verifying
	}
	var rep struct {
		InteractionResults []struct {
			InteractionID string `json:"interactionId"`
			Result        string `json:"result"`
		} `json:"interactionResults"`
		PendingErrors []struct {
			Mismatch struct {
				InteractionID string `json:"interactionId"`
			} `json:"mismatch"`
		} `json:"pendingErrors"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reference report: %v", err)
	}
	for _, r := range rep.InteractionResults {
		v.passed[r.InteractionID] = r.Result == "OK"
	}
	for _, e := range rep.PendingErrors {
		v.pendingFailing = append(v.pendingFailing, e.Mismatch.InteractionID)
	}
	sort.Strings(v.pendingFailing)
	return v
}

// runCommbench runs commbench's side: broker.Client, then contracts/verifier per pact through a
// REST connection, publishing through broker.Session; the exit code as cmd/commbench maps it.
func runCommbench(t *testing.T, b *brokertest.Broker, prov *url.URL, p pipeline) (verdict, *results.Verification, error) {
	t.Helper()
	ctx := context.Background()
	cfg := broker.Config{
		URL: b.URL, Provider: b.Provider, Auth: broker.Auth{Token: p.token, Username: p.user, Password: p.pass},
		ConsumerVersionTags: p.tags, EnablePending: p.pending, IncludeWIPPactsSince: p.wipSince,
		ProviderBranch: p.branch, ProviderTags: p.providerTags, IgnoreNoPactsError: p.ignoreNoPacts,
		RetryDelay: 10 * time.Millisecond,
	}
	for _, s := range p.selectors {
		sel, err := broker.ParseSelector(s)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Selectors = append(cfg.Selectors, sel)
	}
	client, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v := verdict{passed: map[string]bool{}}
	pacts, err := client.Fetch(ctx)
	if err != nil {
		v.exit = exitcode.Code(err)
		return v, nil, err
	}
	conn, err := rest.New().Open(ctx, drivers.Target{Address: "http://" + prov.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s := broker.Session{Client: client}
	if p.publish {
		s.Publish = &broker.Publication{ProviderVersion: p.version, ProviderBranch: p.branch, ProviderTags: p.providerTags, BuildURL: p.buildURL}
	}
	res, err := s.Verify(ctx, pacts, func(ctx context.Context, pact *contracts.Pact) (*results.Verification, error) {
		return verifier.Verify(ctx, verifier.Config{HTTP: conn.(drivers.Requester)}, []*contracts.Pact{pact})
	})
	for _, r := range res.Interactions {
		v.passed[r.InteractionID] = r.Status == results.StatusPassed
		if r.Pending && r.Status != results.StatusPassed {
			v.pendingFailing = append(v.pendingFailing, r.InteractionID)
		}
	}
	sort.Strings(v.pendingFailing)
	file := &results.File{Verification: res}
	switch {
	case err != nil:
		v.exit = exitcode.Code(err)
	case file.Failed():
		v.exit = exitcode.Failed
	}
	return v, res, err
}

// normalized renders the requests as "METHOD path [headers] body" lines (the Authorization,
// Accept and Content-Type headers); JSON bodies are re-encoded with
// sorted keys; verifiedBy (the tool's own name and version) and each mismatch's description (the
// tool's own sentence; attribute and identifier are compared) are replaced by placeholders.
func normalized(t *testing.T, reqs []brokertest.Request) []string {
	t.Helper()
	var out []string
	for _, r := range reqs {
		line := r.Method + " " + r.Path
		// The headers that matter to a broker: credentials, content negotiation.
		line += fmt.Sprintf(" [authorization=%q accept=%q content-type=%q]", r.Header.Get("Authorization"), r.Header.Values("Accept"), r.Header.Get("Content-Type"))
		if len(r.Body) > 0 {
			var doc any
			if err := json.Unmarshal(r.Body, &doc); err != nil {
				t.Fatalf("%s %s: body is not JSON: %v", r.Method, r.Path, err)
			}
			if m, ok := doc.(map[string]any); ok {
				if _, ok := m["verifiedBy"]; ok {
					m["verifiedBy"] = "(tool)"
				}
				tests, _ := m["testResults"].([]any)
				for _, tr := range tests {
					ms, _ := tr.(map[string]any)["mismatches"].([]any)
					for _, mm := range ms {
						if o, ok := mm.(map[string]any); ok && o["description"] != nil {
							o["description"] = "(text)"
						}
					}
				}
			}
			b, _ := json.Marshal(doc)
			line += " " + string(b)
		}
		out = append(out, line)
	}
	return out
}

// compare runs both tools on fresh copies of the same broker and asserts the same requests and
// verdicts; it returns commbench's side for further checks.
func compare(t *testing.T, newBroker func(t *testing.T) *brokertest.Broker, p pipeline) (verdict, *results.Verification, error, *brokertest.Broker) {
	t.Helper()
	prov, _ := url.Parse(ordersProvider(t).URL)
	refBroker := newBroker(t)
	ref := runReference(t, refBroker, prov, p)
	cbBroker := newBroker(t)
	cb, res, err := runCommbench(t, cbBroker, prov, p)
	refReqs, cbReqs := normalized(t, refBroker.Requests()), normalized(t, cbBroker.Requests())
	if !reflect.DeepEqual(refReqs, cbReqs) {
		t.Errorf("broker requests differ\nreference:\n  %s\ncommbench:\n  %s", strings.Join(refReqs, "\n  "), strings.Join(cbReqs, "\n  "))
	}
	if len(refReqs) == 0 {
		t.Error("the reference sent no request: nothing compared")
	}
	if !reflect.DeepEqual(ref.passed, cb.passed) || !reflect.DeepEqual(ref.pendingFailing, cb.pendingFailing) {
		t.Errorf("verdicts differ\nreference: passed %v, pending failures %v\ncommbench: passed %v, pending failures %v", ref.passed, ref.pendingFailing, cb.passed, cb.pendingFailing)
	}
	if ref.exit != cb.exit {
		t.Errorf("exit code: reference %d, commbench %d (err %v)", ref.exit, cb.exit, err)
	}
	return cb, res, err, cbBroker
}

func pacts(t *testing.T, specs ...brokertest.Pact) func(t *testing.T) *brokertest.Broker {
	return func(t *testing.T) *brokertest.Broker { return brokertest.New(t, "orders", specs...) }
}

func TestReferenceSelectorsAndBranch(t *testing.T) {
	web := brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")}
	for _, tc := range []struct {
		name string
		p    pipeline
	}{
		{"selectors, branch, provider tags", pipeline{
			selectors: []string{`{"mainBranch": true}`, `{"deployedOrReleased": true}`, `{"branch": "feat/x", "consumer": "web", "fallbackBranch": "main"}`},
			pending:   true, branch: "feat/x+y", providerTags: []string{"a", "b c"},
		}},
		{"consumer version tags", pipeline{tags: []string{"prod", "main"}, branch: "main"}},
		{"no selectors: latest pacts", pipeline{}},
		{"basic auth", pipeline{selectors: []string{`{"mainBranch": true}`}, user: "ci", pass: "pa55:word"}},
		{"bearer token", pipeline{selectors: []string{`{"mainBranch": true}`}, token: "tok"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, _, err, b := compare(t, pacts(t, web), tc.p)
			if err != nil || cb.exit != 0 || len(cb.passed) != 2 {
				t.Fatalf("commbench: exit %d, err %v, %d interactions", cb.exit, err, len(cb.passed))
			}
			if tc.p.branch != "" {
				var post []byte
				for _, r := range b.Requests() {
					if r.Method == http.MethodPost {
						post = r.Body
					}
				}
				if !bytes.Contains(post, []byte(`"providerVersionBranch":"`+tc.p.branch+`"`)) {
					t.Errorf("POST body %s lacks the provider branch", post)
				}
			}
		})
	}
}

func TestReferencePendingPactFailingDoesNotFailTheRun(t *testing.T) {
	specs := pacts(t,
		brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")},
		brokertest.Pact{Consumer: "mobile", Content: pactFile(t, "mobile-orders.json"), Pending: true})
	cb, res, err, _ := compare(t, specs, pipeline{selectors: []string{`{"mainBranch": true}`}, pending: true, branch: "main"})
	if err != nil || cb.exit != 0 {
		t.Fatalf("commbench: exit %d, err %v", cb.exit, err)
	}
	if res.Summary.PendingFailed != 1 || res.Summary.Failed != 0 {
		t.Errorf("summary %+v, want 1 pending failure and no failure", res.Summary)
	}
	if len(res.Pacts) != 2 || !res.Pacts[1].Pending || res.Pacts[0].Pending || len(res.Pacts[1].Notices) == 0 {
		t.Errorf("broker pacts %+v: want mobile pending with notices", res.Pacts)
	}
	// The same pact, not pending, fails the run for both tools.
	specs = pacts(t, brokertest.Pact{Consumer: "mobile", Content: pactFile(t, "mobile-orders.json")})
	cb, _, _, _ = compare(t, specs, pipeline{selectors: []string{`{"mainBranch": true}`}, pending: true, branch: "main"})
	if cb.exit != exitcode.Failed {
		t.Errorf("commbench exit %d for a failing pact that is not pending, want 1", cb.exit)
	}
}

func TestReferenceWIPPactsIncluded(t *testing.T) {
	specs := pacts(t,
		brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")},
		brokertest.Pact{Consumer: "beta", Content: pactFile(t, "beta-orders.json"), WIP: true})
	cb, res, err, _ := compare(t, specs, pipeline{selectors: []string{`{"mainBranch": true}`}, pending: true, wipSince: "2024-01-01", branch: "main"})
	if err != nil || cb.exit != 0 || len(cb.passed) != 3 {
		t.Fatalf("commbench: exit %d, err %v, %d interactions (want web's 2 and beta's WIP one)", cb.exit, err, len(cb.passed))
	}
	if len(res.Pacts) != 2 || !res.Pacts[1].WIP || !res.Interactions[2].WIP || !res.Interactions[2].Pending {
		t.Errorf("beta's pact and interaction should be WIP and pending: %+v", res.Pacts)
	}
	// Without the WIP date the broker leaves it out.
	cb, _, _, _ = compare(t, specs, pipeline{selectors: []string{`{"mainBranch": true}`}, pending: true, branch: "main"})
	if len(cb.passed) != 2 {
		t.Errorf("without --include-wip-pacts-since: %d interactions, want 2", len(cb.passed))
	}
}

func TestReferencePublishesResults(t *testing.T) {
	specs := pacts(t,
		brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")},
		brokertest.Pact{Consumer: "mobile", Content: pactFile(t, "mobile-orders.json")})
	p := pipeline{
		selectors: []string{`{"mainBranch": true}`}, branch: "main", providerTags: []string{"dev", "feat/x"},
		publish: true, version: "1.2.3", buildURL: "https://ci.example.com/builds/7",
	}
	cb, _, err, b := compare(t, specs, p)
	if err != nil || cb.exit != exitcode.Failed {
		t.Fatalf("commbench: exit %d, err %v; want 1 (mobile's pact fails)", cb.exit, err)
	}
	for consumer, success := range map[string]bool{"web": true, "mobile": false} {
		pub := b.Published(consumer)
		if len(pub) != 1 {
			t.Fatalf("%s: %d results published, want 1", consumer, len(pub))
		}
		var body struct {
			Success bool   `json:"success"`
			Version string `json:"providerApplicationVersion"`
			Tests   []struct {
				Success    bool             `json:"success"`
				Mismatches []map[string]any `json:"mismatches"`
			} `json:"testResults"`
		}
		_ = json.Unmarshal(pub[0], &body)
		if body.Success != success || body.Version != "1.2.3" || len(body.Tests) != 2 {
			t.Errorf("%s: published %s", consumer, pub[0])
		}
		if !success && len(body.Tests[0].Mismatches) == 0 {
			t.Errorf("%s: the failing interaction's mismatches are not published: %s", consumer, pub[0])
		}
	}
	var branchPut bool
	for _, r := range b.Requests() {
		branchPut = branchPut || r.Method == http.MethodPut && r.Path == "/pacticipants/orders/branches/main/versions/1.2.3"
	}
	if !branchPut {
		t.Error("the provider version was not put on its branch")
	}
}

func TestReferenceBadToken(t *testing.T) {
	specs := func(t *testing.T) *brokertest.Broker {
		b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")})
		b.RequireToken("the-right-token")
		return b
	}
	prov, _ := url.Parse(ordersProvider(t).URL)
	p := pipeline{selectors: []string{`{"mainBranch": true}`}, token: "s3cr3t-wrong-token"}
	refBroker, cbBroker := specs(t), specs(t)
	ref := runReference(t, refBroker, prov, p)
	cb, _, err := runCommbench(t, cbBroker, prov, p)
	refReqs, cbReqs := normalized(t, refBroker.Requests()), normalized(t, cbBroker.Requests())
	if !reflect.DeepEqual(refReqs, cbReqs) || len(cbReqs) != 1 {
		t.Errorf("broker requests differ\nreference: %v\ncommbench: %v", refReqs, cbReqs)
	}
	if ref.exit == 0 {
		t.Errorf("the reference passed with a refused token")
	}
	// commbench says what happened with exit 3 (the reference fails with 1).
	if cb.exit != exitcode.Unavailable || !errors.Is(err, broker.ErrUnauthorized) {
		t.Errorf("commbench: exit %d, err %v; want 3 and ErrUnauthorized", cb.exit, err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows the token: %v", err)
	}
	if got := cbBroker.Requests()[0].Header.Get("Authorization"); got != "Bearer s3cr3t-wrong-token" {
		t.Errorf("Authorization %q", got)
	}
}

func TestReferenceRetriesOn5xx(t *testing.T) {
	specs := func(t *testing.T) *brokertest.Broker {
		b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")})
		b.Fail(http.MethodGet, "/", 1, http.StatusServiceUnavailable)
		b.Fail(http.MethodPost, "/pacts/provider/orders/for-verification", 2, http.StatusBadGateway)
		return b
	}
	cb, _, err, b := compare(t, specs, pipeline{selectors: []string{`{"mainBranch": true}`}})
	if err != nil || cb.exit != 0 || len(cb.passed) != 2 {
		t.Fatalf("commbench: exit %d, err %v", cb.exit, err)
	}
	if n := len(b.Requests()); n != 7 { // GET / x2, GET for-verification, POST x3, GET pact
		t.Errorf("%d requests, want 7", n)
	}
}

func TestReferenceNoPacts(t *testing.T) {
	empty := pacts(t)
	cb, _, err, _ := compare(t, empty, pipeline{selectors: []string{`{"mainBranch": true}`}})
	if cb.exit != exitcode.Failed || !errors.Is(err, broker.ErrNoPacts) {
		t.Errorf("commbench: exit %d, err %v; want 1 and ErrNoPacts", cb.exit, err)
	}
	cb, _, err, _ = compare(t, empty, pipeline{selectors: []string{`{"mainBranch": true}`}, ignoreNoPacts: true})
	if cb.exit != 0 || err != nil {
		t.Errorf("--ignore-no-pacts-error: exit %d, err %v", cb.exit, err)
	}
}
