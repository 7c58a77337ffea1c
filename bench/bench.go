// Package bench is commbench's load engine: open-model (arrival rate, coordinated-omission free)
// and closed-model (concurrency) load, latency recording in HdrHistogram
// (github.com/HdrHistogram/hdrhistogram-go), a per-second time series, error classes and the
// results.Workload figures a run produces.
//
// A workload is an Operation (request/response: REST, gRPC unary) or an AsyncOperation
// (publish with asynchronous broker acknowledgement: AMQP publisher confirms, Kafka acks); the
// engine schedules, paces and measures, the operation moves bytes. Optional hooks (Measurer,
// Finisher, Flusher) let messaging workloads add integrity figures without touching the engine;
// MessageCounter lets a streaming operation (one operation = one whole stream) count its messages.
//
// Open model: send i is intended at the time the arrival-rate profile reaches i sends; a free
// worker claims the next send, sleeps until its intended time and sends. Latency is measured
// from the intended time (as wrk2 and the OpenMessaging Benchmark do), beside service time
// (actual send to response) and schedule delay (intended to actual send). A send claimed more
// than one interval after its intended time (no worker was free) is late; when more than
// MaxBacklog sends are overdue, the oldest are dropped and counted. Closed model: Workers
// goroutines send back to back; latency equals service time.
//
// Memory is bounded: nothing is stored per request.
package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commbench/commbench/results"
)

// Operation is one request/response unit of work (an HTTP request, a gRPC unary call).
// Do is called concurrently from Workers goroutines, each call from goroutine worker
// (0..Workers-1) with the run-wide send sequence number seq (0-based, warm-up included). It
// returns the payload bytes moved (request plus response body, or what the operation counts)
// and an error when the operation failed; Classify files the error into a class. Do must honour
// ctx (cancelled when the drain period after the load ends runs out).
type Operation interface {
	Do(ctx context.Context, worker int, seq uint64) (bytes int, err error)
}

// OperationFunc adapts a function to Operation.
type OperationFunc func(ctx context.Context, worker int, seq uint64) (int, error)

// Do calls f.
func (f OperationFunc) Do(ctx context.Context, worker int, seq uint64) (int, error) {
	return f(ctx, worker, seq)
}

// AsyncOperation sends without waiting for the outcome (publish with publisher confirms or
// Kafka acks). Send is called like Operation.Do (worker = producer index, calls from one
// worker are sequential, so a worker can keep its own per-producer sequence); it hands the
// message to the client and returns. It must call c.Done exactly once, from any goroutine, when
// the broker acknowledged (nil) or refused the message; latency is recorded then, from the
// intended send time. When Send returns an error the message was not sent; Send must not call
// c.Done in that case. At most Config.MaxInFlight sends are unacknowledged at any time.
type AsyncOperation interface {
	Send(ctx context.Context, worker int, seq uint64, c Completion) error
}

// Measurer is an optional hook: Measuring is called once when the warm-up ends (at the start
// when there is none) with the wall-clock time from which figures count.
type Measurer interface {
	Measuring(start time.Time)
}

// Flusher is an optional hook for AsyncOperation: Flush is called after the last send and
// before waiting for outstanding completions, bounded by the drain period.
type Flusher interface {
	Flush(ctx context.Context) error
}

// MessageCounter is an optional hook for an Operation whose unit of work moves several messages
// (a gRPC stream: one operation is one whole call). After each Do of worker w returns, the engine
// calls Messages(w) from that worker's goroutine for the messages that call sent and received;
// a measured, successful operation adds them to Totals.MessagesSent and MessagesReceived.
type MessageCounter interface {
	Messages(worker int) (sent, received int)
}

// LoadEnder is an optional hook: LoadEnded is called once when the load stops (planned end,
// count reached or interruption), before the drain, so that an operation waiting for work that
// is not an operation in flight (a consumer waiting for the next message) returns at once
// (with ErrNoOperation) instead of at the end of the drain.
type LoadEnder interface {
	LoadEnded()
}

// Finisher is an optional hook called after the load stopped and drained, with the workload
// figures filled in; it adds its own (Integrity, EndToEnd latency, extra error classes). ctx is
// bounded by the drain period. An error is recorded as the run's error.
type Finisher interface {
	Finish(ctx context.Context, w *results.Workload) error
}

