package main

import (
	"cmp"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commbench/commbench/bench/messaging"
	"github.com/commbench/commbench/internal/exitcode"
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

// registerMessaging adds the flags bench amqp and bench kafka share (ops: the operations), then
// the payload, connection (headerHelp: what --header sets) and load flags.
func (b *benchFlags) registerMessaging(fs *pflag.FlagSet, ops, headerHelp string) {
	fs.StringVar(&b.w.Operation, "operation", "", ops)
	fs.IntVar(&b.w.Producers, "producers", 1, "producer connections (publishing operations)")
	fs.IntVar(&b.w.Consumers, "consumers", 1, "consumer connections sharing the messages (consuming operations)")
	fs.StringVar(&b.w.RunID, "run-id", "", "run id stamped on every message (default: a new UUID); with --operation consume, the run whose messages are checked (default: the first stamped message's)")
	b.register(fs, "body-template", "message body template file", headerHelp, true)
}

// messaging checks the flags bench amqp and bench kafka share, after missing (the subcommand's
// own required flags); operation is the default one.
func (b *benchFlags) messaging(operation string, missing error) error {
	b.w.Operation = cmp.Or(b.w.Operation, operation)
	if missing != nil {
		return missing
	}
	if b.w.Producers < 1 || b.w.Consumers < 1 {
		return exitcode.Usagef("--producers and --consumers must be at least 1")
	}
	return nil
}

func newBenchAMQPCmd(a *app) *cobra.Command {
	var b benchFlags
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
			return b.run(cmd, a, "amqp", func(*scenario.Target) error {
				return b.messaging(messaging.PublishConsume, required("--url is required, e.g. --url amqp://guest:guest@127.0.0.1:5672/", b.address))
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&b.address, "url", "", "AMQP URI, e.g. amqp://guest:guest@127.0.0.1:5672/ (credentials may be ${VAR})")
	fs.StringVar(&b.w.Route, "route", "", "where to publish: exchange/routing.key (default exchange: /queue-name)")
	fs.StringVar(&b.w.Subscribe, "subscribe", "", "what to consume: exchange/routing.key or queue:NAME (default: --route)")
	fs.IntVar(&b.w.Prefetch, "prefetch", 0, "consumer QoS prefetch count (0: the driver's default)")
	fs.BoolVar(&b.w.AutoAck, "auto-ack", false, "consume without manual acknowledgements")
	b.registerMessaging(fs, "publish, consume or publish-consume (default)", "message header")
	return cmd
}

func newBenchKafkaCmd(a *app) *cobra.Command {
	var b benchFlags
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
			return b.run(cmd, a, "kafka", func(*scenario.Target) error {
				return b.messaging(messaging.ProduceConsume, required("--brokers and --topic are required, e.g. --brokers 127.0.0.1:9092 --topic orders", b.address, b.w.Route))
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&b.address, "brokers", "", "seed brokers, comma-separated, e.g. 127.0.0.1:9092")
	fs.StringVar(&b.w.Route, "topic", "", "topic to produce to and consume")
	fs.StringVar(&b.w.Group, "group", "", "consumer group (default: none for one consumer, commbench-RUN for several)")
	fs.StringVar(&b.w.From, "from", "", "where consumers start: end (default), start, or an RFC 3339 time")
	fs.IntVar(&b.w.Keys, "keys", 0, "record keys key-0..key-N-1 by sequence number (0: no key)")
	b.registerMessaging(fs, "produce, consume or produce-consume (default)", "record header")
	return cmd
}
