// Command commbench verifies consumer contracts (Pact V2–V4) and benchmarks services over REST, gRPC,
// AMQP 0-9-1 and Kafka, writing HTML, JUnit, Markdown and JSON reports.
//
// This file holds the process concerns: signals, the environment and the exit code. Everything else
// is built by Execute so tests run the whole CLI in-process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/internal/exitcode"

	"github.com/commbench/commbench/bench/progress"
)

// abortGrace bounds how long the outputs may take after a second interrupt.
const abortGrace = 2 * time.Second

// main runs the CLI. The first SIGINT or SIGTERM (what CI cancellation sends) stops gracefully:
// the load stops, in-flight operations get the drain period, the outputs are written, marked
// interrupted. A second one stops at once (bench.WithAbort: no drain, in-flight operations
// counted as canceled) but the outputs are still written with what was gathered; after
// abortGrace the process exits 3 whatever is left. A panic exits 70 (exitcode.Crash, see
// guard).
func main() {
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	ctx = bench.WithAbort(ctx, abort)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		// Above the progress bar when one is shown, so the bar is not drawn twice.
		progress.Notice(os.Stderr, "commbench: interrupted, stopping (press Ctrl-C again to exit at once)")
		cancel()
		<-sigs
		fmt.Fprintf(os.Stderr, "commbench: second interrupt, stopping at once: writing the outputs (at most %s)\n", abortGrace)
		close(abort)
		time.Sleep(abortGrace)
		fmt.Fprintln(os.Stderr, "commbench: outputs not written in time, exiting")
		os.Exit(exitcode.Unavailable)
	}()
	code := Execute(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}
