package main

import (
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/runner"
)

// brokerFlags are the Pact Broker flags of `commbench verify`, named as Pact's reference verifier
// (pact_verifier_cli) names them so a pipeline can switch tools without relearning.
type brokerFlags struct {
	url, provider             string
	user, password, token     string
	selectors                 []string
	consumerTags              []string
	enablePending             bool
	wipSince                  string
	providerBranch            string
	providerTags              []string
	ignoreNoPacts             bool
	publish                   bool
	providerVersion, buildURL string
	retries                   int
}

func (b *brokerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&b.url, "broker-url", "", "Pact Broker (or PactFlow) to fetch the pacts to verify from (needs --provider-name; default $PACT_BROKER_BASE_URL when no --pact is given)")
	fs.StringVar(&b.provider, "provider-name", "", "the provider's name in the Pact Broker (default $PACT_PROVIDER_NAME)")
	fs.StringVar(&b.user, "user", "", "Pact Broker basic auth user (default $PACT_BROKER_USERNAME)")
	fs.StringVar(&b.password, "password", "", "Pact Broker basic auth password (default $PACT_BROKER_PASSWORD; prefer the variable: flags show in process lists)")
	fs.StringVar(&b.token, "token", "", "Pact Broker bearer token (default $PACT_BROKER_TOKEN; prefer the variable)")
	fs.StringArrayVar(&b.selectors, "consumer-version-selectors", nil, `consumer version selector as JSON, e.g. '{"mainBranch": true}' or '{"deployedOrReleased": true}' (repeatable)`)
	fs.StringSliceVar(&b.consumerTags, "consumer-version-tags", nil, "consumer version tags, comma-separated (selectors {\"tag\": T, \"latest\": true}; ignored with --consumer-version-selectors)")
	fs.BoolVar(&b.enablePending, "enable-pending", false, "pending pacts: verified and reported, their failures do not fail the run")
	fs.StringVar(&b.wipSince, "include-wip-pacts-since", "", "also verify work-in-progress pacts published since this date (e.g. 2024-01-31); they are pending")
	fs.StringVar(&b.providerBranch, "provider-branch", "", "the provider version's branch (sent to the broker for pending pacts; with --publish the version is put on it)")
	fs.StringSliceVar(&b.providerTags, "provider-tags", nil, "the provider version's tags, comma-separated (sent to the broker; with --publish the version is tagged)")
	fs.BoolVar(&b.ignoreNoPacts, "ignore-no-pacts-error", false, "do not fail when the broker has no pacts for the provider and selectors")
	fs.BoolVar(&b.publish, "publish", false, "publish the verification results to the Pact Broker (needs --provider-version)")
	fs.StringVar(&b.providerVersion, "provider-version", "", "the provider version verified (required with --publish), e.g. the commit SHA")
	fs.StringVar(&b.buildURL, "build-url", "", "CI build URL published with the results")
	fs.IntVar(&b.retries, "retries", 8, "retries of a broker request answered 5xx, 408 or 429, with exponential backoff from 0.5 s (0: none; or $PACT_BROKER_HTTP_RETRIES)")
}

// broker maps the flags to the runner's broker (nil without --broker-url). Missing values come
// from the environment variables the reference verifier reads; PACT_BROKER_BASE_URL only when no
// --pact is given, so that verifying files in a shell that has it set still works. Errors are
// usage errors naming the flag.
func (b *brokerFlags) broker(a *app, changed func(string) bool, hasPacts bool) (*runner.Broker, error) {
	out := &runner.Broker{Config: broker.Config{
		URL: b.url, Provider: b.provider, Auth: broker.Auth{Username: b.user, Password: b.password, Token: b.token},
		ConsumerVersionTags: b.consumerTags, EnablePending: b.enablePending, IncludeWIPPactsSince: b.wipSince,
		ProviderBranch: b.providerBranch, ProviderTags: b.providerTags, IgnoreNoPactsError: b.ignoreNoPacts,
		Retries: b.retries,
	}}
	if err := out.ApplyEnv(a.Getenv, changed, !hasPacts); err != nil {
		return nil, err
	}
	if out.URL == "" {
		for _, f := range []string{"provider-name", "consumer-version-selectors", "consumer-version-tags", "enable-pending", "include-wip-pacts-since", "ignore-no-pacts-error", "publish", "provider-version", "build-url"} {
			if changed(f) {
				return nil, exitcode.Usagef("--%s needs --broker-url", f)
			}
		}
		return nil, nil
	}
	if out.Retries == 0 {
		out.Retries = -1 // broker.Config: 0 is the default, negative none
	}
	if out.Provider == "" {
		return nil, exitcode.Usagef("--broker-url needs --provider-name (the provider's name in the Pact Broker)")
	}
	for _, s := range b.selectors {
		sel, err := broker.ParseSelector(s)
		if err != nil {
			return nil, exitcode.Usagef("--consumer-version-selectors: %w", err)
		}
		out.Selectors = append(out.Selectors, sel)
	}
	if b.publish {
		if b.providerVersion == "" {
			return nil, exitcode.Usagef("--publish needs --provider-version")
		}
		out.Publish = &broker.Publication{ProviderVersion: b.providerVersion, ProviderBranch: b.providerBranch, ProviderTags: b.providerTags, BuildURL: b.buildURL}
	}
	return out, nil
}
