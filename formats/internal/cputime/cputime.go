// Package cputime reports the CPU time a benchmark's process used per operation, beside the
// wall-clock ns/op: on a shared machine, wall time counts the time other processes held the CPU.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Start reads the process CPU time (user + system, getrusage(2)); the returned function, called
// after the benchmark loop, reports the CPU time used since then divided by b.N as "cpu-ns/op".
func Start(b *testing.B) func() {
	start := used()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(used()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
