package broker

import (
	"errors"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/exitcode"
)

func TestApplyEnv(t *testing.T) {
	env := map[string]string{EnvBaseURL: "https://broker", EnvProvider: "orders", EnvUsername: "u", EnvPassword: "p", EnvToken: "tok", EnvRetries: "3"}
	getenv := func(k string) string { return env[k] }
	none := func(string) bool { return false }

	var c Config
	if err := c.ApplyEnv(getenv, none, true); err != nil {
		t.Fatal(err)
	}
	if c.URL != "https://broker" || c.Provider != "orders" || c.Auth != (Auth{Username: "u", Password: "p", Token: "tok"}) || c.Retries != 3 {
		t.Errorf("from the environment: %+v", c)
	}

	// with pact files the base URL variable is not read, and without a URL nothing is
	c = Config{}
	if err := c.ApplyEnv(getenv, none, false); err != nil || c.URL != "" || c.Provider != "" || c.Retries != 0 {
		t.Errorf("withURL false: %+v %v", c, err)
	}

	// values and settings given explicitly (even empty) win
	c = Config{URL: "https://other", Provider: "p2", Retries: 5}
	given := func(flag string) bool { return flag == "token" || flag == "retries" }
	if err := c.ApplyEnv(getenv, given, true); err != nil {
		t.Fatal(err)
	}
	if c.URL != "https://other" || c.Provider != "p2" || c.Auth.Token != "" || c.Auth.Username != "u" || c.Retries != 5 {
		t.Errorf("given: %+v", c)
	}

	env[EnvRetries] = "many"
	c = Config{}
	if err := c.ApplyEnv(getenv, none, true); !errors.Is(err, exitcode.Kind(exitcode.Usage)) || !strings.Contains(err.Error(), EnvRetries+`="many"`) {
		t.Errorf("bad retries: %v", err)
	}
}