// Completion is handed to AsyncOperation.Send; call Done once with the bytes counted and the
// outcome. It is a small value: copying it is cheap and allocates nothing.
type Completion struct {
	e        *Engine
	shard    *shard
	intended int64
	start    int64
	late     bool
	measured bool
}

// Done records the acknowledgement (err nil) or refusal of the send. Calling Done on a zero
// Completion does nothing.
func (c Completion) Done(bytes int, err error) {
	if c.e == nil {
		return
	}
	if c.measured {
		c.shard.record(&sample{intended: c.intended, start: c.start, end: c.e.clk.now(), bytes: bytes, err: err, late: c.late, canceled: err != nil && c.e.canceling.Load()})
	}
	c.e.release()
}

// Config is the load model of a run. Zero values take the documented defaults; Validate checks
// it once with specific messages.
type Config struct {
	// Open model: a constant arrival rate (per second) or Stages. Neither means the closed model.
	Rate   float64
	Stages []Stage
	// Workers is the number of goroutines calling the operation: closed model concurrency,
	// open model maximum in-flight requests for an Operation, producers for an AsyncOperation.
	// Default 1 (closed), 100 (open Operation), 1 (AsyncOperation).
	Workers int
	// MaxInFlight bounds unacknowledged sends of an AsyncOperation (default 1000).
	MaxInFlight int
	// MaxBacklog is the number of overdue open-model sends beyond which the oldest are dropped
	// (default: 10 x the rate per second, at least 1000).
	MaxBacklog int
	// Duration of the measured load (after warm-up). With Stages it is their total and may be
	// left 0. Count, when set, ends the run after Count measured sends; Duration and Count may be
	// combined (first reached wins). One of Duration, Count or Stages is required.
	Duration time.Duration
	Count    uint64
	// Warmup runs the load first (open model: at Rate, or the first stage's target) and excludes
	// it from every figure.
	Warmup time.Duration
	// Drain bounds the wait for in-flight operations after the load ends or is interrupted
	// (default 5s); operations still running then are cancelled and counted as canceled.
	Drain time.Duration
	// Info names the workload in the results.
	Info Info
	// OnSecond, when set, is called from the engine once per second with the new series point.
	OnSecond func(results.Point)
}

// Info describes the workload for results.Workload.
type Info struct {
	Name, Driver, Operation, Target, Format string
}

// Open reports whether c is an open (arrival rate) model.
func (c Config) Open() bool { return c.Rate > 0 || len(c.Stages) > 0 }

// Validate returns the first problem with c, or nil.
func (c Config) Validate() error {
	switch {
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return errors.New("rate must be a positive number per second")
	case c.Rate > 0 && len(c.Stages) > 0:
		return errors.New("rate and stages exclude each other: give one")
	case c.Workers < 0:
		return errors.New("workers (concurrency) must be at least 1")
	case c.MaxInFlight < 0:
		return errors.New("max in-flight must be at least 1")
	case c.MaxBacklog < 0:
		return errors.New("max backlog must be at least 1")
	case c.Duration < 0 || c.Warmup < 0 || c.Drain < 0:
		return errors.New("duration, warm-up and drain must not be negative")
	case len(c.Stages) == 0 && c.Duration == 0 && c.Count == 0:
		return errors.New("give a duration or a count (or stages)")
	}
	for i, s := range c.Stages {
		if s.Duration < 0 || s.Target < 0 || math.IsNaN(s.Target) || math.IsInf(s.Target, 0) {
			return fmt.Errorf("stage %d: duration and target must not be negative", i+1)
		}
	}
	return nil
}

func (c Config) withDefaults(async bool) Config {
	if c.Workers == 0 {
		c.Workers = 1
		if c.Open() && !async {
			c.Workers = 100
		}
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1000
	}
	if c.Drain == 0 {
		c.Drain = 5 * time.Second
	}
	if c.MaxBacklog == 0 {
		peak := c.Rate
		for _, s := range c.Stages {
			peak = max(peak, s.Target)
		}
		c.MaxBacklog = max(1000, int(min(10*peak, 1e9)))
	}
	return c
}

// Snapshot is the live state of a run, for progress display.
type Snapshot struct {
	Elapsed   time.Duration // since the measured load started (0 during warm-up)
	Total     time.Duration // planned measured duration, 0 when unknown (count only)
	Warmup    bool          // still warming up
	Sent      int64         // measured sends started
	Succeeded int64
	Errors    int64
	RatePerS  float64 // succeeded per second over the last full second
	P99MS     float64 // latency p99 over the last full second
}

