package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/internal/redact"
	"github.com/commbench/commbench/internal/termsafe"
	"github.com/commbench/commbench/scenario"
)

// exitCodesHelp is printed by `commbench --help` and mirrored in the README.
const exitCodesHelp = `Exit codes:
  0  success
  1  a contract verification failed or a threshold was breached (the run itself worked)
  2  usage error or invalid input (bad flag, unreadable or invalid file)
  3  the run could not be carried out (target unreachable, broker refused, aborted)
  70 commbench itself crashed (a bug, please report it with the message it printed)`

// app is what every command needs from the process: streams, environment, logger and the global
// flags. Commands read the environment through Getenv, never os.Getenv, so tests control it.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            map[string]string

	logLevel string
	noColor  bool
	quiet    bool
	log      *slog.Logger
	// secrets are the literal credential values of this invocation (header values, variables
	// that flags reference, tokens from the environment): logs and error messages mask them,
	// with every URL's user info and query values (internal/redact).
	secrets *redact.Secrets
}

// Getenv returns the value of an environment variable given to Execute ("" when unset).
func (a *app) Getenv(key string) string { return a.env[key] }

// LookupEnv is os.LookupEnv over the environment given to Execute.
func (a *app) LookupEnv(key string) (string, bool) { v, ok := a.env[key]; return v, ok }

// Color reports whether output may use ANSI colour: not with --no-color, not when NO_COLOR is set
// (https://no-color.org), and only when w is a terminal.
func (a *app) Color(w io.Writer) bool {
	if a.noColor {
		return false
	}
	if _, ok := a.env["NO_COLOR"]; ok {
		return false
	}
	return isTerminal(w)
}

// commandBuilders lists the subcommands; each lives in its own file.
var commandBuilders = []func(*app) *cobra.Command{
	newVersionCmd,
	newReportCmd,
	newEncodeCmd,
	newDecodeCmd,
	newBenchCmd,
	newVerifyCmd,
	newRunCmd,
	newDemoCmd,
}

// Execute runs the commbench CLI with args (without the program name), the environment as
// "KEY=value" strings and the given streams, and returns the process exit code. It never calls
// os.Exit, so tests drive the whole CLI in-process.
func Execute(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return guard(stderr, func() int { return execute(ctx, args, environ, stdin, stdout, stderr) })
}

// issuesURL is where crashes are reported.
const issuesURL = "https://github.com/commbench/commbench/issues"

// guard runs fn and turns a panic into exit code exitcode.Crash with a short message asking to
// report it (the panic value and the stack, which hold no flag values or secrets by
// construction of the message: only the value panicked with and code locations).
func guard(stderr io.Writer, fn func() int) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "commbench crashed: %v\nThis is a bug in commbench, not a verdict on the system under test. Please report it at %s\nwith the command line (secrets removed) and this trace:\n%s", r, issuesURL, debug.Stack())
			code = exitcode.Crash
		}
	}()
	return fn()
}

func execute(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: envMap(environ), secrets: &redact.Secrets{}}
	a.secrets.AddEnv(a.env)
	root := newRootCmd(a)
	args, err := expandArgs(a, args)
	if err != nil {
		fmt.Fprintf(stderr, "commbench: %v\nRun 'commbench --help' for usage.\n", err)
		return exitcode.Usage
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err = root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.Code(err)
	if isUsageError(err) {
		code = exitcode.Usage
	}
	if !exitcode.Silent(err) {
		// redacted (a library error may quote a URL with its credentials) and made safe for a
		// terminal or CI log (it may quote a pact's or a provider's text)
		fmt.Fprintf(stderr, "commbench: %s\n", a.safe(err.Error()))
		if code == exitcode.Usage {
			fmt.Fprintln(stderr, "Run 'commbench --help' for usage.")
		}
	}
	return code
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "commbench",
		Short: "Verify consumer contracts and benchmark services over REST, gRPC, AMQP and Kafka",
		Long: `commbench checks that services still talk to each other correctly, and how fast.

It verifies consumer contracts (Pact files V2, V3 and V4) against real providers over REST,
gRPC, AMQP 0-9-1 (RabbitMQ) and Kafka, encodes payloads as JSON, Protobuf and Avro, benchmarks
throughput and latency (and for messaging the ordering, duplicate and loss rates), and writes
HTML, JUnit XML, Markdown and JSON reports for shells and CI pipelines.`,
		Example: `  # Show the version as JSON
  commbench version --format json

  # Set up shell completion for bash
  source <(commbench completion bash)`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level, err := parseLevel(a.logLevel)
			if err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			if a.quiet && level < slog.LevelWarn {
				level = slog.LevelWarn
			}
			a.addFlagSecrets(cmd.Flags())
			a.log = slog.New(redact.Handler(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}), a.secrets))
			return nil
		},
	}
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return exitcode.New(exitcode.Usage, err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	pf.BoolVar(&a.noColor, "no-color", false, "disable colour in output (also when NO_COLOR is set)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only results and errors: no progress, no info logs")
	a.log = slog.New(redact.Handler(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}), a.secrets))
	for _, build := range commandBuilders {
		root.AddCommand(build(a))
	}
	registerCompletions(root)
	return root
}

