package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// verifyFlags are the flags of `commbench verify`.
type verifyFlags struct {
	pacts                      []string
	consumer, description      string
	state                      string
	providerBaseURL, grpcAddr  string
	protos, importPaths        []string
	stateChangeURL             string
	stateTeardown              bool
	target                     targetFlags
	outputs                    reportFlags // -o/--out (= --json), --html, --junit, --md, --step-summary (report.go)
	messages                   messageFlags
	setHeaders, skipTransports []string
	messageFirstMatch          bool
	broker                     brokerFlags
	changed                    func(flag string) bool
}

func newVerifyCmd(a *app) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify (--pact FILE|DIR|URL | --broker-url URL --provider-name NAME) [flags]",
		Short: "Verify Pact contracts against a real provider (REST, gRPC, Kafka, AMQP)",
		Long: `Verify consumer contracts (Pact files V1.1 to V4) against the real provider: each
interaction's request is sent to the provider and its response matched with the pact's matching
rules; message interactions are checked on the real broker. Provider states are set up through
--state-change-url, which receives {"state", "params", "action": "setup"|"teardown"} and may return
values for ProviderState generators.

HTTP interactions go to --provider-base-url; gRPC interactions (V4 transport "grpc" or recorded by
Pact's protobuf plugin) go to --grpc-address, natively, with no plugin binary: descriptors come from
the pact or from --proto. Pending interactions are verified and reported but do not fail the run.

With --broker-url, the pacts come from a Pact Broker (or PactFlow) with the flags of Pact's
reference verifier: the broker selects the pacts for --consumer-version-selectors (or
--consumer-version-tags), --provider-branch, --enable-pending and --include-wip-pacts-since, and
prints its notices before each pact; pending and WIP pacts are verified and reported but do not
fail the run. --publish sends each pact's results to the broker, after putting --provider-version
on --provider-branch and tagging it with --provider-tags, for can-i-deploy. Credentials come from
--token or --user/--password, by default PACT_BROKER_TOKEN or PACT_BROKER_USERNAME and
PACT_BROKER_PASSWORD, and are never written anywhere. Broker requests answered 5xx are retried.

Exit codes: 0 all verified interactions passed; 1 a non-pending interaction failed, or the Pact
Broker has no pacts for the selectors (unless --ignore-no-pacts-error); 2 invalid pact or flag; 3
the provider or broker could not be reached, the broker refused the credentials, or publishing
failed. Results are written before exiting.`,
		Example: `  # Verify a pact against a local provider, with provider states
  commbench verify --pact pacts/web-orders.json --provider-base-url http://127.0.0.1:8080 \
    --state-change-url http://127.0.0.1:8080/_pact/state --state-teardown

  # A gRPC pact recorded by Pact's protobuf plugin, JUnit for CI
  commbench verify --pact pacts/grpc.json --grpc-address 127.0.0.1:50051 --junit junit.xml

  # Only some interactions, with an auth header from the environment
  commbench verify --pact pacts/ --provider-base-url https://orders.test \
    --description '^get order' --header 'Authorization: Bearer ${TOKEN}'

  # A provider pipeline: the pacts the broker selects, results published for can-i-deploy
  PACT_BROKER_TOKEN=... commbench verify --broker-url https://broker.example.com \
    --provider-name orders --provider-base-url http://127.0.0.1:8080 \
    --consumer-version-selectors '{"mainBranch": true}' \
    --consumer-version-selectors '{"deployedOrReleased": true}' \
    --enable-pending --include-wip-pacts-since 2024-01-01 \
    --provider-branch main --publish --provider-version "$GIT_SHA" --junit junit.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.changed = cmd.Flags().Changed
			return runVerify(cmd.Context(), a, &f)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&f.pacts, "pact", nil, "pact file, directory of pact files or http(s) URL (repeatable; URL auth from PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD)")
	fs.StringVar(&f.consumer, "consumer", "", "verify only the pacts of this consumer")
	fs.StringVar(&f.description, "description", "", "verify only interactions whose description matches this regular expression")
	fs.StringVar(&f.state, "state", "", "verify only interactions with a provider state matching this regular expression")
	fs.StringVar(&f.providerBaseURL, "provider-base-url", "", "base URL of the provider for HTTP interactions, e.g. http://127.0.0.1:8080")
	fs.StringVar(&f.grpcAddr, "grpc-address", "", "host:port of the provider for gRPC interactions")
	fs.StringArrayVar(&f.protos, "proto", nil, ".proto or protoset file for gRPC interactions whose pact carries no descriptors (repeatable)")
	fs.StringArrayVarP(&f.importPaths, "import-path", "I", nil, "import path for --proto files (repeatable)")
	fs.StringVar(&f.stateChangeURL, "state-change-url", "", "URL that sets up provider states (POST)")
	fs.BoolVar(&f.stateTeardown, "state-teardown", false, "also call the state change URL with action teardown after each interaction")
	f.target.register(fs, "header sent with every HTTP request and gRPC call, replacing a header of the same name recorded in the pact:")
	fs.StringArrayVar(&f.setHeaders, "set-header-if-present", nil, `"Name: value" or Name=value: replace the value of this header on the HTTP requests whose pact records it, e.g. a fresh token for a recorded Authorization (repeatable; ${VAR} expands from the environment; values are never written to results)`)
	fs.StringArrayVar(&f.skipTransports, "skip-transport", nil, "do not verify the interactions of this transport: http, grpc, kafka, amqp or message (repeatable); without it an interaction whose transport has no target fails the run")
	fs.BoolVar(&f.messageFirstMatch, "message-first-match", false, "pass an asynchronous message interaction on the first matching message (default: every message received on its route while it is verified must match)")
	f.messages.register(fs)
	f.broker.register(fs)
	f.outputs.add(cmd, true)
	f.outputs.addStepSummary(cmd)
	return cmd
}

func runVerify(ctx context.Context, a *app, f *verifyFlags) error {
	c, err := f.contract(a)
	if err != nil {
		return err
	}
	w := a.stdout
	if a.quiet {
		w = io.Discard
	}
	ro := a.runnerOptions("verify")
	ro.Progress.Interaction = func(r results.Interaction) { reports.Interaction(w, r, a.Color(a.stdout)) }
	ro.Progress.BrokerPact = func(p results.BrokerPact) { reports.BrokerPact(w, p) }
	file, verr := runner.Verify(ctx, c, ro)
	if file == nil {
		return verr
	}
	if err := reports.WriteOutputs(file, f.outputs.outputs(a)); err != nil {
		return exitcode.Usagef("write reports: %w", err)
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout)
		_ = reports.Text(a.stdout, file, a.Color(a.stdout))
	}
	if verr == nil && file.Verification.Summary.Total == 0 {
		a.log.Warn("no interaction matched the filters")
	}
	return cmp.Or(verr, runner.Verdict(file))
}

// contract maps the flags to the runner's contract. Errors are usage errors naming the flag.
func (f *verifyFlags) contract(a *app) (runner.Contract, error) {
	c := runner.Contract{Pacts: f.pacts, Consumer: f.consumer, StateChangeURL: f.stateChangeURL, StateTeardown: f.stateTeardown,
		Proto: f.protos, ImportPaths: f.importPaths, SkipTransports: f.skipTransports, MessageFirstMatch: f.messageFirstMatch}
	for _, h := range f.setHeaders {
		name, value, ok := scenario.SplitHeader(h, true)
		if !ok {
			return c, exitcode.Usagef(`--set-header-if-present %q: want "Name: value" or Name=value`, h)
		}
		value, err := drivers.ExpandEnv(value, a.LookupEnv)
		if err != nil {
			return c, exitcode.Usagef("--set-header-if-present %s: %w", name, err)
		}
		if c.SetHeadersIfPresent == nil {
			c.SetHeadersIfPresent = map[string]string{}
		}
		c.SetHeadersIfPresent[name] = value
	}
	if len(c.SetHeadersIfPresent) > 0 { // ${VAR} expanded once, here, as --header values are
		sc, err := scenario.Contract{SetHeadersIfPresent: c.SetHeadersIfPresent}.ExpandEnv(a.LookupEnv)
		if err != nil {
			return c, exitcode.Usagef("--set-header-if-present: %w", err)
		}
		c.SetHeadersIfPresent = sc.SetHeadersIfPresent
	}
	for _, tr := range f.skipTransports {
		if !slices.Contains(runner.Transports, tr) {
			return c, exitcode.Usagef("--skip-transport %q: want one of %s", tr, strings.Join(runner.Transports, ", "))
		}
	}
	var err error
	changed := f.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	if c.Broker, err = f.broker.broker(a, changed, len(f.pacts) > 0); err != nil {
		return c, err
	}
	if len(f.pacts) == 0 && c.Broker == nil {
		return c, exitcode.Usagef("no pacts to verify: give --pact FILE|DIR|URL or --broker-url with --provider-name")
	}
	for _, re := range []struct {
		flag, expr string
		dst        **regexp.Regexp
	}{{"--description", f.description, &c.Description}, {"--state", f.state, &c.State}} {
		if re.expr == "" {
			continue
		}
		if *re.dst, err = regexp.Compile(re.expr); err != nil {
			return c, exitcode.Usagef("%s: invalid regular expression: %w", re.flag, err)
		}
	}
	for _, e := range []struct {
		driver, address string
		dst             **runner.Endpoint
	}{{"rest", f.providerBaseURL, &c.HTTP}, {"grpc", f.grpcAddr, &c.GRPC}} {
		if e.address == "" {
			continue
		}
		t, err := f.target.target(a, "", e.driver, e.address)
		if err != nil {
			return c, err
		}
		*e.dst = &runner.Endpoint{Target: t}
	}
	return c, f.messages.contract(a, f, &c)
}
