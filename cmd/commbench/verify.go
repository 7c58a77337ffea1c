package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
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
	out, html, junit, markdown string
	messages                   messageFlags
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
	fs.StringVar(&f.out, "json", "", "write the results (commbench.results/v1 JSON) to this file")
	fs.StringVar(&f.junit, "junit", "", "write JUnit XML (one testcase per interaction) to this file")
	fs.StringVar(&f.html, "html", "", "write the self-contained HTML report to this file")
	fs.StringVar(&f.markdown, "md", "", "write a Markdown summary to this file")
	_ = cmd.MarkFlagRequired("pact")
	return cmd
}

func runVerify(ctx context.Context, a *app, f *verifyFlags) error {
	started := time.Now()
	cfg, pacts, closeAll, err := prepareVerify(ctx, a, f)
	defer closeAll()
	if err != nil {
		return err
	}
	w := a.stdout
	if a.quiet {
		w = io.Discard
	}
	cfg.OnResult = func(r results.Interaction) { printInteraction(w, r, a.Color(a.stdout)) }
	v, verr := verifier.Verify(ctx, cfg, pacts)
	file := &results.File{
		Schema: results.Schema,
		Run: results.Run{
			ID: uuid.NewString(), Command: "verify", Started: started, Ended: time.Now(),
			Environment: environment(), Config: f.echo(),
		},
		Verification: v,
	}
	if verr != nil {
		file.Run.Interrupted = true
		file.Run.Error = verr.Error()
	}
	if err := reports.WriteOutputs(file, reports.Outputs{JSON: f.out, HTML: f.html, JUnit: f.junit, Markdown: f.markdown, Stdout: a.stdout}); err != nil {
		return exitcode.Usagef("write reports: %w", err)
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout)
		_ = reports.Text(a.stdout, file, a.Color(a.stdout))
	}
	if verr != nil {
		return exitcode.Unavailablef("verification stopped: %w", verr)
	}
	if v.Summary.Total == 0 {
		a.log.Warn("no interaction matched the filters")
	}
	if v.Summary.Total > 0 && v.Summary.Skipped == v.Summary.Total {
		return exitcode.Usagef("no interaction was verified: every one was skipped (%s)", v.Interactions[0].Reason)
	}
	if file.Failed() {
		return exitcode.New(exitcode.Failed, nil)
	}
	return nil
}

// prepareVerify loads the pacts and opens the connections the flags name. closeAll is never nil.
func prepareVerify(ctx context.Context, a *app, f *verifyFlags) (verifier.Config, []*contracts.Pact, func(), error) {
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	cfg := verifier.Config{Consumer: f.consumer, StateChangeURL: f.stateChangeURL, StateTeardown: f.stateTeardown}
	// State change, trigger and message provider calls trust what the provider connection trusts.
	tlsCfg, err := f.target.tlsSettings().Config()
	if err != nil {
		return cfg, nil, closeAll, exitcode.Usagef("TLS: %w", err)
	}
	f.messages.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment}}
	cfg.Client = f.messages.client
	if cfg.Description, err = optionalRegexp("--description", f.description); err != nil {
		return cfg, nil, closeAll, err
	}
	if cfg.State, err = optionalRegexp("--state", f.state); err != nil {
		return cfg, nil, closeAll, err
	}
	var pacts []*contracts.Pact
	for _, src := range f.pacts {
		ps, err := contracts.Load(ctx, src, contracts.LoadOptions{Getenv: a.Getenv})
		if err != nil {
			return cfg, nil, closeAll, exitcode.Usagef("%w", err)
		}
		pacts = append(pacts, ps...)
	}
	if len(f.protos) > 0 {
		files, err := protobuf.Compile(ctx, f.protos, f.importPaths)
		if err != nil {
			return cfg, nil, closeAll, exitcode.Usagef("--proto: %w", err)
		}
		cfg.GRPCFiles = files
	}
	open := func(d drivers.Driver, address, what string) (drivers.Conn, error) {
		t, err := f.target.target(a, address)
		if err != nil {
			return nil, err
		}
		c, err := d.Open(ctx, t)
		if err != nil {
			return nil, openError(what, err)
		}
		closers = append(closers, c.Close)
		return c, nil
	}
	if f.providerBaseURL != "" {
		c, err := open(rest.New(), f.providerBaseURL, "provider "+redactURL(f.providerBaseURL))
		if err != nil {
			return cfg, nil, closeAll, err
		}
		cfg.HTTP = c.(drivers.Requester)
	}
	if f.grpcAddr != "" {
		c, err := open(cgrpc.New(), f.grpcAddr, "gRPC provider "+f.grpcAddr)
		if err != nil {
			return cfg, nil, closeAll, err
		}
		cfg.GRPC = c.(drivers.Requester)
	}
	mv, closeMessages, err := f.messages.open(ctx, a, f, cfg.GRPCFiles)
	closers = append(closers, closeMessages)
	if err != nil {
		return cfg, nil, closeAll, err
	}
	cfg.Messages = mv
	return cfg, pacts, closeAll, nil
}

func optionalRegexp(flag, s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, exitcode.Usagef("%s: invalid regular expression: %w", flag, err)
	}
	return re, nil
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