// expandedLater are the flags whose ${VAR} references the drivers and the runner expand
// themselves, once, when they connect (addresses, headers, state change URLs, scenario
// overrides): expanding them here too would expand a secret holding "$" twice.
var expandedLater = map[string]bool{
	"url": true, "address": true, "brokers": true, "amqp-url": true, "kafka-brokers": true, "grpc-address": true,
	"provider-base-url": true, "state-change-url": true, "message-provider-url": true, "trigger-url": true,
	"header": true, "schema-registry": true, "set": true, "set-header-if-present": true,
}

// credentialFlags carry credentials: the values of the variables they reference are registered
// as secrets when expandArgs expands them (they must never reach outputs).
var credentialFlags = map[string]bool{"password": true, "token": true, "user": true, "option": true, "broker-url": true}

// expandArgs expands the ${VAR} references of the command line (scenario.ExpandArgs), except in
// the values of the flags expanded when used (expandedLater); the values of the variables
// credential flags reference are registered as secrets. An unset variable without a default is a
// usage error naming the flag.
func expandArgs(a *app, args []string) ([]string, error) {
	out, err := scenario.ExpandArgs(args, a.LookupEnv, func(flag string) bool { return expandedLater[flag] }, func(flag, value string) {
		if credentialFlags[flag] {
			a.secrets.AddRefs(value, a.LookupEnv)
		}
	})
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return out, nil
}

// enumValues are the values of the flags that take one of a few, for shell completion, by flag
// name; "format" depends on the command.
var enumValues = map[string][]string{
	"only":        {"verify", "bench"},
	"log-level":   {"debug", "info", "warn", "error"},
	"http-client": {"fast", "net"},
	"from":        {"end", "start"},
	"compare":     {"text", "json"},
	"output":      {"text", "json"},
	"operation":   {"request", "unary", "server-stream", "client-stream", "bidi-stream", "publish", "consume", "publish-consume", "produce", "produce-consume"},
}

// registerCompletions registers the completion of enumerated flag values on every command
// (cobra RegisterFlagCompletionFunc): enumValues, and --format as wire format (json, protobuf,
// avro) except on version, where it is the output (text, json).
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			vals, ok := enumValues[f.Name]
			if f.Name == "format" {
				vals, ok = []string{"json", "protobuf", "avro"}, true
				if c.Name() == "version" {
					vals = []string{"text", "json"}
				}
			}
			if !ok {
				return
			}
			_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp))
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", s)
}

// isUsageError recognises cobra's own errors for unknown commands and bad arguments, which it
// returns as plain errors.
func isUsageError(err error) bool {
	var e *exitcode.Error
	if errors.As(err, &e) {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// safe is s fit for the console: secrets redacted, control characters and line breaks escaped
// (for text that may quote a pact, a provider or a library error).
func (a *app) safe(s string) string { return termsafe.String(a.secrets.String(s)) }

// addFlagSecrets registers the secrets that flags carry: header values and the values of the
// variables any flag references as ${VAR} (the README promises they never reach outputs).
func (a *app) addFlagSecrets(fs *pflag.FlagSet) {
	fs.Visit(func(f *pflag.Flag) {
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			values = sv.GetSlice()
		}
		for _, v := range values {
			if f.Name == "header" {
				a.secrets.AddHeader(v)
			}
			a.secrets.AddRefs(v, a.LookupEnv)
		}
	})
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// deprecate marks flag name of cmd deprecated (pflag's MarkDeprecated: hidden from help, still
// accepted, a "Flag --NAME has been deprecated, MSG" notice when used). The notice goes to
// stderr: through cobra it would reach the command's output, stdout, and spoil JSON there.
func deprecate(a *app, cmd *cobra.Command, name, msg string) {
	_ = cmd.Flags().MarkDeprecated(name, msg)
	cmd.Flags().SetOutput(a.stderr)
}
