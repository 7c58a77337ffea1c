package runner

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
)

// Errors returned by Run, Verify and Bench are classified for errors.Is; the command maps them
// to its exit codes (2 and 3). A contract that fails or a breached threshold is not an error: it
// is in the results (results.File.Failed).
var (
	// ErrInvalid marks bad input: an unreadable or invalid pact, scenario value, template or
	// schema, a target option the driver rejects.
	ErrInvalid error = exitcode.Kind(exitcode.Usage)
	// ErrUnavailable marks a run that could not be carried out: a target that does not answer,
	// refused credentials, a cancelled context. The results returned with it are partial.
	ErrUnavailable error = exitcode.Kind(exitcode.Unavailable)
)

// Options are what every entry point (Run, Verify, Bench) takes besides its input. The zero
// value works: the process environment, no progress, no log.
type Options struct {
	// Command names the run in the results (results.Run.Command): default "run" for Run, "verify"
	// for Verify, "bench" for Bench; the CLI's demo passes "demo".
	Command string
	// Only limits Run to the contracts ("verify") or to the workloads ("bench"); "" runs both.
	Only string
	// LookupEnv resolves ${VAR} references in targets, headers and state change URLs, and the
	// credentials of pact URLs and schema registries (default os.LookupEnv).
	LookupEnv func(name string) (string, bool)
	// Logger receives a warning per optional target skipped and an info line per workload started
	// (default: nothing is logged).
	Logger *slog.Logger
	// Progress receives what happens as it happens.
	Progress Progress
	// Skip names scenario targets known not to answer, with the reason (see SkipReason): they are
	// skipped as an optional target that did not answer is, without being tried.
	Skip map[string]string
	// Notes are kept in the results' configuration ("notes"), before the ones Run adds (each
	// skipped target and workload).
	Notes []string
	// Hooks are given to every contract of a scenario (Run); see Contract.Hooks.
	Hooks verifier.Hooks
	// Version is the commbench version written into the results (default: the module version
	// from the build information, else "dev").
	Version string
}

// Progress receives events during a run. Every field may be nil. Calls come from the goroutine
// that called Run, Verify or Bench, one at a time.
type Progress struct {
	// Interaction is called once per interaction verified or skipped, as soon as its verdict is
	// known.
	Interaction func(results.Interaction)
	// WorkloadStarted is called when a workload's load starts, with its name, target and load
	// model in cfg and snapshot to read its live figures (safe from any goroutine). The function
	// it returns, when not nil, is called once the load has ended.
	WorkloadStarted func(cfg bench.Config, snapshot func() bench.Snapshot) (ended func())
	// WorkloadSkipped is called when Run skips a workload, with why (its optional target did not
	// answer).
	WorkloadSkipped func(note string)
	// BrokerPact is called before each pact from a Pact Broker is verified, with its URL,
	// pending/WIP status and the broker's notices (to print the "before_verification" ones).
	BrokerPact func(results.BrokerPact)
}

func (o Options) lookupEnv() func(string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv
	}
	return os.LookupEnv
}

func (o Options) getenv(name string) string {
	v, _ := o.lookupEnv()(name)
	return v
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (o Options) command(def string) string {
	if o.Command != "" {
		return o.Command
	}
	return def
}

// newFile starts the results of a run begun at started.
func (o Options) newFile(command string, started time.Time, config map[string]any) *results.File {
	return &results.File{
		Schema: results.Schema,
		Run: results.Run{
			ID: uuid.NewString(), Command: o.command(command), Started: started,
			Environment: o.environment(), Config: config,
		},
	}
}

// stopped ends f: the end time, the notes, and what stopped the run (err, nil when it ran to its
// end).
// interrupted says whether the run was interrupted (ctx cancelled): only then are the results
// marked Interrupted; a run stopped by an error has Run.Error alone.
func (o Options) stopped(f *results.File, notes []string, err error, interrupted bool) {
	f.Run.Ended = time.Now()
	if len(notes) > 0 {
		if f.Run.Config == nil {
			f.Run.Config = map[string]any{}
		}
		f.Run.Config["notes"] = notes
	}
	if err != nil {
		f.Run.Error = err.Error()
	}
	f.Run.Interrupted = interrupted
}

// environment describes where the run happens.
func (o Options) environment() results.Environment {
	host, _ := os.Hostname()
	return results.Environment{CommbenchVersion: o.version(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Hostname: host}
}

func (o Options) version() string {
	if o.Version != "" {
		return o.Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
