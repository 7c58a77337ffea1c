// Package messaging is commbench's broker workloads (AMQP 0-9-1 publish/consume, Kafka
// produce/consume) on top of the load engine (package bench) and the integrity accounting
// (package bench/integrity):
//
//   - publish (Kafka: produce): Producers connections publish stamped messages; the engine records
//     publish latency when the broker acknowledges (publisher confirm, Kafka acks), from the
//     intended send time in the open model; Integrity gets sent, acknowledged, unconfirmed and
//     returned.
//   - consume: Consumers subscriptions receive for the run's duration; throughput is messages
//     received per second and EndToEnd the latency from each message's stamped send time (any run).
//   - publish-consume (Kafka: produce-consume): both, in one run; every delivery is checked online
//     (order per stream, exact duplicates, end-to-end latency) and the run is reconciled after the
//     drain grace period: lost, duplicates, out-of-order, unexpected, with rates as fractions of
//     acknowledged messages.
//
// Consumers share the messages (competing consumers on one AMQP queue, one Kafka consumer group):
// each message is expected once. A stream (the unit of ordering) is one consumer's subscription
// on AMQP (per queue and producer) and one partition on Kafka (per partition and producer; a key
// maps to one partition, so per-key order is checked with it, without a stream, and its HDR
// histogram, per key).
package messaging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/integrity"
	"github.com/commbench/commbench/drivers"
)

// Operations.
const (
	Publish        = "publish"
	Consume        = "consume"
	PublishConsume = "publish-consume"
	// Kafka names of the same operations.
	Produce        = "produce"
	ProduceConsume = "produce-consume"
)

// Config describes a messaging workload. Validate reports the first problem.
type Config struct {
	// Operation: publish, consume, publish-consume (or produce, produce-consume).
	Operation string
	// RunID stamps every message; deliveries of other runs are ignored. Required for publishing.
	// For consume, the run whose messages are checked (duplicates, order, gaps); "" checks the
	// run of the first stamped message received; other messages count as unexpected.
	RunID string
	// Route is where producers publish: AMQP "exchange/routing.key", Kafka topic.
	Route string
	// Subscription is what consumers receive (see drivers.Subscription).
	Subscription drivers.Subscription
	// Producers and Consumers are the connection counts (default 1 each where the operation uses
	// them). Each producer is one connection and one integrity producer id (0..Producers-1).
	Producers, Consumers int
	// Body returns the payload of message seq of a producer (see formats/template); nil sends an
	// empty body. It is called from the producer's goroutine.
	Body func(producer int, seq uint64) ([]byte, error)
	// ContentType is the MIME type of bodies (e.g. the codec's).
	ContentType string
	// Key returns the Kafka record key of a message; nil sends none.
	Key func(producer int, seq uint64) []byte
	// Headers are added to every published message.
	Headers map[string]string
	// Drain is the grace period for acknowledged messages to arrive after the load (default 5s).
	Drain time.Duration
	// IsReturned recognises the done-callback error of a message returned unroutable (AMQP
	// mandatory), counted in Integrity.Returned; nil: errors.Is(err, bench.ErrReturned).
	IsReturned func(error) bool
}

func (c Config) publishes() bool {
	switch c.Operation {
	case Publish, Produce, PublishConsume, ProduceConsume:
		return true
	}
	return false
}

func (c Config) consumes() bool {
	switch c.Operation {
	case Consume, PublishConsume, ProduceConsume:
		return true
	}
	return false
}

