package kafka

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/commbench/commbench/drivers"
)

// options are the parsed Target.Options; see the package documentation for names and defaults.
type options struct {
	acks              string
	idempotent        bool
	compression       string
	linger            time.Duration
	batchBytes        int
	partitioner       string
	maxBuffered       int
	createTopics      bool
	topicPartitions   int
	topicReplication  int
	sasl              string
	consumePartitions []int32
	fetchMaxWait      time.Duration
	commitInterval    time.Duration
	replyTopic        string
	correlationHeader string
	replyTopicHeader  string
}

func readOptions(m map[string]string) (options, error) {
	r := drivers.ReadOptions("kafka", m, "acks", "idempotent", "compression", "linger", "batch_bytes",
		"partitioner", "max_buffered", "create_topics", "topic_partitions", "topic_replication", "sasl",
		"consume_partitions", "fetch_max_wait", "commit_interval", "reply_topic", "correlation_header",
		"reply_topic_header")
	o := options{
		acks:              r.Enum("acks", "all", "all", "1", "0"),
		compression:       r.Enum("compression", "none", "none", "gzip", "snappy", "lz4", "zstd"),
		linger:            r.Duration("linger", 0),
		batchBytes:        r.Int("batch_bytes", 1000012, 1024, 1<<30),
		partitioner:       r.Enum("partitioner", "sticky", "sticky", "round_robin", "manual"),
		maxBuffered:       r.Int("max_buffered", 10000, 1, 10_000_000),
		createTopics:      r.Bool("create_topics", false),
		topicPartitions:   r.Int("topic_partitions", -1, -1, 1_000_000),
		topicReplication:  r.Int("topic_replication", -1, -1, 32767),
		sasl:              r.Enum("sasl", "plain", "plain", "scram-sha-256", "scram-sha-512"),
		fetchMaxWait:      r.Duration("fetch_max_wait", 100*time.Millisecond),
		commitInterval:    r.Duration("commit_interval", time.Second),
		replyTopic:        r.String("reply_topic", ""),
		correlationHeader: r.String("correlation_header", "kafka_correlationId"),
		replyTopicHeader:  r.String("reply_topic_header", "kafka_replyTopic"),
	}
	o.idempotent = r.Bool("idempotent", o.acks == "all")
	if ps := r.String("consume_partitions", ""); ps != "" {
		for _, p := range strings.Split(ps, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
			if err != nil || n < 0 {
				return o, fmt.Errorf("kafka: option consume_partitions=%q: expected partition numbers such as 0,2", ps)
			}
			o.consumePartitions = append(o.consumePartitions, int32(n))
		}
	}
	if err := r.Err(); err != nil {
		return o, err
	}
	if o.idempotent && o.acks != "all" {
		return o, fmt.Errorf("kafka: idempotent producer requires acks=all (got acks=%s): set acks=all or idempotent=false", o.acks)
	}
	if o.fetchMaxWait < time.Millisecond {
		return o, fmt.Errorf("kafka: option fetch_max_wait must be at least 1ms")
	}
	if o.commitInterval <= 0 {
		return o, fmt.Errorf("kafka: option commit_interval must be positive")
	}
	return o, nil
}
