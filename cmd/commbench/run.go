package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/reports"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// startHints tell a user how to start a broker that did not answer, per driver.
var startHints = map[string]string{
	"amqp":  "start one with: docker run -d --name rabbitmq -p 5672:5672 rabbitmq:4-management (or docker compose up -d rabbitmq)",
	"kafka": "start one with: docker compose up -d kafka (see compose.yaml)",
}

func newRunCmd(a *app) *cobra.Command {
	var o runOptions
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
reported as skipped with the reason, its workloads are listed as skipped.`,
		Example: `  # The example shop's scenario (targets from the environment)
  commbench run testdata/scenarios/shop.yaml

  # Only the contracts, with the outputs somewhere else
  commbench run shop.yaml --only verify --set outputs.junit=out/junit.xml

  # Shorter workloads for a smoke test; check the plan and that every target answers first
  commbench run shop.yaml --set workloads.get-order.duration=2s
  commbench run shop.yaml --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadScenario(args[0], o.overrides)
			if err != nil {
				return err
			}
			o.command = "run"
			return runScenario(cmd.Context(), a, s, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.only, "only", "", "run only the contracts (verify) or only the workloads (bench)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and check that every target answers; verify and load nothing")
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

// runTarget is a scenario target ready to open: ${VAR} expanded, and why it is skipped when it is
// optional and did not answer.
type runTarget struct {
	scenario.Target
	skipped string
}

// runScenario runs s (see newRunCmd) and returns the error carrying the exit code.
func runScenario(ctx context.Context, a *app, s *scenario.Scenario, o runOptions) error {
	switch o.only {
	case "", "verify", "bench":
	default:
		return exitcode.Usagef("--only %q: want verify or bench", o.only)
	}
	started := time.Now()
	echo := scenarioEcho(s) // as written: ${VAR} references, not their values
	targets := make(map[string]*runTarget, len(s.Targets))
	for _, t := range s.Targets {
		et, err := t.ExpandEnv(a.LookupEnv)
		if err != nil {
			return exitcode.Usagef("%w", err)
		}
		targets[t.Name] = &runTarget{Target: et}
	}
	for i, c := range s.Contracts {
		ec, err := c.ExpandEnv(a.LookupEnv)
		if err != nil {
			return exitcode.Usagef("contract %d: %w", i+1, err)
		}
		s.Contracts[i] = ec
	}
	used := usedTargets(s, o.only)
	if o.dryRun {
		return dryRun(ctx, a, s, targets, used)
	}
	// Optional targets that do not answer are skipped; others fail when first opened.
	for _, t := range s.Targets {
		rt := targets[t.Name]
		if !rt.Optional || !used[t.Name] {
			continue
		}
		if reason, ok := o.skip[t.Name]; ok {
			rt.skipped = reason
			o.notes = append(o.notes, reason)
			continue
		}
		if err := checkTarget(ctx, a, rt.Target); err != nil {
			rt.skipped = skipReason(rt.Target, err)
			o.notes = append(o.notes, rt.skipped)
			a.log.Warn("optional target skipped", "target", rt.Name, "reason", err)
		}
	}

	file := &results.File{
		Schema: results.Schema,
		Run: results.Run{
			ID: uuid.NewString(), Command: o.command, Started: started,
			Environment: environment(), Config: echo,
		},
	}
	out := a.stdout
	if a.quiet {
		out = io.Discard
	}
	var stopErr error
	if o.only != "bench" && len(s.Contracts) > 0 {
		v := &results.Verification{}
		for i, c := range s.Contracts {
			part, err := verifyContract(ctx, a, c, targets, func(r results.Interaction) { printInteraction(out, r, a.Color(a.stdout)) })
			if part != nil {
				v.Interactions = append(v.Interactions, part.Interactions...)
			}
			if err != nil {
				var e *exitcode.Error
				if !errors.As(err, &e) {
					err = exitcode.Unavailablef("contract %d: verification stopped: %w", i+1, err)
				}
				stopErr = err
				break
			}
		}
		v.Summary = results.Summarize(v.Interactions)
		file.Verification = v
	}
	var failedThresholds []string
	if o.only != "verify" && stopErr == nil {
		for _, w := range s.Workloads {
			rt := targets[w.Target]
			if rt.skipped != "" {
				note := fmt.Sprintf("skipped workload %s: optional target %s did not answer", w.Name, w.Target)
				o.notes = append(o.notes, note)
				fmt.Fprintln(out, "- "+note)
				file.SkippedWorkloads = append(file.SkippedWorkloads, results.SkippedWorkload{
					Name: w.Name, Driver: rt.Driver, Operation: w.Operation, Reason: rt.skipped})
				continue
			}
			res, err := runWorkload(ctx, a, rt.Target, w)
			if res != nil {
				file.Workloads = append(file.Workloads, *res)
				for _, t := range res.Thresholds {
					if !t.Passed {
						failedThresholds = append(failedThresholds, fmt.Sprintf("%s: %s (actual %.4g)", w.Name, t.Expr, t.Actual))
					}
				}
			}
			if err != nil {
				stopErr = err
				break
			}
		}
	}
	file.Run.Ended = time.Now()
	if len(o.notes) > 0 {
		file.Run.Config["notes"] = o.notes
	}
	if stopErr != nil {
		file.Run.Interrupted = true
		file.Run.Error = stopErr.Error()
	}
	outputs := reports.Outputs{HTML: s.Outputs.HTML, JUnit: s.Outputs.JUnit, JSON: s.Outputs.JSON, Markdown: s.Outputs.MD, Stdout: a.stdout}
	if err := reports.WriteOutputs(file, outputs); err != nil {
		return exitcode.Usagef("write reports: %w", err)
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout)
		_ = reports.Text(a.stdout, file, a.Color(a.stdout))
		for _, n := range o.notes {
			fmt.Fprintln(a.stdout, "note: "+n)
		}
		printOutputs(a.stdout, s.Outputs)
	}
	switch {
	case stopErr != nil:
		return stopErr
	case file.Verification != nil && file.Verification.Summary.Total > 0 && file.Verification.Summary.Skipped == file.Verification.Summary.Total:
		return exitcode.Usagef("no interaction was verified: every one was skipped (%s)", file.Verification.Interactions[0].Reason)
	case file.Failed() && len(failedThresholds) > 0:
		return exitcode.Failedf("threshold breached: %s", strings.Join(failedThresholds, ", "))
	case file.Failed():
		return exitcode.New(exitcode.Failed, nil)
	}
	return nil
}

