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
	// Width of the bar line in columns (default: the terminal's width).
	Width int
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
// "orders: 12s/30s sent 60012 ok 60000 errors 12 rate 5001.2/s p99 3.1ms".
func Line(name string, s bench.Snapshot) string {
	if s.Warmup {
		return fmt.Sprintf("%s: warming up", name)
	}
	el := s.Elapsed.Truncate(time.Second).String()
	if s.Total > 0 {
		el += "/" + s.Total.Truncate(time.Second).String()
	}
	return fmt.Sprintf("%s: %s sent %d ok %d errors %d rate %.1f/s p99 %.3gms", name, el, s.Sent, s.Succeeded, s.Errors, s.RatePerS, s.P99MS)
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
				fmt.Fprintln(w, Line(o.Name, snap()))
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

func startBar(w io.Writer, o Options, snap func() bench.Snapshot) func() {
	ctx, cancel := context.WithCancel(context.Background())
	p := mpb.New(mpb.WithOutput(w), mpb.ContainerOptional(mpb.WithWidth(o.Width), o.Width > 0), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	var mu sync.Mutex
	last := snap()
	read := func() bench.Snapshot { mu.Lock(); defer mu.Unlock(); return last }
	bar := p.AddBar(1000,
		mpb.PrependDecorators(
			decor.Name(o.Name+" ", decor.WCSyncSpaceR),
			decor.Any(func(decor.Statistics) string {
				s := read()
				if s.Warmup {
					return "warming up"
				}
				if s.Total > 0 {
					rem := max(s.Total-s.Elapsed, 0)
					return fmt.Sprintf("%s elapsed, %s left", s.Elapsed.Truncate(time.Second), rem.Truncate(time.Second))
				}
				return s.Elapsed.Truncate(time.Second).String() + " elapsed"
			}, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			s := read()
			return fmt.Sprintf("sent %d  rate %.0f/s  errors %d  p99 %.3gms", s.Sent, s.RatePerS, s.Errors, s.P99MS)
		})),
	)
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
	return func() {
		cancel()
		<-done
		bar.Abort(false)
		p.Wait()
	}
}