// Engine runs one workload. Build it with New; Run once.
type Engine struct {
	cfg   Config
	op    Operation
	async AsyncOperation
	open  bool
	clk   clock
	rec   *recorders
	sched *schedule

	warmNS, endNS int64  // measured start and planned end (ns from base; endNS 0: none)
	warmCount     uint64 // open model: sends before the measured start
	next          atomic.Uint64
	measured      atomic.Uint64 // measured sends claimed
	dropped       atomic.Int64
	intended      atomic.Int64 // open model: measured sends intended by the time the load stopped
	stopped       atomic.Bool
	canceling     atomic.Bool   // the drain ended: operations returning now were cancelled
	inflight      chan struct{} // async tokens
	pending       sync.WaitGroup

	last    atomic.Pointer[results.Point]
	running atomic.Bool
	hook    any // the operation, for the optional hooks
	counter MessageCounter
}

// New builds an engine running op (an Operation or an AsyncOperation) under cfg. It returns an
// error for an invalid cfg or an op that is neither.
func New(cfg Config, op any) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{}
	switch o := op.(type) {
	case AsyncOperation:
		e.async = o
	case Operation:
		e.op = o
	default:
		return nil, fmt.Errorf("bench: %T is neither an Operation nor an AsyncOperation", op)
	}
	e.hook = op
	e.counter, _ = op.(MessageCounter)
	e.cfg = cfg.withDefaults(e.async != nil)
	e.open = e.cfg.Open()
	if e.open {
		stages := e.cfg.Stages
		if e.cfg.Rate > 0 {
			d := e.cfg.Duration
			if d == 0 {
				d = time.Duration(math.MaxInt64)
			}
			stages = []Stage{{0, e.cfg.Rate}, {d, e.cfg.Rate}}
		} else if e.cfg.Duration > 0 {
			stages = truncateStages(stages, e.cfg.Duration)
		}
		if e.cfg.Warmup > 0 {
			warm := e.cfg.Rate
			if warm == 0 {
				warm = firstTarget(e.cfg.Stages)
			}
			w := []Stage{{0, warm}, {e.cfg.Warmup, warm}, {0, 0}}
			if e.cfg.Rate > 0 {
				w = w[:2]
			}
			stages = append(w, stages...)
		}
		e.sched = newSchedule(stages)
		e.warmCount = uint64(e.sched.countBy(e.cfg.Warmup.Seconds() - 1e-12))
		if e.cfg.Warmup == 0 {
			e.warmCount = 0
		}
	}
	shards := min(e.cfg.Workers, 4*runtime.GOMAXPROCS(0))
	if e.async != nil {
		shards = 4 * runtime.GOMAXPROCS(0)
		e.inflight = make(chan struct{}, e.cfg.MaxInFlight)
	}
	e.rec = newRecorders(max(shards, 1), e.open)
	return e, nil
}

func firstTarget(st []Stage) float64 {
	for _, s := range st {
		if s.Target > 0 {
			return s.Target
		}
	}
	return 0
}

// truncateStages cuts a stage profile at d.
func truncateStages(st []Stage, d time.Duration) []Stage {
	var out []Stage
	var at time.Duration
	prev := 0.0
	for _, s := range st {
		if at+s.Duration <= d {
			out = append(out, s)
			at += s.Duration
			prev = s.Target
			continue
		}
		part := d - at
		frac := float64(part) / float64(s.Duration)
		out = append(out, Stage{part, prev + (s.Target-prev)*frac})
		break
	}
	return out
}

// Snapshot returns the live state; safe to call from any goroutine while Run runs.
func (e *Engine) Snapshot() Snapshot {
	s := Snapshot{Sent: int64(e.measured.Load())}
	if !e.running.Load() {
		return s
	}
	now := e.clk.now()
	if now < e.warmNS {
		s.Warmup = true
	} else {
		s.Elapsed = time.Duration(now - e.warmNS)
	}
	if e.endNS > 0 {
		s.Total = time.Duration(e.endNS - e.warmNS)
	}
	s.Succeeded, s.Errors = e.rec.counts()
	if p := e.last.Load(); p != nil {
		s.RatePerS, s.P99MS = p.ThroughputPerS, p.P99MS
	}
	return s
}