// printOutputs says where the reports went.
func printOutputs(w io.Writer, o scenario.Outputs) {
	for _, f := range []struct{ what, path string }{{"HTML report", o.HTML}, {"JUnit XML", o.JUnit}, {"results JSON", o.JSON}, {"Markdown", o.MD}} {
		if f.path != "" && f.path != "-" {
			fmt.Fprintf(w, "%-13s %s\n", f.what+":", f.path)
		}
	}
}

// usedTargets returns the targets the parts of the run that will happen refer to.
func usedTargets(s *scenario.Scenario, only string) map[string]bool {
	used := map[string]bool{}
	if only != "bench" {
		for _, c := range s.Contracts {
			for _, n := range []string{c.HTTP, c.GRPC, c.Kafka, c.AMQP} {
				if n != "" {
					used[n] = true
				}
			}
		}
	}
	if only != "verify" {
		for _, w := range s.Workloads {
			used[w.Target] = true
		}
	}
	return used
}

// driverFor returns the driver named name (the scenario has validated it).
func driverFor(name string) drivers.Driver {
	switch name {
	case "rest":
		return rest.New()
	case "grpc":
		return cgrpc.New()
	case "amqp":
		return amqp.New()
	default:
		return kafka.New()
	}
}

// openTarget opens a connection to t. Errors carry exit code 3 (unreachable) or 2 (bad options).
func openTarget(ctx context.Context, a *app, t scenario.Target) (drivers.Conn, error) {
	c, err := driverFor(t.Driver).Open(ctx, driverTarget(a, t))
	if err != nil {
		return nil, openError(fmt.Sprintf("target %s (%s %s)", t.Name, t.Driver, scenario.RedactURL(t.Address)), err)
	}
	return c, nil
}

// checkTarget opens and closes a connection to t; the error is the driver's.
func checkTarget(ctx context.Context, a *app, t scenario.Target) error {
	c, err := driverFor(t.Driver).Open(ctx, driverTarget(a, t))
	if err != nil {
		return err
	}
	return c.Close()
}