// Validate returns the first problem with c, naming the field, or nil.
func (c Config) Validate() error {
	switch {
	case !c.publishes() && !c.consumes():
		return fmt.Errorf("operation %q: want publish, consume, publish-consume, produce or produce-consume", c.Operation)
	case c.Producers < 0 || c.Consumers < 0:
		return errors.New("producers and consumers must be at least 1")
	case c.publishes() && c.Route == "":
		return errors.New("route: where to publish is required (AMQP exchange/routing.key, Kafka topic)")
	case c.consumes() && c.Subscription.Route == "":
		return errors.New("subscription route: what to consume is required (AMQP exchange/routing.key or queue:NAME, Kafka topic)")
	case c.Drain < 0:
		return errors.New("drain must not be negative")
	}
	if c.publishes() {
		if _, err := integrity.New(c.RunID); err != nil {
			return err
		}
	} else if _, err := integrity.NewObserver(c.RunID); err != nil {
		return err
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.publishes() && c.Producers == 0 {
		c.Producers = 1
	}
	if !c.publishes() {
		c.Producers = 0
	}
	if c.consumes() && c.Consumers == 0 {
		c.Consumers = 1
	}
	if !c.consumes() {
		c.Consumers = 0
	}
	if c.Drain == 0 {
		c.Drain = 5 * time.Second
	}
	if c.IsReturned == nil {
		c.IsReturned = func(err error) bool { return errors.Is(err, bench.ErrReturned) }
	}
	return c
}

// Workload is an open messaging workload: connections made, consumers subscribed. Pass
// Operation() to bench.New with Config.Workers = Workers(); Close releases everything. A lost
// broker connection is re-established with bounded exponential backoff and jitter (see link);
// Integrity.Reconnects counts the connections re-established.
type Workload struct {
	cfg     Config
	tracker *integrity.Tracker
	driver  drivers.Driver
	target  drivers.Target

	links     []*link // producers first, then consumers
	pubs      []*link
	subs      []*link
	producers []*integrity.Producer

	stop       chan struct{} // closed when the workload stops: no more reconnection
	stopOnce   sync.Once
	life       context.Context // cancelled when the workload stops (reconnections use it)
	endLife    context.CancelFunc
	bg         sync.WaitGroup // reconnections in progress
	losses     atomic.Int64   // connections lost
	reconnects atomic.Int64   // connections re-established

	closeOnce sync.Once
	closeErr  error
	stopRecv  atomic.Bool

	// consume-only
	inbox     chan int // body sizes of received messages, taken by consume workers
	started   atomic.Bool
	loadEnded chan struct{} // closed when the engine's load ended
	endOnce   sync.Once
}

// Open connects Producers publishers and Consumers subscribers through d to t and subscribes the
// consumers, so that every message published afterwards is received. On error everything opened
// is closed. Errors wrap the driver's (drivers.ErrUnreachable, drivers.ErrAuth,
// drivers.ErrUnsupported when the driver cannot publish or subscribe).
func Open(ctx context.Context, d drivers.Driver, t drivers.Target, cfg Config) (*Workload, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	w := &Workload{cfg: cfg, driver: d, target: t, stop: make(chan struct{}), loadEnded: make(chan struct{})}
	w.life, w.endLife = context.WithCancel(context.WithoutCancel(ctx))
	if cfg.publishes() {
		w.tracker, _ = integrity.New(cfg.RunID)
	} else {
		w.tracker, _ = integrity.NewObserver(cfg.RunID)
	}
	fail := func(err error) (*Workload, error) {
		_ = w.Close()
		return nil, err
	}
	for i := range cfg.Producers {
		l := &link{w: w, producer: true, index: i}
		if err := l.open(ctx); err != nil {
			return fail(err)
		}
		w.links = append(w.links, l)
		w.pubs = append(w.pubs, l)
		w.producers = append(w.producers, w.tracker.Producer(uint32(i)))
	}
	if cfg.consumes() && !cfg.publishes() {
		w.inbox = make(chan int, 1024)
	}
	for i := range cfg.Consumers {
		l := &link{w: w, index: i, handle: w.handler(i)}
		if err := l.open(ctx); err != nil {
			return fail(err)
		}
		w.links = append(w.links, l)
		w.subs = append(w.subs, l)
	}
	return w, nil
}

// stopping reports whether the workload stopped reconnecting (the load ended).
func (w *Workload) stopping() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// halt stops reconnecting and waits for reconnections in progress to give up.
func (w *Workload) halt() {
	w.stopOnce.Do(func() { close(w.stop) })
	w.bg.Wait()
	w.endLife()
}

// brokerLost returns an error when a connection is still lost (not re-established by the end
// of the run), naming it and the cause, else nil.
func (w *Workload) brokerLost() error {
	for _, l := range w.links {
		if err := l.isDown(); err != nil {
			return fmt.Errorf("broker connection of %s lost and not re-established: %w", l.name(), err)
		}
	}
	return nil
}

// Workers is the engine's worker count for this workload: Producers, or Consumers for consume.
func (w *Workload) Workers() int {
	if w.cfg.publishes() {
		return w.cfg.Producers
	}
	return w.cfg.Consumers
}

// Operation returns what bench.New runs: a bench.AsyncOperation (with Flusher and Finisher) for
// the publishing operations, a bench.Operation (with Finisher) for consume.
func (w *Workload) Operation() any {
	if w.cfg.publishes() {
		return (*publishOp)(w)
	}
	return (*consumeOp)(w)
}

// Tracker returns the integrity tracker (an observer for consume: integrity.NewObserver).
func (w *Workload) Tracker() *integrity.Tracker { return w.tracker }

// streamName is the unit of ordering of a delivery: its Kafka partition, else the consumer.
func streamName(consumer int, m *drivers.Message) string {
	if p, ok := m.Properties["partition"]; ok {
		return "partition-" + p
	}
	return "consumer-" + strconv.Itoa(consumer)
}

// handler returns consumer i's message handler. It never nacks: integrity is accounted, not
// enforced.
func (w *Workload) handler(i int) func(*drivers.Message) error {
	var cache sync.Map // stream name -> *integrity.Stream or *streamHist (one per partition goroutine)
	return func(m *drivers.Message) error {
		now := time.Now()
		if w.stopRecv.Load() {
			return nil
		}
		name := streamName(i, m)
		s, ok := cache.Load(name)
		if !ok {
			s, _ = cache.LoadOrStore(name, w.tracker.Stream(name))
		}
		if w.inbox != nil {
			w.observe(s.(*integrity.Stream), m, now)
			return nil
		}
		s.(*integrity.Stream).Observe(m.Headers, now)
		return nil
	}
}

// Close stops reconnecting and the consumers, then closes every connection. Safe to call more
// than once.
func (w *Workload) Close() error {
	w.closeOnce.Do(func() {
		w.stopRecv.Store(true)
		w.halt()
		var errs []error
		for _, l := range w.subs {
			errs = append(errs, l.close())
		}
		for _, l := range w.pubs {
			errs = append(errs, l.close())
		}
		w.closeErr = errors.Join(errs...)
	})
	return w.closeErr
}