// ErrNoOperation is returned by an Operation's Do when no operation took place (a consume
// workload's wait for the next message ended with the run): the engine records nothing.
var ErrNoOperation = errors.New("bench: no operation took place")

type abortKey struct{}

// WithAbort returns a context carrying abort: when abort is closed during Run, the run stops
// at once (a second Ctrl-C): the load stops, the drain is skipped, operations in flight are
// cancelled and counted as canceled, and the figures gathered so far are returned, marked
// interrupted. Closing abort does not cancel ctx; cancel ctx too (the first Ctrl-C).
func WithAbort(ctx context.Context, abort <-chan struct{}) context.Context {
	return context.WithValue(ctx, abortKey{}, abort)
}

// Run applies the load until the planned duration or count is reached or ctx is cancelled
// (the result is then marked Interrupted), waits at most Config.Drain for in-flight
// operations, and returns the workload figures (Thresholds left empty).
//
// Runs end on time: the load stops at warm-up + duration whatever the operations do (open
// model sends not made by then are dropped and counted); at the end of the drain, operations
// still in flight are cancelled and counted in Totals.Canceled (class "canceled", in Errors
// too); one that ignores its context is given one more second, then counted as canceled all
// the same. A context carrying WithAbort's channel skips the drain when it is closed. So Run
// returns within warm-up + duration + drain + 1 s, plus what a Finisher takes (bounded by the
// drain too). The error is non-nil only when a Finisher failed; the figures are returned all
// the same.
func (e *Engine) Run(ctx context.Context) (*results.Workload, error) {
	e.clk = clock{base: time.Now()}
	e.warmNS = int64(e.cfg.Warmup)
	if e.open {
		if !math.IsInf(e.sched.end, 1) {
			e.endNS = int64(e.sched.end * 1e9)
		}
	} else if e.cfg.Duration > 0 {
		e.endNS = e.warmNS + int64(e.cfg.Duration)
	}
	abort, _ := ctx.Value(abortKey{}).(<-chan struct{})
	e.running.Store(true) // publishes clk, warmNS and endNS to Snapshot
	opCtx, cancelOps := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelOps()
	loadCtx, stopLoad := context.WithCancel(ctx) // the series ticker: until the drain ended
	defer stopLoad()
	workCtx, stopWork := context.WithCancel(loadCtx) // the workers: until the load ended
	defer stopWork()

	series := make(chan []results.Point, 1)
	tickDone := make(chan struct{})
	go e.ticker(loadCtx, tickDone, series)

	var wg sync.WaitGroup
	for w := range e.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.worker(workCtx, opCtx, w)
		}()
	}
	loadDone := make(chan struct{})
	go func() { wg.Wait(); close(loadDone) }()
	var endC <-chan time.Time
	if e.endNS > 0 {
		t := time.NewTimer(time.Duration(e.endNS - e.clk.now()))
		defer t.Stop()
		endC = t.C
	}
	select {
	case <-loadDone:
		// An open-model schedule ends with its last send; the run lasts its planned duration.
		if e.cfg.Count == 0 && endC != nil {
			select {
			case <-endC:
			case <-ctx.Done():
			}
		}
	case <-endC:
	case <-ctx.Done():
	}
	e.stopped.Store(true)
	stopWork()
	if le, ok := e.hook.(LoadEnder); ok {
		le.LoadEnded()
	}
	interrupted := ctx.Err() != nil
	loadEnd := e.clk.now()

	drainCtx, cancelDrain := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.Drain)
	defer cancelDrain()
	if abort != nil {
		go func() {
			select {
			case <-abort:
				cancelDrain()
			case <-drainCtx.Done():
			}
		}()
	}
	// After the drain period, in-flight operations are cancelled; an operation that ignores its
	// context gets one more second, then it is counted as canceled without its result.
	waitOrDrain := func(done <-chan struct{}) {
		select {
		case <-done:
		case <-drainCtx.Done():
			e.canceling.Store(true)
			cancelOps()
			grace := time.NewTimer(time.Second)
			defer grace.Stop()
			select {
			case <-done:
			case <-grace.C:
			}
		}
	}
	waitOrDrain(loadDone)
	e.countUnsent(loadEnd)
	if e.async != nil {
		if f, ok := e.async.(Flusher); ok {
			_ = f.Flush(drainCtx)
		}
		acked := make(chan struct{})
		go func() { e.pending.Wait(); close(acked) }()
		select {
		case <-acked:
		case <-drainCtx.Done():
			// Unacknowledged sends are counted as canceled when the figures are merged.
			e.canceling.Store(true)
			cancelOps()
		}
	}
	stopLoad()
	<-tickDone
	pts := <-series

	// The measured period ends when the last measured operation completed, or when the load
	// stopped if that was later: the time actually measured, so that operations completing in
	// the drain do not inflate the throughput.
	w := e.workload(pts, loadEnd, interrupted || aborted(abort))
	var err error
	if f, ok := e.hook.(Finisher); ok {
		err = f.Finish(drainCtx, w)
	}
	return w, err
}

