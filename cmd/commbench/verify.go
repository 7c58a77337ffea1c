package main

import (
	"context"
	"fmt"
	"github.com/commbench/commbench/runner"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
)

// verifyFlags are the flags of `commbench verify`.
type verifyFlags struct {
	pacts                     []string
	consumer, description     string
	state                     string
	providerBaseURL, grpcAddr string
	protos, importPaths       []string
	stateChangeURL            string
	stateTeardown             bool
	target                    targetFlags
	outputs                   reportFlags // -o/--out (= --json), --html, --junit, --md, --step-summary (report.go)
	messages                  messageFlags
}

func newVerifyCmd(a *app) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --pact FILE|DIR|URL [flags]",
		Short: "Verify Pact contracts against a real provider (REST, gRPC, Kafka, AMQP)",
		Long: `Verify consumer contracts (Pact files V1.1 to V4) against the real provider: each
interaction's request is sent to the provider and its response matched with the pact's matching
rules; message interactions are checked on the real broker. Provider states are set up through
--state-change-url, which receives {"state", "params", "action": "setup"|"teardown"} and may return
values for ProviderState generators.

HTTP interactions go to --provider-base-url; gRPC interactions (V4 transport "grpc" or recorded by
Pact's protobuf plugin) go to --grpc-address, natively, with no plugin binary: descriptors come from
the pact or from --proto. Pending interactions are verified and reported but do not fail the run.

Exit codes: 0 all verified interactions passed; 1 a non-pending interaction failed; 2 invalid pact
or flag; 3 the provider or broker could not be reached. Results are written before exiting.`,
		Example: `  # Verify a pact against a local provider, with provider states
  commbench verify --pact pacts/web-orders.json --provider-base-url http://127.0.0.1:8080 \
    --state-change-url http://127.0.0.1:8080/_pact/state --state-teardown

  # A gRPC pact recorded by Pact's protobuf plugin, JUnit for CI
  commbench verify --pact pacts/grpc.json --grpc-address 127.0.0.1:50051 --junit junit.xml

  # Only some interactions, with an auth header from the environment
  commbench verify --pact pacts/ --provider-base-url https://orders.test \
    --description '^get order' --header 'Authorization: Bearer ${TOKEN}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runVerify(cmd.Context(), a, &f) },
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
	f.target.register(fs, "header sent with every HTTP request and gRPC call:")
	f.messages.register(fs)
	f.outputs.add(cmd, true)
	f.outputs.addStepSummary(cmd)
	_ = cmd.MarkFlagRequired("pact")
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
	ro.Progress.Interaction = func(r results.Interaction) { printInteraction(w, r, a.Color(a.stdout)) }
	file, verr := runner.Verify(ctx, c, ro)
	if file == nil {
		return verr
	}
	file.Run.Config = f.echo()
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
	return verdict(file, verr, false)
}

// contract maps the flags to the runner's contract. Errors are usage errors naming the flag.
func (f *verifyFlags) contract(a *app) (runner.Contract, error) {
	c := runner.Contract{Pacts: f.pacts, Consumer: f.consumer, StateChangeURL: f.stateChangeURL, StateTeardown: f.stateTeardown,
		Proto: f.protos, ImportPaths: f.importPaths}
	// State change, trigger and message provider calls trust what the provider connection trusts.
	tlsCfg, err := f.target.tlsSettings().Config()
	if err != nil {
		return c, exitcode.Usagef("TLS: %w", err)
	}
	c.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment}}
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
		address string
		dst     **runner.Endpoint
	}{{f.providerBaseURL, &c.HTTP}, {f.grpcAddr, &c.GRPC}} {
		if e.address == "" {
			continue
		}
		t, err := f.target.target(a, e.address)
		if err != nil {
			return c, err
		}
		*e.dst = &runner.Endpoint{Target: t}
	}
	return c, f.messages.contract(a, f, &c)
}

// echo is the configuration written into the results, with secrets left out.
func (f *verifyFlags) echo() map[string]any {
	m := map[string]any{"pacts": f.pacts}
	if f.providerBaseURL != "" {
		m["provider_base_url"] = redactURL(f.providerBaseURL)
	}
	if f.grpcAddr != "" {
		m["grpc_address"] = f.grpcAddr
	}
	if f.stateChangeURL != "" {
		m["state_change_url"] = redactURL(f.stateChangeURL)
	}
	for k, v := range map[string]string{"consumer": f.consumer, "description": f.description, "state": f.state} {
		if v != "" {
			m[k] = v
		}
	}
	f.target.echo(m)
	f.messages.echo(m)
	return m
}

// printInteraction prints one line per interaction and an indented line per mismatch: the tree
// consumer -> interaction -> mismatches as results arrive.
func printInteraction(w io.Writer, r results.Interaction, color bool) {
	mark, paint := "✓", "\x1b[32m"
	switch r.Status {
	case results.StatusFailed, results.StatusError:
		mark, paint = "✗", "\x1b[31m"
		if r.Pending {
			mark, paint = "!", "\x1b[33m"
		}
	case results.StatusSkipped:
		mark, paint = "-", "\x1b[90m"
	}
	status := r.Status
	if r.Pending {
		status += ", pending"
	}
	line := fmt.Sprintf("%s %s → %s: %s [%s] (%s)", mark, r.Consumer, r.Provider, r.Description, r.Transport, status)
	if color {
		line = paint + line + "\x1b[0m"
	}
	fmt.Fprintln(w, line)
	if r.Reason != "" {
		fmt.Fprintf(w, "    %s\n", r.Reason)
	}
	for _, m := range r.Mismatches {
		where := m.Category
		if m.Path != "" {
			where += " " + m.Path
		}
		fmt.Fprintf(w, "    %s: %s\n", where, m.Message)
		if m.Expected != "" || m.Actual != "" {
			fmt.Fprintf(w, "      expected: %s\n      actual:   %s\n", m.Expected, m.Actual)
		}
	}
}
