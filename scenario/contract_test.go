package scenario

import (
	"reflect"
	"testing"
)

// TestContractParityKeys: set_headers_if_present, skip_transports and message_first_match
// decode; header values expand from the environment and are redacted in the echo.
func TestContractParityKeys(t *testing.T) {
	s, err := Parse([]byte(`name: parity
contracts:
  - pacts: [a.json]
    set_headers_if_present: {Authorization: "Bearer ${TOKEN}"}
    skip_transports: [grpc]
    message_first_match: true
`), "parity.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Contracts[0]
	if !reflect.DeepEqual(c.SkipTransports, []string{"grpc"}) || !c.MessageFirstMatch {
		t.Fatalf("contract %+v", c)
	}
	env := func(k string) (string, bool) { return map[string]string{"TOKEN": "t0k"}[k], k == "TOKEN" }
	e, err := c.ExpandEnv(env)
	if err != nil || e.SetHeadersIfPresent["Authorization"] != "Bearer t0k" {
		t.Fatalf("expanded %v: %v", e.SetHeadersIfPresent, err)
	}
	if _, err := c.ExpandEnv(func(string) (string, bool) { return "", false }); err == nil {
		t.Fatal("an unset variable was accepted")
	}
	if got := s.Redacted().Contracts[0].SetHeadersIfPresent["Authorization"]; got != "***" {
		t.Fatalf("redacted value %q", got)
	}
}