func aborted(abort <-chan struct{}) bool {
	if abort == nil {
		return false
	}
	select {
	case <-abort:
		return true
	default:
		return false
	}
}

// countUnsent adds to Dropped the open-model sends intended before the load stopped at now
// (ns from base) that no worker made: the schedule ran ahead of the workers, and the run ended
// on time rather than making them late.
func (e *Engine) countUnsent(now int64) {
	if !e.open {
		return
	}
	due := uint64(e.sched.countBy(float64(now) / 1e9))
	if e.cfg.Count > 0 {
		due = min(due, e.warmCount+e.cfg.Count)
	}
	if due <= e.warmCount {
		return
	}
	intended := due - e.warmCount
	e.intended.Store(int64(intended))
	made := e.measured.Load() + uint64(e.dropped.Load())
	if intended > made {
		e.dropped.Add(int64(intended - made))
	}
}

// worker claims sends and performs them until the load ends.
func (e *Engine) worker(loadCtx, opCtx context.Context, w int) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	sh := e.rec.shard(uint64(w))
	var x sample
	for loadCtx.Err() == nil && !e.stopped.Load() {
		c, ok := e.claim()
		if !ok {
			return
		}
		start := c.now
		if wait := c.intended - c.now; wait > 0 {
			timer.Reset(time.Duration(wait))
			select {
			case <-timer.C:
			case <-loadCtx.Done():
				// A send due before the planned end is still made when the load ended on
				// time (the worker woke late), not when it was interrupted.
				if now := e.clk.now(); e.endNS == 0 || now < e.endNS || c.intended >= e.endNS {
					e.unclaim(c)
					return
				}
			}
			start = e.clk.now()
		}
		if e.async != nil {
			select {
			case e.inflight <- struct{}{}:
			default:
				// The window of unacknowledged sends is full: the send leaves when a slot frees,
				// and that wait is schedule delay, not service time.
				select {
				case e.inflight <- struct{}{}:
				case <-loadCtx.Done():
					e.unclaim(c)
					return
				}
				start = e.clk.now()
			}
			e.pending.Add(1)
			done := Completion{e: e, shard: e.rec.shard(c.seq), intended: c.intended, start: start, late: c.late, measured: c.measured}
			if c.measured {
				done.shard.begin()
			}
			if err := e.async.Send(opCtx, w, c.seq, done); err != nil {
				if c.measured {
					x = sample{intended: c.intended, start: start, end: e.clk.now(), err: err, late: c.late, canceled: e.canceling.Load()}
					done.shard.record(&x)
				}
				e.release()
			}
			continue
		}
		if c.measured {
			sh.begin()
		}
		n, err := e.op.Do(opCtx, w, c.seq)
		if errors.Is(err, ErrNoOperation) {
			if c.measured {
				sh.unbegin()
				e.measured.Add(^uint64(0))
			}
			continue
		}
		if c.measured {
			x = sample{intended: c.intended, start: start, end: e.clk.now(), bytes: n, err: err, late: c.late, canceled: err != nil && e.canceling.Load()}
			if e.counter != nil {
				x.sent, x.received = e.counter.Messages(w)
			}
			sh.record(&x)
		}
	}
}

// unclaim gives back a claimed send that was not made because the load stopped first; an
// open-model send that was due then is counted as dropped by countUnsent.
func (e *Engine) unclaim(c claimed) {
	if c.measured {
		e.measured.Add(^uint64(0))
	}
}

func (e *Engine) release() {
	<-e.inflight
	e.pending.Done()
}

