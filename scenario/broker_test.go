package scenario

import (
	"strings"
	"testing"
)

const withBroker = `name: provider-pipeline
targets:
  - name: orders-api
    driver: rest
    address: http://127.0.0.1:8080
contracts:
  - http: orders-api
    broker:
      url: https://broker.example.com
      provider: orders
      token: ${PACT_TOKEN}
      consumer_version_selectors: [{mainBranch: true}, {deployedOrReleased: true}]
      enable_pending: true
      include_wip_pacts_since: "2024-01-31"
      provider_branch: ${GIT_BRANCH:-main}
      publish: true
      provider_version: ${GIT_SHA}
`

func TestBrokerBlock(t *testing.T) {
	s, err := Parse([]byte(withBroker), "pipeline.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Contracts[0].Broker
	if b == nil || b.Provider != "orders" || len(b.ConsumerVersionSelectors) != 2 || b.ConsumerVersionSelectors[0]["mainBranch"] != true || !b.Publish {
		t.Fatalf("decoded wrong: %+v", b)
	}
	orig := s.Contracts[0]
	env := map[string]string{"PACT_TOKEN": "s3cr3t", "GIT_SHA": "abc123"}
	c, err := s.Contracts[0].ExpandEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if c.Broker.Token != "s3cr3t" || c.Broker.ProviderVersion != "abc123" || c.Broker.ProviderBranch != "main" {
		t.Errorf("expanded wrong: %+v", c.Broker)
	}
	if s.Contracts[0].Broker.Token != "${PACT_TOKEN}" {
		t.Error("ExpandEnv changed the scenario it was called on")
	}
	s.Contracts[0] = c
	if r := s.Redacted().Contracts[0].Broker; r.Token != "***" || strings.Contains(r.URL, "s3cr3t") {
		t.Errorf("redacted: %+v", r)
	}
	if _, err := orig.ExpandEnv(func(string) (string, bool) { return "", false }); err == nil || !strings.Contains(err.Error(), "GIT_SHA") {
		t.Errorf("unset variable: %v", err)
	}
}

func TestBrokerBlockInvalid(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"publish without version", "      provider_version: ${GIT_SHA}\n", "", "contracts.0.broker.provider_version"},
		{"no provider", "      provider: orders\n", "", "contracts.0.broker.provider"},
		{"no broker, no pacts", "    broker:\n", "    brokr:\n", "brokr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(strings.Replace(withBroker, tc.from, tc.to, 1)), "pipeline.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to name %s", err, tc.want)
			}
		})
	}
}
