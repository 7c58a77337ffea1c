// Package runner is commbench as a library: what `commbench run`, `verify`, `bench` and `demo`
// do, callable from Go, for example from a provider's own `go test`.
//
// The flow goes one way:
//
//	scenario.Scenario ──► NewPlan ──► Plan.Run ──► results.File ──► reports (the caller's choice)
//	                       │            ├── targets opened through the driver registry (rest, grpc, amqp, kafka)
//	                       │            ├── contracts verified (contracts/verifier), in order
//	                       │            └── workloads opened (drivers, formats) and measured (bench), in order
//	                       └── ${VAR} expanded, used targets marked, load models and thresholds parsed
//
// Three entry points take the three inputs a user has:
//
//   - Run (or NewPlan then Plan.Run) takes a whole scenario, as a YAML file gives it
//     (scenario.Load) or as built in Go.
//   - Verify takes one Contract: pacts against providers and brokers. Where the CLI takes URLs, a
//     Go test can give functions (Contract.Hooks): provider state handlers, message producers
//     and a request filter, as pact-go's provider.VerifyRequest takes them.
//   - Bench takes one Workload: a target and what to send, with its load model and thresholds.
//
// Each returns the results (results.File), which reports render (reports.WriteOutputs,
// reports.Text). A contract that fails or a breached threshold is data in the results
// (results.File.Failed), not an error; the error is what stopped the run: ErrInvalid for bad
// input (a pact, template or option that does not work), ErrUnavailable for a target that does
// not answer or a cancelled context, with the partial results still returned.
//
// The runner never prints, never installs signal handlers and never exits: progress is reported
// through Options.Progress callbacks and a *slog.Logger, and the run stops when its context is
// cancelled. cmd/commbench maps flags and scenario files to this package's input, renders the
// results and maps the errors to exit codes.
package runner
