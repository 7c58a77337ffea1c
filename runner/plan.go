package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// Plan is a scenario ready to run: its targets' and contracts' ${VAR} references expanded, the
// targets the run uses marked, and every workload's load model and thresholds parsed. NewPlan
// opens nothing; Check tries a target, Run runs the plan.
type Plan struct {
	// Scenario is the scenario planned, its contracts' state change URLs expanded.
	Scenario *scenario.Scenario
	// Targets are the scenario's targets, in order.
	Targets []*Target
	// Workloads are the scenario's workloads, in order, with their expanded target and their load
	// model (Load, Thresholds) parsed.
	Workloads []Workload

	opts    Options
	targets map[string]*Target
	echo    map[string]any
}

// Target is a scenario target as the run uses it.
type Target struct {
	// Target has its ${VAR} references expanded.
	scenario.Target
	// Used says whether the parts of the run that will happen (Options.Only) refer to it.
	Used bool
	// Skipped, when not empty, says why the target is skipped: an optional target that did not
	// answer (set by Plan.Run), or one named in Options.Skip.
	Skipped string
}

// NewPlan plans s under o: it expands ${VAR} references with o.LookupEnv (an unset variable is an
// error), marks the targets used by the parts that will run and parses each workload's load
// model and thresholds. Input paths in s must already be resolved (scenario.ResolvePaths).
// Errors wrap ErrInvalid and name the target, contract or workload.
func NewPlan(s *scenario.Scenario, o Options) (*Plan, error) {
	switch o.Only {
	case "", "verify", "bench":
	default:
		return nil, exitcode.Usagef("--only %q: want verify or bench", o.Only)
	}
	p := &Plan{Scenario: s, opts: o, targets: make(map[string]*Target, len(s.Targets)), echo: scenarioEcho(s)}
	for _, t := range s.Targets {
		et, err := t.ExpandEnv(o.lookupEnv())
		if err != nil {
			return nil, exitcode.Usagef("%w", err)
		}
		rt := &Target{Target: et}
		p.Targets = append(p.Targets, rt)
		p.targets[t.Name] = rt
	}
	for i, c := range s.Contracts {
		ec, err := c.ExpandEnv(o.lookupEnv())
		if err != nil {
			return nil, exitcode.Usagef("contract %d: %w", i+1, err)
		}
		s.Contracts[i] = ec
	}
	if o.Only != "bench" {
		for _, c := range s.Contracts {
			for _, n := range []string{c.HTTP, c.GRPC, c.Kafka, c.AMQP} {
				if t := p.targets[n]; t != nil {
					t.Used = true
				}
			}
		}
	}
	for _, w := range s.Workloads {
		t := p.targets[w.Target]
		if t == nil {
			return nil, exitcode.Usagef("workload %q: no target %q", w.Name, w.Target)
		}
		if o.Only != "verify" {
			t.Used = true
		}
		pw := Workload{Target: t.Target, Workload: w}
		if err := pw.plan(); err != nil {
			return nil, err
		}
		p.Workloads = append(p.Workloads, pw)
	}
	return p, nil
}

// Check opens and closes a connection to t; the error is the driver's (nil: t answers).
func (p *Plan) Check(ctx context.Context, t *Target) error {
	return checkTarget(ctx, t.Target, p.opts.lookupEnv())
}

// Run plans s under o and runs it (see Plan.Run).
func Run(ctx context.Context, s *scenario.Scenario, o Options) (*results.File, error) {
	p, err := NewPlan(s, o)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx)
}

// Run runs the plan: optional targets that do not answer are skipped (with a note; one that
// answers but refuses, for its credentials, TLS or protocol, stops the run with an error
// wrapping ErrUnavailable), the
// contracts are verified in order, then the workloads run in order. It returns the results,
// with the scenario (redacted) as configuration; a contract that fails or a threshold breached
// is in them (results.File.Failed), not in the error. The error is what stopped the run
// (ErrInvalid: bad input; ErrUnavailable: a target did not answer, ctx was cancelled); the
// results are then partial (Run.Interrupted) and still returned.
func (p *Plan) Run(ctx context.Context) (*results.File, error) {
	o := p.opts
	started := time.Now()
	notes := append([]string(nil), o.Notes...)
	for _, t := range p.Targets {
		if !t.Optional || !t.Used {
			continue
		}
		if reason, ok := o.Skip[t.Name]; ok {
			t.Skipped = reason
			notes = append(notes, reason)
			continue
		}
		if err := p.Check(ctx, t); err != nil {
			if !NotAnswering(ctx, t.Target, err) {
				// It answered, then refused (credentials, TLS, protocol): that fails the run.
				stopErr := exitcode.Unavailablef("optional %s answered but cannot be used: %w", targetName(t.Target), err)
				file := o.newFile("run", started, p.echo)
				o.stopped(file, notes, stopErr, false)
				return file, stopErr
			}
			t.Skipped = SkipReason(t.Target, err)
			notes = append(notes, t.Skipped)
			o.logger().Warn("optional target skipped", "target", t.Name, "reason", err)
		}
	}
	file := o.newFile("run", started, p.echo)
	var stopErr error
	if o.Only != "bench" && len(p.Scenario.Contracts) > 0 {
		v := &results.Verification{}
		for i, c := range p.Scenario.Contracts {
			part, err := p.verify(ctx, c)
			if part != nil {
				v.Interactions = append(v.Interactions, part.Interactions...)
				v.Pacts = append(v.Pacts, part.Pacts...)
			}
			if err != nil {
				if !isClassified(err) {
					err = exitcode.Unavailablef("contract %d: verification stopped: %w", i+1, err)
				}
				stopErr = err
				break
			}
		}
		v.Summary = results.Summarize(v.Interactions)
		file.Verification = v
	}
	if o.Only != "verify" && stopErr == nil {
		for _, w := range p.Workloads {
			if t := p.targets[w.Workload.Target]; t.Skipped != "" {
				note := fmt.Sprintf("skipped workload %s: optional target %s did not answer", w.Workload.Name, t.Name)
				notes = append(notes, note)
				if o.Progress.WorkloadSkipped != nil {
					o.Progress.WorkloadSkipped(note)
				}
				file.SkippedWorkloads = append(file.SkippedWorkloads, results.SkippedWorkload{
					Name: w.Workload.Name, Driver: t.Driver, Operation: w.Workload.Operation, Reason: t.Skipped})
				continue
			}
			res, err := runWorkload(ctx, w, o)
			if res != nil {
				file.Workloads = append(file.Workloads, *res)
			}
			if err != nil {
				stopErr = err
				break
			}
		}
	}
	interrupted := ctx.Err() != nil
	for _, w := range file.Workloads {
		interrupted = interrupted || w.Interrupted
	}
	o.stopped(file, notes, stopErr, interrupted)
	return file, stopErr
}

// verify verifies scenario contract c.
func (p *Plan) verify(ctx context.Context, c scenario.Contract) (*results.Verification, error) {
	rc, err := p.contract(c)
	if err != nil {
		return nil, err
	}
	return verify(ctx, rc, p.opts)
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
