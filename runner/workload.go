package runner

import (
	"context"
	"errors"
	"fmt"
	"github.com/commbench/commbench/internal/units"
	"strings"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/messaging"
	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// This file runs workloads: a Workload gets its load model (loadConfig), is opened against its
// target (open.go, messaging.go) and measured by the bench engine, its thresholds evaluated.

// Defaults of the load model of a scenario workload, as the scenario format documents them.
const (
	defaultConcurrency = 10
	defaultMaxInFlight = 100
	defaultDrain       = 5 * time.Second
)

// Workload is one benchmark: a workload against a target, as a scenario gives it or as
// `commbench bench` builds it from its flags.
type Workload struct {
	// Target is where the load goes, its ${VAR} references expanded (scenario.Target.ExpandEnv).
	Target scenario.Target
	// Workload says what to send (operation, method and path or route, headers, payload,
	// messaging settings) and, unless Load is set, the load model and thresholds.
	Workload scenario.Workload
	// Load, when set, is the engine configuration used instead of the one Workload's load fields
	// describe; Thresholds are then the workload's thresholds.
	Load       *bench.Config
	Thresholds []threshold.Threshold
}

// Format is the payload's wire format: json (the default), protobuf or avro; always protobuf on
// a grpc target.
func (w Workload) Format() string {
	if w.Target.Driver == "grpc" {
		return "protobuf"
	}
	return formatName(w.Workload.Payload)
}

// Describe is the load model in words: "open 200/s, 5s", "open, 3 stages" or "closed 10 workers,
// 1000 sends". It needs Load (set, or filled by NewPlan).
func (w Workload) Describe() string {
	if w.Load == nil {
		return ""
	}
	cfg := *w.Load
	var b strings.Builder
	switch {
	case len(cfg.Stages) > 0:
		fmt.Fprintf(&b, "open, %d stages", len(cfg.Stages))
	case cfg.Open():
		fmt.Fprintf(&b, "open %s", units.Rate(cfg.Rate))
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

// Bench runs one workload and returns its results (command "bench"). Bad input (a load model,
// template or option that does not work) is an error wrapping ErrInvalid with nil results; a
// target that does not answer wraps ErrUnavailable. A breached threshold is in the results
// (results.File.Failed), not an error. When the load stops early (ctx cancelled, the target
// stopped answering) the partial results come with an error wrapping ErrUnavailable.
func Bench(ctx context.Context, w Workload, o Options) (*results.File, error) {
	started := time.Now()
	if err := w.plan(); err != nil {
		return nil, err
	}
	res, err := runWorkload(ctx, w, o)
	if res == nil {
		return nil, err
	}
	file := o.newFile("bench", started, w.echo(res))
	file.Workloads = []results.Workload{*res}
	o.stopped(file, nil, err, ctx.Err() != nil || res.Interrupted)
	return file, err
}

// plan fills w.Load and w.Thresholds from w.Workload unless Load is set, and checks that the
// thresholds fit the operation. Errors wrap ErrInvalid and name the workload.
func (w *Workload) plan() error {
	if w.Load == nil {
		cfg, ths, err := loadConfig(w.Workload)
		if err != nil {
			return err
		}
		w.Load, w.Thresholds = &cfg, ths
	}
	integrity := isIntegrityOperation(w.Workload.Operation)
	if w.Workload.Integrity && !integrity {
		return exitcode.Usagef("workload %q: integrity needs a publish-consume (AMQP) or produce-consume (Kafka) operation, not %q", w.Workload.Name, w.Workload.Operation)
	}
	for _, t := range w.Thresholds {
		if t.NeedsIntegrity() && !integrity {
			return exitcode.Usagef("workload %q: threshold %q: a %s %s workload produces no messaging integrity figures (only publish-consume and produce-consume do)",
				w.Workload.Name, t.Expr, w.Target.Driver, w.Workload.Operation)
		}
	}
	return nil
}

// loadConfig returns the engine configuration and thresholds of w: the closed model with
// Concurrency workers (default 10) unless Rate or Stages ask for the open model (MaxInFlight
// workers, default 100). Errors wrap ErrInvalid and name the workload.
func loadConfig(w scenario.Workload) (bench.Config, []threshold.Threshold, error) {
	var cfg bench.Config
	bad := func(err error) (bench.Config, []threshold.Threshold, error) {
		if w.Name == "" {
			return cfg, nil, exitcode.Usagef("workload: %w", err)
		}
		return cfg, nil, exitcode.Usagef("workload %q: %w", w.Name, err)
	}
	var err error
	if w.Rate != "" {
		if cfg.Rate, err = bench.ParseRate(w.Rate); err != nil {
			return bad(fmt.Errorf("rate: %w", err))
		}
	}
	if w.Stages != "" {
		if cfg.Stages, err = bench.ParseStages(w.Stages); err != nil {
			return bad(fmt.Errorf("stages: %w", err))
		}
	}
	if w.Concurrency < 0 || w.MaxInFlight < 0 || w.MaxBacklog < 0 || w.Count < 0 {
		return bad(errors.New("concurrency, max_in_flight, max_backlog and count must not be negative"))
	}
	cfg.Workers = w.Concurrency
	if cfg.Workers == 0 {
		cfg.Workers = defaultConcurrency
	}
	if cfg.Open() {
		cfg.Workers = w.MaxInFlight
		if cfg.Workers == 0 {
			cfg.Workers = defaultMaxInFlight
		}
	}
	cfg.MaxBacklog, cfg.Duration, cfg.Count, cfg.Warmup = w.MaxBacklog, w.Duration.Std(), uint64(w.Count), w.Warmup.Std()
	cfg.Drain = w.Drain.Std()
	if cfg.Drain == 0 {
		cfg.Drain = defaultDrain
	}
	cfg.Info.Name = w.Name
	if err := cfg.Validate(); err != nil {
		return bad(err)
	}
	ths, err := threshold.ParseAll(w.Thresholds)
	if err != nil {
		return bad(fmt.Errorf("thresholds: %w", err))
	}
	return cfg, ths, nil
}

// isIntegrityOperation reports whether op is checked for order, duplicates and loss.
func isIntegrityOperation(op string) bool {
	return op == messaging.PublishConsume || op == messaging.ProduceConsume
}

// runWorkload opens and runs one workload; a threshold breach is in the results, not the error.
// The error stops the run: bad input (ErrInvalid), unreachable or interrupted (ErrUnavailable,
// with the partial results).
func runWorkload(ctx context.Context, w Workload, o Options) (*results.Workload, error) {
	if err := w.plan(); err != nil {
		return nil, err
	}
	cfg := *w.Load
	wl, err := openWorkload(ctx, o.lookupEnv(), w.Target, w.Workload, &cfg)
	if err != nil {
		return nil, err
	}
	defer wl.close()
	res, runErr := measure(ctx, cfg, wl, w.Thresholds, o)
	switch {
	case runErr != nil:
		return res, exitcode.Unavailablef("workload %s: %w", cfg.Info.Name, runErr)
	case res != nil && res.Interrupted:
		return res, exitcode.Unavailablef("workload %s interrupted: the results are partial", cfg.Info.Name)
	}
	return res, nil
}

// measure runs an opened workload under cfg, reporting through o.Progress, and evaluates the
// thresholds into the returned results. The error is what stopped the load, if anything; the
// results are then partial (Interrupted).
func measure(ctx context.Context, cfg bench.Config, wl *opened, ths []threshold.Threshold, o Options) (*results.Workload, error) {
	eng, err := bench.New(cfg, wl.op)
	if err != nil {
		return nil, exitcode.Usagef("workload %q: %w", cfg.Info.Name, err)
	}
	o.logger().Info("bench starting", "workload", cfg.Info.Name, "target", cfg.Info.Target, "model", map[bool]string{true: "open", false: "closed"}[cfg.Open()], "workers", cfg.Workers)
	var ended func()
	if o.Progress.WorkloadStarted != nil {
		ended = o.Progress.WorkloadStarted(cfg, eng.Snapshot)
	}
	res, runErr := eng.Run(ctx)
	if ended != nil {
		ended()
	}
	if res != nil {
		threshold.Evaluate(ths, res)
	}
	return res, runErr
}