// claimed is one send taken by a worker; times are ns from the engine's base.
type claimed struct {
	seq      uint64
	intended int64 // open model: from the schedule; closed model: now
	now      int64 // when it was claimed
	late     bool
	measured bool
}

// claim takes the next send; ok false when the load is over.
func (e *Engine) claim() (c claimed, ok bool) {
	if !e.open {
		c.seq = e.next.Add(1) - 1
		c.now = e.clk.now()
		c.intended = c.now
		if e.endNS > 0 && c.now >= e.endNS {
			return c, false
		}
		if c.now >= e.warmNS {
			m := e.measured.Add(1)
			if e.cfg.Count > 0 && m > e.cfg.Count {
				return c, false
			}
			c.measured = true
		}
		return c, true
	}
	for {
		i := e.next.Load()
		if e.cfg.Count > 0 && i >= e.warmCount+e.cfg.Count {
			return c, false
		}
		t, ok := e.sched.at(i)
		if !ok {
			return c, false
		}
		now := e.clk.now()
		tns := int64(t * 1e9)
		if now > tns {
			// Overdue: drop the oldest sends beyond the backlog bound.
			due := uint64(e.sched.countBy(float64(now) / 1e9))
			if due > i+uint64(e.cfg.MaxBacklog) {
				to := due - uint64(e.cfg.MaxBacklog)
				if e.cfg.Count > 0 {
					to = min(to, e.warmCount+e.cfg.Count)
				}
				if e.next.CompareAndSwap(i, to) {
					if from := max(i, e.warmCount); to > from {
						e.dropped.Add(int64(to - from))
					}
				}
				continue
			}
		}
		if !e.next.CompareAndSwap(i, i+1) {
			continue
		}
		c = claimed{seq: i, intended: tns, now: now, measured: i >= e.warmCount}
		if c.measured {
			e.measured.Add(1)
		}
		if now > tns {
			// Late: claimed more than one interval after the intended time (no worker was free).
			interval := int64(time.Second)
			if t1, ok := e.sched.at(i + 1); ok {
				interval = int64(t1*1e9) - tns
			}
			c.late = now-tns > interval
		}
		return c, true
	}
}

// ticker closes one series point per second of measured load, and the last partial one when ctx
// ends (folded into the point before when shorter than half a second); it sends the points on out and closes done.
func (e *Engine) ticker(ctx context.Context, done chan<- struct{}, out chan<- []results.Point) {
	defer close(done)
	var pts []results.Point
	timer := time.NewTimer(time.Duration(e.warmNS - e.clk.now()))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		out <- pts
		return
	}
	if m, ok := e.hook.(Measurer); ok {
		m.Measuring(e.clk.wall(e.warmNS))
	}
	prev := e.clk.now()
	lastSecs := 0.0 // length of the last point's interval, in seconds
	tk := time.NewTicker(time.Second)
	defer tk.Stop()
	emit := func(final bool) {
		now := e.clk.now()
		secs := float64(now-prev) / 1e9
		ok, errs, bytes, h := e.rec.interval()
		if final && ok+errs == 0 && now-prev < int64(100*time.Millisecond) {
			return
		}
		// A final fragment under half a second is folded into the previous point: alone, its rate
		// and percentiles rest on too few samples (the tail of the drain) and draw a cliff. Its
		// counts are added, so the series still sums to the totals; the previous point keeps its
		// percentiles.
		if final && len(pts) > 0 && now-prev < int64(500*time.Millisecond) {
			last := &pts[len(pts)-1]
			last.ThroughputPerS = (last.ThroughputPerS*lastSecs + float64(ok)) / (lastSecs + secs)
			last.Errors += errs
			last.Bytes += bytes
			return
		}
		p := results.Point{Time: e.clk.wall(now), Errors: errs, Bytes: bytes,
			P50MS: usToMS(h.ValueAtQuantile(50)), P99MS: usToMS(h.ValueAtQuantile(99))}
		if secs > 0 {
			p.ThroughputPerS = float64(ok) / secs
		}
		prev, lastSecs = now, secs
		pts = append(pts, p)
		e.last.Store(&p)
		if e.cfg.OnSecond != nil {
			e.cfg.OnSecond(p)
		}
	}
	for {
		select {
		case <-tk.C:
			emit(false)
		case <-ctx.Done():
			emit(true)
			out <- pts
			return
		}
	}
}
