// Package progress shows a running benchmark's state: a live bar with
// github.com/vbauerster/mpb/v8 on a terminal (elapsed and remaining, sent, rate, errors, live
// p99), a plain line every few seconds elsewhere (CI logs), or nothing.
package progress

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/internal/units"
)

// Mode selects the display.
type Mode int

const (
	None  Mode = iota // no output (--quiet)
	Plain             // one line every Every (non-terminal)
	Bar               // live mpb bar (terminal)
)

// Options configure Start.
type Options struct {
	Mode Mode
	// Every is the period of plain lines (default 5s).
	Every time.Duration
	// Name prefixes the bar and lines (e.g. the workload name).
	Name string
	// Width of the bar line in columns (default: the terminal's width). The line is laid out to
	// fit 80 columns: a name over 16 characters is cut.
	Width int
	// Drain is how long the load waits for in-flight operations after its duration; past the
	// duration the display says it is draining.
	Drain time.Duration
}

// maxNameCols bounds the name on the bar line, so the line fits 80 columns.
const maxNameCols = 16

// shortName cuts name to maxNameCols runes with an ellipsis.
func shortName(name string) string {
	r := []rune(name)
	if len(r) <= maxNameCols {
		return name
	}
	return string(r[:maxNameCols-1]) + "…"
}

// draining reports whether the measured load is over and in-flight operations are awaited.
func draining(s bench.Snapshot) bool { return s.Total > 0 && s.Elapsed >= s.Total }

// clock is the elapsed part: "12s/30s", "draining (30s/30s)", or "12s" with no planned end.
func clock(s bench.Snapshot, drain time.Duration) string {
	el := s.Elapsed.Truncate(time.Second).String()
	if s.Total <= 0 {
		return el
	}
	if draining(s) {
		if drain > 0 {
			return fmt.Sprintf("draining up to %s after %s", drain, s.Total.Truncate(time.Second))
		}
		return "draining after " + s.Total.Truncate(time.Second).String()
	}
	return el + "/" + s.Total.Truncate(time.Second).String()
}

// Start displays snap() on w until the returned stop function is called; stop waits until the
// display has finished writing. snap must be safe to call from another goroutine
// (bench.Engine.Snapshot is).
func Start(w io.Writer, o Options, snap func() bench.Snapshot) (stop func()) {
	switch o.Mode {
	case Plain:
		return startPlain(w, o, snap)
	case Bar:
		return startBar(w, o, snap)
	}
	return func() {}
}

// Line formats one plain progress line, e.g.
// "orders: 12s/30s sent 60012 ok 60000 errors 12 rate 5001/s p99 3.10 ms"; past the planned
// duration "orders: draining after 30s ..." (figures as plain decimals, package units).
func Line(name string, s bench.Snapshot) string { return line(name, s, 0) }

func line(name string, s bench.Snapshot, drain time.Duration) string {
	if s.Warmup {
		return fmt.Sprintf("%s: warming up", name)
	}
	return fmt.Sprintf("%s: %s sent %d ok %d errors %d rate %s p99 %s", name, clock(s, drain), s.Sent, s.Succeeded, s.Errors, units.Rate(s.RatePerS), units.MS(s.P99MS))
}

func startPlain(w io.Writer, o Options, snap func() bench.Snapshot) func() {
	every := o.Every
	if every <= 0 {
		every = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fmt.Fprintln(w, line(o.Name, snap(), o.Drain))
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// live is the bar display on screen, if any: Notice writes above it.
var live struct {
	sync.Mutex
	p *mpb.Progress
}

// Notice writes msg as a line of its own: above the live bar when one is shown (written
// directly, the line would be taken for the bar's and the bar drawn twice), else to w. It is
// safe from any goroutine (a signal handler's).
func Notice(w io.Writer, msg string) {
	live.Lock()
	p := live.p
	live.Unlock()
	if p != nil {
		// "\r\x1b[K": the terminal's echo of ^C moved the cursor right of the bar's first column,
		// which mpb's line clear starts from.
		if _, err := fmt.Fprint(p, "\r\x1b[K"+msg+"\n"); err == nil {
			return
		}
	}
	fmt.Fprintln(w, msg)
}

func startBar(w io.Writer, o Options, snap func() bench.Snapshot) func() {
	ctx, cancel := context.WithCancel(context.Background())
	p := mpb.New(mpb.WithOutput(w), mpb.ContainerOptional(mpb.WithWidth(o.Width), o.Width > 0), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	var mu sync.Mutex
	last := snap()
	read := func() bench.Snapshot { mu.Lock(); defer mu.Unlock(); return last }
	bar := p.AddBar(1000,
		mpb.PrependDecorators(
			decor.Name(shortName(o.Name)+" ", decor.WCSyncSpaceR),
			decor.Any(func(decor.Statistics) string {
				s := read()
				switch {
				case s.Warmup:
					return "warming up"
				case draining(s):
					return "draining"
				}
				return clock(s, o.Drain)
			}, decor.WCSyncSpaceR),
		),
		// Compact, so that name, clock, a bar and the figures fit 80 columns.
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			s := read()
			return fmt.Sprintf("%s err %d p99 %s", units.Rate(s.RatePerS), s.Errors, units.MS(s.P99MS))
		})),
	)
	live.Lock()
	live.p = p
	live.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s := snap()
				mu.Lock()
				last = s
				mu.Unlock()
				if s.Total > 0 {
					bar.SetCurrent(min(int64(1000*s.Elapsed/s.Total), 999))
				}
			}
		}
	}()
	// Stop removes the bar and writes one final plain line (also on Ctrl-C: the bar is not
	// redrawn after it).
	return func() {
		cancel()
		<-done
		live.Lock()
		if live.p == p {
			live.p = nil
		}
		live.Unlock()
		bar.Abort(true)
		p.Wait()
		s := snap()
		at := clock(s, o.Drain)
		if draining(s) {
			at = s.Total.Truncate(time.Second).String() + " done"
		}
		fmt.Fprintf(w, "%s: %s sent %d %s err %d p99 %s\n", shortName(o.Name), at, s.Sent, units.Rate(s.RatePerS), s.Errors, units.MS(s.P99MS))
	}
}
