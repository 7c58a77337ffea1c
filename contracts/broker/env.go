package broker

import (
	"fmt"

	"github.com/commbench/commbench/internal/exitcode"
)

// Environment variables the reference verifier (pact_verifier_cli) reads its broker settings
// from, which ApplyEnv reads too.
const (
	EnvBaseURL  = "PACT_BROKER_BASE_URL"
	EnvProvider = "PACT_PROVIDER_NAME"
	EnvUsername = "PACT_BROKER_USERNAME"
	EnvPassword = "PACT_BROKER_PASSWORD"
	EnvToken    = "PACT_BROKER_TOKEN"
	EnvRetries  = "PACT_BROKER_HTTP_RETRIES"
)

// ApplyEnv fills the settings of c that the user did not give from the environment, as the
// reference verifier does: a setting is taken from its variable when it is empty and given
// (called with the setting's flag name: "broker-url", "provider-name", "user", "password",
// "token", "retries") reports false. URL is filled from PACT_BROKER_BASE_URL only with withURL
// (a command given pact files has no broker unless --broker-url says so); when URL stays empty
// nothing else is filled (there is no broker). Retries comes from PACT_BROKER_HTTP_RETRIES; a
// value that is not a number is a usage error (exit 2) naming the variable.
func (c *Config) ApplyEnv(getenv func(string) string, given func(flag string) bool, withURL bool) error {
	env := func(dst *string, flag, name string) {
		if *dst == "" && !given(flag) {
			*dst = getenv(name)
		}
	}
	if withURL {
		env(&c.URL, "broker-url", EnvBaseURL)
	}
	if c.URL == "" {
		return nil
	}
	env(&c.Provider, "provider-name", EnvProvider)
	env(&c.Auth.Username, "user", EnvUsername)
	env(&c.Auth.Password, "password", EnvPassword)
	env(&c.Auth.Token, "token", EnvToken)
	if !given("retries") {
		if v := getenv(EnvRetries); v != "" {
			if _, err := fmt.Sscan(v, &c.Retries); err != nil {
				return exitcode.Usagef("%s=%q: a number is expected", EnvRetries, v)
			}
		}
	}
	return nil
}
