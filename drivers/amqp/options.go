package amqp

import (
	"fmt"
	"time"

	"github.com/commbench/commbench/drivers"
)

// options are the parsed Target.Options; see the package documentation for names and defaults.
type options struct {
	declare      bool
	exchangeType string
	queueType    string
	bindExchange string
	bindKey      string
	bind         bool
	confirm      bool
	mandatory    bool
	persistent   bool
	maxInFlight  int
	prefetch     int
	heartbeat    time.Duration
}

func readOptions(m map[string]string) (options, error) {
	r := drivers.ReadOptions("amqp", m, "declare", "exchange_type", "queue_type", "bind", "confirm",
		"mandatory", "persistent", "max_in_flight", "prefetch", "heartbeat")
	o := options{
		declare:      r.Bool("declare", false),
		exchangeType: r.Enum("exchange_type", "topic", "direct", "fanout", "topic", "headers"),
		queueType:    r.Enum("queue_type", "classic", "classic", "quorum"),
		confirm:      r.Bool("confirm", true),
		mandatory:    r.Bool("mandatory", false),
		persistent:   r.Bool("persistent", false),
		maxInFlight:  r.Int("max_in_flight", 1024, 1, 1_000_000),
		prefetch:     r.Int("prefetch", 100, 0, 65535),
		heartbeat:    r.Duration("heartbeat", 10*time.Second),
	}
	if b := r.String("bind", ""); b != "" {
		o.bind = true
		o.bindExchange, o.bindKey = splitRoute(b)
		if o.bindExchange == "" {
			return o, fmt.Errorf("amqp: option bind=%q: expected exchange/routing.key", b)
		}
	}
	if err := r.Err(); err != nil {
		return o, err
	}
	if o.bind && !o.declare {
		return o, fmt.Errorf("amqp: option bind needs declare=true")
	}
	return o, nil
}
