package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/messaging"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/scenario"
)

// openMessaging opens an AMQP or Kafka workload (bench/messaging): publish, consume, or both with
// integrity accounting.
func openMessaging(ctx context.Context, lookupEnv func(string) (string, bool), t scenario.Target, w scenario.Workload, cfg *bench.Config, shown string) (*opened, error) {
	d := drivers.Driver(amqp.New())
	if t.Driver == "kafka" {
		d = kafka.New()
	}
	tg := driverTarget(t, lookupEnv)
	subscribe := w.Subscribe
	if subscribe == "" {
		subscribe = w.Route
	}
	runID := w.RunID
	if runID == "" && w.Operation != messaging.Consume {
		// consume checks the run given, else the first stamped message's (messaging.Config.RunID)
		runID = uuid.NewString()
	}
	mc := messaging.Config{
		Operation: w.Operation, RunID: runID, Route: w.Route,
		Subscription: drivers.Subscription{Route: subscribe, Prefetch: w.Prefetch, AutoAck: w.AutoAck, Group: w.Group, From: w.From},
		Producers:    w.Producers, Consumers: w.Consumers, Drain: cfg.Drain,
	}
	// Message headers: their ${VAR} references expanded once, as the drivers do for requests.
	tg.Headers = mergeHeaders(tg.Headers, w.Headers)
	headers, err := tg.ExpandHeaders()
	if err != nil {
		return nil, err
	}
	mc.Headers, tg.Headers = headers, nil
	switch t.Driver {
	case "amqp":
		mc.IsReturned = func(err error) bool { return errors.Is(err, amqp.ErrReturned) }
		if w.Operation != messaging.Publish && w.Consumers > 1 && !strings.HasPrefix(subscribe, "queue:") {
			return nil, fmt.Errorf("consumers %d with subscribe %q would give each consumer its own temporary queue (every message %d times): subscribe to a shared queue:NAME", w.Consumers, subscribe, w.Consumers)
		}
	case "kafka":
		if w.Keys < 0 {
			return nil, errors.New("keys must not be negative")
		}
		if keys := uint64(w.Keys); keys > 0 {
			mc.Key = func(_ int, seq uint64) []byte { return fmt.Appendf(nil, "key-%d", seq%keys) }
		}
		if mc.Subscription.Group == "" && w.Consumers > 1 {
			mc.Subscription.Group = "commbench-" + cmp.Or(runID, uuid.NewString())
		}
	}
	codec, err := payloadCodec(w.Payload)
	if err != nil {
		return nil, err
	}
	src, err := payloadSource(w.Payload, codec)
	if err != nil {
		return nil, err
	}
	if src != nil {
		mc.Body = func(_ int, seq uint64) ([]byte, error) { return src.Append(nil, seq) }
		mc.ContentType = contentTypeOf(w.Payload, src, codec)
	}
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	mw, err := messaging.Open(ctx, d, tg, mc)
	if err != nil {
		return nil, openError("open "+shown, err)
	}
	cfg.Workers = mw.Workers()
	cfg.MaxInFlight = w.MaxInFlight
	format := formatName(w.Payload)
	return &opened{
		info:  bench.Info{Driver: t.Driver, Operation: w.Operation, Target: shown, Format: format, Name: t.Driver + " " + w.Operation},
		op:    mw.Operation(),
		close: func() { _ = mw.Close() },
	}, nil
}