// skipReason says why optional target t is skipped (err: why it did not answer) and how to start
// one.
func skipReason(t scenario.Target, err error) string {
	reason := fmt.Sprintf("optional target %s (%s) did not answer: %v", t.Name, t.Driver, err)
	if hint := startHints[t.Driver]; hint != "" {
		reason += "; " + hint
	}
	return reason
}

// verifyContract verifies one contract of the scenario against its targets. Interactions that
// need a skipped optional target are reported as skipped with the target's reason.
func verifyContract(ctx context.Context, a *app, c scenario.Contract, targets map[string]*runTarget, onResult func(results.Interaction)) (*results.Verification, error) {
	var pacts []*contracts.Pact
	for _, src := range c.Pacts {
		ps, err := contracts.Load(ctx, src, contracts.LoadOptions{Getenv: a.Getenv})
		if err != nil {
			return nil, exitcode.Usagef("%w", err)
		}
		pacts = append(pacts, ps...)
	}
	cfg := verifier.Config{Consumer: c.Consumer, StateChangeURL: c.StateChangeURL, StateTeardown: c.StateTeardown}
	var err error
	if cfg.Description, err = optionalRegexp("description", c.Description); err != nil {
		return nil, err
	}
	if cfg.State, err = optionalRegexp("state", c.State); err != nil {
		return nil, err
	}
	var closers []func() error
	defer func() {
		for _, cl := range closers {
			_ = cl()
		}
	}()
	var skipped []string
	open := func(name string) (drivers.Conn, error) {
		if name == "" {
			return nil, nil
		}
		t := targets[name]
		if t.skipped != "" {
			skipped = append(skipped, t.skipped)
			return nil, nil
		}
		conn, err := openTarget(ctx, a, t.Target)
		if err != nil {
			return nil, err
		}
		closers = append(closers, conn.Close)
		return conn, nil
	}
	if conn, err := open(c.HTTP); err != nil {
		return nil, err
	} else if conn != nil {
		cfg.HTTP = conn.(drivers.Requester)
	}
	if conn, err := open(c.GRPC); err != nil {
		return nil, err
	} else if conn != nil {
		cfg.GRPC = conn.(drivers.Requester)
		if t := targets[c.GRPC]; len(t.Proto) > 0 {
			if cfg.GRPCFiles, err = protobuf.LoadSchema(ctx, formats.Options{Schema: t.Proto[0], SchemaFiles: t.Proto[1:], ImportPaths: t.ImportPaths}); err != nil {
				return nil, exitcode.Usagef("target %s proto: %w", c.GRPC, err)
			}
		}
	}
	var mc verifier.MessageConfig
	for _, b := range []struct {
		name string
		dst  *verifier.BrokerConn
	}{{c.Kafka, &mc.Kafka}, {c.AMQP, &mc.AMQP}} {
		conn, err := open(b.name)
		if err != nil {
			return nil, err
		}
		if conn != nil {
			bc, ok := conn.(verifier.BrokerConn)
			if !ok {
				return nil, exitcode.Usagef("target %s: its driver cannot subscribe and request", b.name)
			}
			*b.dst = bc
		}
	}
	for _, r := range c.MessageRoutes {
		rule, err := verifier.ParseRouteRule(r)
		if err != nil {
			return nil, exitcode.Usagef("message route %q: %w", r, err)
		}
		mc.Routes = append(mc.Routes, rule)
	}
	if mc.Kafka != nil || mc.AMQP != nil {
		mc.Timeout = c.MessageTimeout.Std()
		cfg.Messages = verifier.NewMessages(mc)
	}
	// Interactions skipped for want of a connection are, here, skipped because an optional target
	// did not answer: say so, with how to start it, rather than name a missing flag.
	reason := strings.Join(skipped, "; ")
	explain := func(r *results.Interaction) {
		if reason != "" && r.Status == results.StatusSkipped {
			r.Reason = reason
		}
	}
	cfg.OnResult = func(r results.Interaction) {
		explain(&r)
		onResult(r)
	}
	v, err := verifier.Verify(ctx, cfg, pacts)
	if v != nil {
		for i := range v.Interactions {
			explain(&v.Interactions[i])
		}
	}
	return v, err
}

