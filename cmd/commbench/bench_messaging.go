package main

import (
	"cmp"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/bench/messaging"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

const messagingHelp = `Messaging integrity (publish-consume / produce-consume): every message is stamped in headers
(commbench-run, commbench-producer, commbench-seq, commbench-sent), so JSON, Protobuf and Avro
bodies stay valid. Consumers check each delivery online per stream (AMQP: per consumer of the
queue; Kafka: per partition): out-of-order (lower than the highest seen, not a duplicate),
duplicates (exact, per producer), end-to-end latency from the stamped send time. After the load
and --drain, acknowledged (publisher confirm / acks) but never received messages are lost; sent
but never acknowledged are unconfirmed; received but never sent by this run are unexpected.
Messages of other runs on the same queue or topic are ignored.`

// messagingFlags are the flags bench amqp and bench kafka share.
type messagingFlags struct {
	operation               string
	producers, consumers    int
	runID                   string
	format, schema, message string
	importPaths, schemaDeps []string
	pf                      payloadFlags
}

// register adds the messaging flags, then tf's (headerHelp names what --header sets) and l's.
func (m *messagingFlags) register(fs *pflag.FlagSet, ops string, tf *targetFlags, headerHelp string, l *loadFlags) {
	fs.StringVar(&m.operation, "operation", "", ops)
	fs.IntVar(&m.producers, "producers", 1, "producer connections (publishing operations)")
	fs.IntVar(&m.consumers, "consumers", 1, "consumer connections sharing the messages (consuming operations)")
	fs.StringVar(&m.runID, "run-id", "", "run id stamped on every message (default: a new UUID); with --operation consume, the run whose messages are checked (default: the first stamped message's)")
	fs.StringVar(&m.format, "format", "json", "body wire format: json, protobuf or avro")
	fs.StringVar(&m.schema, "schema", "", "body schema: .proto or protoset (protobuf), .avsc (avro)")
	fs.StringSliceVar(&m.schemaDeps, "schema-dep", nil, "further schema files (repeatable)")
	fs.StringVar(&m.message, "message", "", "Protobuf message of the body, e.g. shop.v1.Order")
	fs.StringSliceVarP(&m.importPaths, "import-path", "I", nil, ".proto import path (repeatable)")
	m.pf.register(fs, "body-template", "message body template file")
	tf.register(fs, headerHelp)
	l.register(fs)
}

// workload is the runner's messaging workload w against t (from targetFlags: its headers become
// message headers), with the messaging flags filled in.
func (m *messagingFlags) workload(fs *pflag.FlagSet, l *loadFlags, t scenario.Target, w scenario.Workload) (runner.Workload, error) {
	if m.producers < 1 || m.consumers < 1 {
		return runner.Workload{}, exitcode.Usagef("--producers and --consumers must be at least 1")
	}
	if m.runID == "" && m.operation != messaging.Consume {
		// consume checks the run given, else the first stamped message's (messaging.Config.RunID)
		m.runID = uuid.NewString()
	}
	w.Operation, w.RunID, w.Producers, w.Consumers, w.Drain = m.operation, m.runID, m.producers, m.consumers, scenario.Duration(l.drain)
	w.Payload = m.pf.payload(m.format, m.schema, m.message, m.schemaDeps, m.importPaths, "")
	if fs.Changed("max-in-flight") {
		w.MaxInFlight = l.maxInFlight
	}
	return runner.Workload{Target: t, Workload: w}, nil
}

func newBenchAMQPCmd(a *app) *cobra.Command {
	var (
		l              loadFlags
		tf             targetFlags
		mf             messagingFlags
		address, route string
		subscribe      string
		prefetch       int
		autoAck        bool
	)
	cmd := &cobra.Command{
		Use:   "amqp",
		Short: "Benchmark an AMQP 0-9-1 broker: publish, consume, publish-consume",
		Long: `Publish to --route (exchange/routing.key) with publisher confirms and/or consume --subscribe
(exchange/routing.key: an exclusive temporary queue for one consumer; queue:NAME: a queue the
consumers share) through drivers/amqp. Publish latency is recorded at the confirm, from the
intended send time in the open model.

` + messagingHelp + `

` + loadFlagsHelp,
		Example: `  # 2 producers, 2 consumers sharing a declared queue, 20000 msg/s for 30 s, no loss allowed
  commbench bench amqp --url amqp://guest:guest@127.0.0.1:5672/ --route amq.topic/orders \
    --subscribe queue:orders --option declare=true --option bind=amq.topic/orders \
    --producers 2 --consumers 2 --rate 20000/s -d 30s --threshold 'lost==0' --threshold 'duplicates==0'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if mf.operation == "" {
				mf.operation = messaging.PublishConsume
			}
			return runBench(cmd, a, &l, func() (runner.Workload, error) {
				if address == "" {
					return runner.Workload{}, exitcode.Usagef("--url is required, e.g. --url amqp://guest:guest@127.0.0.1:5672/")
				}
				if subscribe == "" {
					subscribe = route
				}
				if mf.operation != messaging.Publish && mf.consumers > 1 && !strings.HasPrefix(subscribe, "queue:") {
					return runner.Workload{}, exitcode.Usagef("--consumers %d with --subscribe %q would give each consumer its own temporary queue (every message %d times): subscribe to a shared queue:NAME", mf.consumers, subscribe, mf.consumers)
				}
				w := scenario.Workload{Route: route, Subscribe: subscribe, Prefetch: prefetch, AutoAck: autoAck}
				st, err := tf.target(a, "amqp", "amqp", address)
				if err != nil {
					return runner.Workload{}, err
				}
				return mf.workload(cmd.Flags(), &l, st, w)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&address, "url", "", "AMQP URI, e.g. amqp://guest:guest@127.0.0.1:5672/ (credentials may be ${VAR})")
	fs.StringVar(&route, "route", "", "where to publish: exchange/routing.key (default exchange: /queue-name)")
	fs.StringVar(&subscribe, "subscribe", "", "what to consume: exchange/routing.key or queue:NAME (default: --route)")
	fs.IntVar(&prefetch, "prefetch", 0, "consumer QoS prefetch count (0: the driver's default)")
	fs.BoolVar(&autoAck, "auto-ack", false, "consume without manual acknowledgements")
	mf.register(fs, "publish, consume or publish-consume (default)", &tf, "message header", &l)
	return cmd
}

func newBenchKafkaCmd(a *app) *cobra.Command {
	var (
		l              loadFlags
		tf             targetFlags
		mf             messagingFlags
		brokers, topic string
		group, from    string
		keys           int
	)
	cmd := &cobra.Command{
		Use:   "kafka",
		Short: "Benchmark a Kafka cluster: produce, consume, produce-consume",
		Long: `Produce to --topic (acknowledged per --option acks, default all with the idempotent producer)
and/or consume it through drivers/kafka. With --consumers above 1 the consumers share a consumer
group (--group, default commbench-RUN). Produce latency is recorded at the ack, from the intended
send time in the open model.

` + messagingHelp + `

` + loadFlagsHelp,
		Example: `  # produce and consume 1 million keyed messages, Avro bodies, no loss or duplicate allowed
  commbench bench kafka --brokers 127.0.0.1:9092 --topic orders --option create_topics=true \
    --keys 100 --format avro --schema order.avsc --body-template order.json -n 1000000 \
    --threshold 'lost==0' --threshold 'duplicates==0'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if mf.operation == "" {
				mf.operation = messaging.ProduceConsume
			}
			return runBench(cmd, a, &l, func() (runner.Workload, error) {
				if brokers == "" || topic == "" {
					return runner.Workload{}, exitcode.Usagef("--brokers and --topic are required, e.g. --brokers 127.0.0.1:9092 --topic orders")
				}
				if keys < 0 {
					return runner.Workload{}, exitcode.Usagef("--keys must not be negative")
				}
				if mf.runID == "" && mf.operation != messaging.Consume {
					mf.runID = uuid.NewString()
				}
				if group == "" && mf.consumers > 1 {
					group = "commbench-" + cmp.Or(mf.runID, uuid.NewString())
				}
				w := scenario.Workload{Route: topic, Group: group, From: from, Keys: keys}
				st, err := tf.target(a, "kafka", "kafka", brokers)
				if err != nil {
					return runner.Workload{}, err
				}
				return mf.workload(cmd.Flags(), &l, st, w)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&brokers, "brokers", "", "seed brokers, comma-separated, e.g. 127.0.0.1:9092")
	fs.StringVar(&topic, "topic", "", "topic to produce to and consume")
	fs.StringVar(&group, "group", "", "consumer group (default: none for one consumer, commbench-RUN for several)")
	fs.StringVar(&from, "from", "", "where consumers start: end (default), start, or an RFC 3339 time")
	fs.IntVar(&keys, "keys", 0, "record keys key-0..key-N-1 by sequence number (0: no key)")
	mf.register(fs, "produce, consume or produce-consume (default)", &tf, "record header", &l)
	return cmd
}
