// Package kafka is the Kafka driver, built on github.com/twmb/franz-go (kgo for producing and
// consuming, kadm for topics and offsets).
//
// # Target
//
// Target.Address lists seed brokers, comma-separated ("127.0.0.1:9092,127.0.0.1:9093").
// Target.Username and Target.Password turn SASL on (mechanism: option sasl, default plain);
// Target.TLS turns TLS on. ${NAME} in the address is replaced from Target.LookupEnv (else the
// process environment).
//
// # Routes and messages
//
// Message.Route and Subscription.Route are the topic. Message.Key is the record key,
// Message.Headers the record headers (one record header per value); Message.ContentType is sent
// as a "content-type" header unless the headers already carry one, and a received record's
// content-type (or contentType) header fills it. Published Message.Properties: partition (only
// with partitioner=manual) and timestamp (RFC 3339 or Unix milliseconds; default: now).
// Received messages carry Properties topic, partition and offset, and Time is the record
// timestamp (broker or producer time, as the topic's timestamp type says).
//
// # Options (Target.Options)
//
//	acks               all       producer acks: all, 1 (leader) or 0 (none)
//	idempotent         true      idempotent producer (only with acks=all: "idempotent producer requires
//	                             acks=all"); it defaults to false when acks is 1 or 0
//	compression        none      batch compression: none, gzip, snappy, lz4, zstd
//	linger             0ms       how long a partition's batch waits for more records
//	batch_bytes        1000012   maximum record batch size in bytes
//	partitioner        sticky    sticky (murmur2 key hash like the Java client, keyless records stick
//	                             to a partition per batch), round_robin, or manual (property partition)
//	max_buffered       10000     records buffered before Publish blocks (bounds memory)
//	create_topics      false     create missing topics (Publish, Subscribe, Request); without it a
//	                             missing topic is an error saying to use --create-topics
//	topic_partitions   -1        partitions of created topics (-1: the broker's default)
//	topic_replication  -1        replication factor of created topics (-1: the broker's default)
//	sasl               plain     SASL mechanism when a username is set: plain, scram-sha-256, scram-sha-512
//	consume_partitions ""        comma-separated partitions a group-less subscription is assigned
//	                             (default: all)
//	fetch_max_wait     100ms     how long the broker may hold a fetch waiting for records
//	commit_interval    1s        how often a consumer group commits the offsets of handled records
//	reply_topic        TOPIC.reply  topic replies to Request are read from (property reply_topic overrides)
//	correlation_header kafka_correlationId  request/reply correlation header (Spring Kafka's name)
//	reply_topic_header kafka_replyTopic     header telling the replier where to answer
//
// # Subscriptions
//
// Without Subscription.Group the subscription is assigned all partitions (or consume_partitions)
// with no commits, positioned before Subscribe returns at the partitions' end offsets (From
// "end", the default), their start ("start"), or the first offsets at or after an RFC 3339
// time. With a Group, a group that has no committed offsets for the topic is first committed at
// those positions, so From holds exactly too; handled records are marked and committed every
// commit_interval and on Close (at-least-once). Kafka has no per-record nack: a handler error
// leaves its record unmarked, but later records' commits pass it.
//
// # Errors
//
// No seed broker answering within Target.ConnectTimeout wraps drivers.ErrUnreachable; a SASL
// failure wraps drivers.ErrAuth. Broker error codes reach done callbacks as *kerr.Error
// (errors.As), with the topic and partition.
package kafka