// runWorkload builds and runs one workload (workload.go); a threshold breach is in the results,
// not the error. The error stops the run: bad input (2), unreachable or interrupted (3).
func runWorkload(ctx context.Context, a *app, t scenario.Target, w scenario.Workload) (*results.Workload, error) {
	cfg, ths, err := loadConfig(w)
	if err != nil {
		return nil, err
	}
	wl, err := openWorkload(ctx, a, t, w, &cfg)
	if err != nil {
		return nil, err
	}
	defer wl.close()
	res, runErr := measureWorkload(ctx, a, cfg, wl, ths)
	switch {
	case runErr != nil:
		return res, exitcode.Unavailablef("workload %s: %w", w.Name, runErr)
	case res != nil && res.Interrupted:
		return res, exitcode.Unavailablef("workload %s interrupted: the results are partial", w.Name)
	}
	return res, nil
}

// scenarioEcho is the scenario as written into the results: redacted (no secret), as JSON values.
func scenarioEcho(s *scenario.Scenario) map[string]any {
	raw, err := json.Marshal(s.Redacted())
	m := map[string]any{}
	if err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// dryRun prints the plan and checks that every target the run would use answers: exit 0 when
// they all do (optional ones may not), 3 otherwise.
func dryRun(ctx context.Context, a *app, s *scenario.Scenario, targets map[string]*runTarget, used map[string]bool) error {
	w := a.stdout
	name := s.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "Scenario %s: %d targets, %d contracts, %d workloads\n\nTargets:\n", name, len(s.Targets), len(s.Contracts), len(s.Workloads))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var down []string
	for _, t := range s.Targets {
		rt := targets[t.Name]
		status := "not used"
		if used[t.Name] {
			status = "answers"
			if err := checkTarget(ctx, a, rt.Target); err != nil {
				status = "DOES NOT ANSWER: " + err.Error()
				if rt.Optional {
					status = "does not answer (optional: would be skipped): " + err.Error()
				} else {
					down = append(down, t.Name)
				}
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Driver, scenario.RedactURL(rt.Address), status)
	}
	_ = tw.Flush()
	if len(s.Contracts) > 0 {
		fmt.Fprintln(w, "\nContracts (verified first):")
	}
	for i, c := range s.Contracts {
		var via []string
		for _, p := range []struct{ k, v string }{{"http", c.HTTP}, {"grpc", c.GRPC}, {"kafka", c.Kafka}, {"amqp", c.AMQP}} {
			if p.v != "" {
				via = append(via, p.k+"="+p.v)
			}
		}
		fmt.Fprintf(w, "  %d. %s via %s\n", i+1, strings.Join(c.Pacts, ", "), strings.Join(via, " "))
	}
	if len(s.Workloads) > 0 {
		fmt.Fprintln(w, "\nWorkloads (in order):")
	}
	for i, wl := range s.Workloads {
		cfg, _, err := loadConfig(wl)
		if err != nil {
			return err
		}
		format := formatName(wl.Payload)
		if targets[wl.Target].Driver == "grpc" {
			format = "protobuf"
		}
		fmt.Fprintf(tw, "  %d. %s\t%s %s\ton %s\t%s\n", i+1, wl.Name, wl.Operation, format, wl.Target, describeLoad(cfg))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	printOutputs(w, s.Outputs)
	if len(down) > 0 {
		return exitcode.Unavailablef("dry run: %s did not answer", strings.Join(down, ", "))
	}
	fmt.Fprintln(w, "dry run: every target answers")
	return nil
}

// describeLoad is the load model in words: "open 200/s, 5s" or "closed 10 workers, 5s".
func describeLoad(cfg bench.Config) string {
	var b strings.Builder
	switch {
	case len(cfg.Stages) > 0:
		fmt.Fprintf(&b, "open, %d stages", len(cfg.Stages))
	case cfg.Open():
		fmt.Fprintf(&b, "open %g/s", cfg.Rate)
	default:
		fmt.Fprintf(&b, "closed %d workers", cfg.Workers)
	}
	if cfg.Duration > 0 {
		fmt.Fprintf(&b, ", %s", cfg.Duration)
	}
	if cfg.Count > 0 {
		fmt.Fprintf(&b, ", %d sends", cfg.Count)
	}
	return b.String()
}
