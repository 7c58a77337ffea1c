package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/progress"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

func newRunCmd(a *app) *cobra.Command {
	var (
		o  runOptions
		rf reportFlags // -o/--out (= --json), --html, --junit, --md, --step-summary: override the scenario's outputs
	)
	cmd := &cobra.Command{
		Use:   "run SCENARIO.yaml",
		Short: "Run a scenario: verify its contracts, run its workloads, write its reports",
		Long: `Run the scenario file: verify every contract (Pact files against the scenario's targets), then
run the workloads in order, write every output (HTML, JUnit, JSON, Markdown), print the summary
and exit 0 (all passed), 1 (a contract failed or a threshold was breached), 2 (invalid scenario:
errors name file:line) or 3 (a target did not answer, or the run was interrupted). Outputs are
written before exiting, whatever the verdict.

Input files named by the scenario (pacts, protos, schemas, templates) are relative to the
scenario file; outputs are relative to the working directory. ${VAR} and ${VAR:-default} in
target addresses, credentials and headers come from the environment and are never written to
results or reports. The JSON Schema of the format is scenario/scenario.schema.json.

A target marked optional that does not answer is skipped: its contracts' interactions are
reported as skipped with the reason, its workloads are listed as skipped. One that answers but
refuses (wrong credentials, a TLS or protocol error) fails the run with exit 3.`,
		Example: `  # The example shop's scenario (targets from the environment)
  commbench run testdata/scenarios/shop.yaml

  # Only the contracts, with the outputs somewhere else
  commbench run shop.yaml --only verify --set outputs.junit=out/junit.xml

  # Shorter workloads for a smoke test; check the plan and that every target answers first
  commbench run shop.yaml --set workloads.get-order.duration=2s
  commbench run shop.yaml --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The output flags every results-writing command has override the scenario's outputs.
			for key, v := range map[string]string{"json": rf.out, "html": rf.html, "junit": rf.junit, "md": rf.md} {
				if v != "" {
					o.overrides = append(o.overrides, "outputs."+key+"="+strconv.Quote(v)) // YAML double-quoted: "-" stays a string
				}
			}
			s, err := loadScenario(args[0], o.overrides)
			if err != nil {
				return err
			}
			o.command = "run"
			o.stepSummary = rf.stepSummaryPath(a)
			return runScenario(cmd.Context(), a, s, o)
		},
	}
	rf.add(cmd, true)
	rf.addStepSummary(cmd)
	fs := cmd.Flags()
	fs.StringVar(&o.only, "only", "", "run only the contracts (verify) or only the workloads (bench)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "load and check every input file (exit 2 naming the file), print the plan and check that every target answers; verify and load nothing")
	fs.StringArrayVar(&o.overrides, "set", nil, "override a scenario value: key=value with a dotted path, e.g. workloads.get-order.rate=200/s (repeatable)")
	return cmd
}

// runOptions select what runScenario does.
type runOptions struct {
	only      string // "", "verify" or "bench"
	dryRun    bool
	overrides []string
	// command names the run in the results ("run", "demo").
	command string
	// notes are printed after the summary and kept in the results' configuration ("notes").
	notes []string
	// skip names targets known not to answer, with the reason (the demo's RabbitMQ).
	skip map[string]string
	// stepSummary is the file the Markdown summary is appended to ("" for none).
	stepSummary string
}

// loadScenario reads the scenario at path with overrides and resolves its input files relative
// to it. Errors are usage errors naming file:line.
func loadScenario(path string, overrides []string) (*scenario.Scenario, error) {
	s, err := scenario.Load(path, overrides)
	if err != nil {
		return nil, exitcode.Usagef("%w", err)
	}
	s.ResolvePaths(filepath.Dir(path))
	return s, nil
}

// runnerOptions are the runner options of every command: the environment, the log, the version
// and a progress bar (or line) on stderr per workload.
func (a *app) runnerOptions(command string) runner.Options {
	return runner.Options{Command: command, LookupEnv: a.LookupEnv, Logger: a.log, Version: currentBuild().Version,
		Progress: runner.Progress{WorkloadStarted: a.showProgress}}
}

// showProgress shows a workload's live figures on stderr: a bar on a terminal, else a line per
// interval, nothing with --quiet.
func (a *app) showProgress(cfg bench.Config, snapshot func() bench.Snapshot) func() {
	mode := progress.Plain
	switch {
	case a.quiet:
		mode = progress.None
	case isTerminal(a.stderr):
		mode = progress.Bar
	}
	return progress.Start(a.stderr, progress.Options{Mode: mode, Name: cfg.Info.Name, Drain: cfg.Drain}, snapshot)
}

// runScenario runs s (see newRunCmd) through the runner, writes its outputs and returns the error
// carrying the exit code.
func runScenario(ctx context.Context, a *app, s *scenario.Scenario, o runOptions) error {
	out := a.stdout
	if a.quiet {
		out = io.Discard
	}
	ro := a.runnerOptions(o.command)
	ro.Only, ro.Skip, ro.Notes = o.only, o.skip, o.notes
	ro.Progress.Interaction = func(r results.Interaction) { reports.Interaction(out, r, a.Color(a.stdout)) }
	ro.Progress.BrokerPact = func(p results.BrokerPact) { reports.BrokerPact(out, p) }
	ro.Progress.WorkloadSkipped = func(note string) { fmt.Fprintln(out, "- "+a.safe(note)) }
	plan, err := runner.NewPlan(s, ro)
	if err != nil {
		return err
	}
	if o.dryRun {
		return plan.DryRun(ctx, a.stdout)
	}
	file, stopErr := plan.Run(ctx)
	outputs := reports.Outputs{HTML: s.Outputs.HTML, JUnit: s.Outputs.JUnit, JSON: s.Outputs.JSON, Markdown: s.Outputs.MD, StepSummary: o.stepSummary, Stdout: a.stdout}
	if err := reports.WriteOutputs(file, outputs); err != nil {
		return exitcode.Usagef("write reports: %w", err)
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout)
		_ = reports.Text(a.stdout, file, a.Color(a.stdout))
		notes, _ := file.Run.Config["notes"].([]string)
		for _, n := range notes {
			fmt.Fprintln(a.stdout, "note: "+a.safe(n))
		}
		runner.WriteOutputList(a.stdout, s.Outputs)
	}
	return cmp.Or(stopErr, runner.Verdict(file))
}
