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

	"github.com/commbench/commbench/bench/progress"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		// Above the progress bar when one is shown, so the bar is not drawn twice.
		progress.Notice(os.Stderr, "commbench: interrupted, stopping (press Ctrl-C again to exit at once)")
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "commbench: second interrupt, exiting")
		os.Exit(3)
	}()
	code := Execute(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}
