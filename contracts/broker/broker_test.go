package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/contracts/broker/brokertest"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
)

func client(t *testing.T, cfg broker.Config) *broker.Client {
	t.Helper()
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = time.Millisecond
	}
	c, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mainBranch(t *testing.T) []broker.Selector {
	s, err := broker.ParseSelector(`{"mainBranch": true}`)
	if err != nil {
		t.Fatal(err)
	}
	return []broker.Selector{s}
}

func TestFetchWithBasicAuth(t *testing.T) {
	b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json"), Pending: true})
	b.RequireBasicAuth("ci", "pa55")
	c := client(t, broker.Config{URL: b.URL, Provider: "orders", Auth: broker.Auth{Username: "ci", Password: "pa55"}, Selectors: mainBranch(t), EnablePending: true})
	pacts, err := c.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pacts) != 1 || !pacts[0].Pending || pacts[0].Consumer != "web" || len(pacts[0].Interactions) != 2 || pacts[0].Interactions[0].ID == "" {
		t.Fatalf("fetched %+v", pacts)
	}
	if len(pacts[0].BeforeVerification()) != 2 {
		t.Errorf("notices before verification: %q", pacts[0].BeforeVerification())
	}
	if pacts[0].URL != b.PactURL("web") {
		t.Errorf("URL %s, want %s", pacts[0].URL, b.PactURL("web"))
	}
}

func TestErrorsCarryNoCredentials(t *testing.T) {
	b := brokertest.New(t, "orders")
	b.RequireBasicAuth("ci", "right")
	withUser := strings.Replace(b.URL, "://", "://ci:hunter2@", 1)
	_, err := client(t, broker.Config{URL: withUser, Provider: "orders", Selectors: mainBranch(t)}).Fetch(context.Background())
	if !errors.Is(err, broker.ErrUnauthorized) || exitcode.Code(err) != exitcode.Unavailable {
		t.Fatalf("err %v (exit %d), want ErrUnauthorized and exit 3", err, exitcode.Code(err))
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows the password: %v", err)
	}
	if u, p, _ := b.Requests()[0].BasicAuthOf(); u != "ci" || p != "hunter2" {
		t.Errorf("URL credentials not sent: %q %q", u, p)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")})
	b.Fail(http.MethodGet, "/", 100, http.StatusInternalServerError)
	var retries []broker.Retry
	_, err := client(t, broker.Config{URL: b.URL, Provider: "orders", Retries: 2, OnRetry: func(r broker.Retry) { retries = append(retries, r) }}).Fetch(context.Background())
	if !errors.Is(err, broker.ErrUnavailable) || exitcode.Code(err) != exitcode.Unavailable {
		t.Fatalf("err %v, want ErrUnavailable (exit 3)", err)
	}
	if n := len(b.Requests()); n != 3 || len(retries) != 2 || retries[1].Wait != 2*retries[0].Wait || retries[0].Status != 500 {
		t.Errorf("%d requests, retries %+v; want 3 requests, 2 retries with doubling waits", n, retries)
	}
	// 4xx are not retried.
	b.Reset()
	_, err = client(t, broker.Config{URL: b.URL + "/nothing-here", Provider: "orders"}).Fetch(context.Background())
	if !errors.Is(err, broker.ErrNotFound) || len(b.Requests()) != 1 {
		t.Errorf("err %v after %d requests", err, len(b.Requests()))
	}
}

func TestUnreachableBroker(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = client(t, broker.Config{URL: "http://" + addr, Provider: "orders"}).Fetch(context.Background())
	if !errors.Is(err, broker.ErrUnreachable) || exitcode.Code(err) != exitcode.Unavailable {
		t.Errorf("err %v, want ErrUnreachable (exit 3)", err)
	}
}

func TestLatestPactsWithoutSelectors(t *testing.T) {
	b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")},
		brokertest.Pact{Consumer: "beta", Content: pactFile(t, "beta-orders.json"), WIP: true})
	pacts, err := client(t, broker.Config{URL: b.URL, Provider: "orders", EnablePending: true}).Fetch(context.Background())
	if err != nil || len(pacts) != 1 || pacts[0].Pending {
		t.Fatalf("pacts %v, err %v", pacts, err)
	}
	if r := b.Requests()[1]; r.Path != "/pacts/provider/orders/latest" {
		t.Errorf("second request %s %s, want pb:latest-provider-pacts", r.Method, r.Path)
	}
}

func TestPublishEncodesTemplateValues(t *testing.T) {
	b := brokertest.New(t, "orders", brokertest.Pact{Consumer: "web", Content: pactFile(t, "web-orders.json")})
	c := client(t, broker.Config{URL: b.URL, Provider: "orders", Selectors: mainBranch(t)})
	pacts, err := c.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	pub := broker.Publication{ProviderVersion: "1.0+build.7", ProviderBranch: "feat/a b", ProviderTags: []string{"x&y"}, Implementation: "commbench", Version: "9.9"}
	rs := []results.Interaction{{Description: "get order 1", Status: results.StatusError, Reason: "provider state failed", InteractionID: "a1"}}
	if err := c.Publish(context.Background(), pacts[0], pub, rs); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range b.Requests() {
		paths = append(paths, r.Method+" "+r.Path)
	}
	want := "GET /pacticipants/orders|PUT /pacticipants/orders/branches/feat%2Fa%20b/versions/1.0%2Bbuild.7|GET /pacticipants/orders|PUT /pacticipants/orders/versions/1.0%2Bbuild.7/tags/x%26y|POST " +
		strings.TrimPrefix(b.PactURL("web"), b.URL) + "/verification-results"
	if got := strings.Join(paths, "|"); got != want {
		t.Errorf("requests\n %s\nwant\n %s", got, want)
	}
	var body map[string]any
	_ = json.Unmarshal(b.Published("web")[0], &body)
	tr := body["testResults"].([]any)[0].(map[string]any)
	if body["success"] != false || tr["exceptions"] == nil || body["verifiedBy"].(map[string]any)["implementation"] != "commbench" {
		t.Errorf("published %v", body)
	}
	if err := c.Publish(context.Background(), pacts[0], broker.Publication{}, rs); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("publish without a provider version: %v", err)
	}
}

func TestParseSelector(t *testing.T) {
	for _, bad := range []string{`{"mainbranch": true}`, `{"branch": 3}`, `[1]`, `{"tag":"a"} {}`, `nope`} {
		if _, err := broker.ParseSelector(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	s, err := broker.ParseSelector(`{"latest": false, "tag": "", "consumer": "web"}`)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(append([]broker.Selector{s}, broker.TagSelectors([]string{"prod"})...))
	if want := `[{"consumer":"web","tag":"","latest":false},{"tag":"prod","latest":true}]`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
