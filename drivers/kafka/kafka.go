package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
)

func init() { drivers.Register(New()) }

// Driver opens Kafka connections.
type Driver struct{}

// New returns the driver.
func New() Driver { return Driver{} }

// Name returns "kafka".
func (Driver) Name() string { return "kafka" }

// Open creates a producing client for the seed brokers in t.Address and checks within
// t.ConnectTimeout that a broker answers (and accepts the SASL credentials). Errors wrap
// drivers.ErrUnreachable or drivers.ErrAuth; bad options name the option and what was expected.
func (Driver) Open(ctx context.Context, t drivers.Target) (drivers.Conn, error) {
	t = t.WithDefaults()
	o, err := readOptions(t.Options)
	if err != nil {
		return nil, err
	}
	addr, err := drivers.ExpandEnv(t.Address, t.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("kafka: address: %w", err)
	}
	var seeds []string
	for s := range strings.SplitSeq(addr, ",") {
		if s = strings.TrimSpace(s); s != "" {
			seeds = append(seeds, s)
		}
	}
	if len(seeds) == 0 {
		return nil, errors.New("kafka: address: expected seed brokers host:port[,host:port...]")
	}
	// kadm answers from metadata cached for MetadataMinAge (default 5s): keep it short so a topic
	// just created (or just checked missing) is seen at once.
	base := []kgo.Opt{kgo.SeedBrokers(seeds...), kgo.DialTimeout(t.ConnectTimeout), kgo.ClientID("commbench"),
		kgo.MetadataMinAge(250 * time.Millisecond)}
	tlsCfg, err := t.TLS.Config()
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if tlsCfg != nil {
		base = append(base, kgo.DialTLSConfig(tlsCfg))
	}
	if t.Username != "" {
		switch o.sasl {
		case "plain":
			base = append(base, kgo.SASL(plain.Auth{User: t.Username, Pass: t.Password}.AsMechanism()))
		case "scram-sha-256":
			base = append(base, kgo.SASL(scram.Auth{User: t.Username, Pass: t.Password}.AsSha256Mechanism()))
		case "scram-sha-512":
			base = append(base, kgo.SASL(scram.Auth{User: t.Username, Pass: t.Password}.AsSha512Mechanism()))
		}
	}
	c := &Conn{opts: o, seeds: strings.Join(seeds, ","), base: base, user: t.Username, requestTimeout: t.RequestTimeout}
	cl, err := kgo.NewClient(append(append([]kgo.Opt{}, base...), c.producerOpts()...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, t.ConnectTimeout)
	defer cancel()
	// kgo does not abandon a request in flight on a peer that never answers when ctx ends, so
	// the ping runs aside and Open returns at the deadline regardless.
	pinged := make(chan error, 1)
	go func() { pinged <- cl.Ping(pctx) }()
	select {
	case err = <-pinged:
	case <-pctx.Done():
		err = pctx.Err()
	}
	if err != nil {
		go cl.Close() // may wait for the stuck request
		return nil, c.openError(err, t.ConnectTimeout)
	}
	c.cl, c.adm = cl, kadm.NewClient(cl)
	return c, nil
}

func (c *Conn) producerOpts() []kgo.Opt {
	o := c.opts
	opts := []kgo.Opt{
		kgo.ProducerLinger(o.linger),
		kgo.ProducerBatchMaxBytes(int32(o.batchBytes)),
		kgo.MaxBufferedRecords(o.maxBuffered),
	}
	switch o.acks {
	case "all":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	}
	if !o.idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	codec := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(),
		"snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}[o.compression]
	opts = append(opts, kgo.ProducerBatchCompression(codec))
	switch o.partitioner {
	case "round_robin":
		opts = append(opts, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	case "manual":
		opts = append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	default:
		opts = append(opts, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	}
	return opts
}

// openError classifies a failed first contact.
func (c *Conn) openError(err error, timeout time.Duration) error {
	if isAuth(err) {
		return fmt.Errorf("kafka %s: %w: SASL %s login of user %q refused: wrong username or password (%v)", c.seeds, drivers.ErrAuth, c.opts.sasl, c.user, redact.Error(err))
	}
	if c.user != "" && errors.Is(err, io.EOF) {
		return fmt.Errorf("kafka %s: %w: the broker closed the connection during SASL %s login of user %q: wrong username or password, or a mechanism the broker does not enable (or is TLS expected?)", c.seeds, drivers.ErrAuth, c.opts.sasl, c.user)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("kafka %s: %w: no broker answered within %s", c.seeds, drivers.ErrUnreachable, timeout)
	}
	return fmt.Errorf("kafka %s: %w: %v", c.seeds, drivers.ErrUnreachable, redact.Error(err))
}

func isAuth(err error) bool {
	return errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.IllegalSaslState) ||
		errors.Is(err, kerr.UnsupportedSaslMechanism) || errors.Is(err, kerr.ClusterAuthorizationFailed)
}

// Conn is an open Kafka connection: one producing client, plus one consuming client per
// subscription. Its methods are safe for concurrent use.
type Conn struct {
	opts           options
	seeds          string
	user           string
	base           []kgo.Opt
	requestTimeout time.Duration
	cl             *kgo.Client
	adm            *kadm.Client
	topics         sync.Map // topic name -> struct{}: known to exist
	closed         atomic.Bool

	mu       sync.Mutex
	repliers map[string]*replier
}

// Client returns the underlying franz-go producing client (for callers needing more than the
// driver contract, e.g. admin requests).
func (c *Conn) Client() *kgo.Client { return c.cl }

// Close flushes nothing, stops request/reply listeners and closes the producing client; records
// not yet acknowledged fail. It is safe to call more than once.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.mu.Lock()
	rs := c.repliers
	c.repliers = nil
	c.mu.Unlock()
	for _, r := range rs {
		_ = r.sub.Close()
	}
	c.cl.Close()
	return nil
}

func (c *Conn) closedError(op string) error {
	return fmt.Errorf("kafka %s: %s: %w", c.seeds, op, drivers.ErrClosed)
}

// ensureTopic checks once that topic exists, creating it with option create_topics.
func (c *Conn) ensureTopic(ctx context.Context, topic string) error {
	if topic == "" {
		return errors.New("kafka: empty topic (the route is the topic name)")
	}
	if _, ok := c.topics.Load(topic); ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	details, err := c.adm.ListTopics(ctx, topic)
	if err != nil {
		return fmt.Errorf("kafka %s: look up topic %q: %w", c.seeds, topic, err)
	}
	d, ok := details[topic]
	switch {
	case ok && d.Err == nil:
	case (!ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition)) && c.opts.createTopics:
		resp, err := c.adm.CreateTopic(ctx, int32(c.opts.topicPartitions), int16(c.opts.topicReplication), nil, topic)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("kafka %s: create topic %q (%d partitions, replication %d): %w", c.seeds, topic, c.opts.topicPartitions, c.opts.topicReplication, err)
		}
		if err := c.waitTopic(ctx, topic); err != nil {
			return err
		}
	case !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition):
		return fmt.Errorf("kafka %s: topic %q does not exist: create it, or pass --create-topics (option create_topics=true)", c.seeds, topic)
	default:
		return fmt.Errorf("kafka %s: topic %q: %w", c.seeds, topic, d.Err)
	}
	c.topics.Store(topic, struct{}{})
	return nil
}

// waitTopic waits until a created topic's partitions all have leaders.
func (c *Conn) waitTopic(ctx context.Context, topic string) error {
	for {
		details, err := c.adm.ListTopics(ctx, topic)
		if err == nil {
			if d, ok := details[topic]; ok && d.Err == nil && len(d.Partitions) > 0 && ready(d.Partitions) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafka %s: topic %q created but not ready: %w", c.seeds, topic, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// partitions lists topic's partitions, or the consume_partitions option when given.
func (c *Conn) partitions(ctx context.Context, topic string) ([]int32, error) {
	if len(c.opts.consumePartitions) > 0 {
		return c.opts.consumePartitions, nil
	}
	details, err := c.adm.ListTopics(ctx, topic)
	if err != nil {
		return nil, err
	}
	d := details[topic]
	if d.Err != nil {
		return nil, d.Err
	}
	return d.Partitions.Numbers(), nil
}

// ready reports whether every partition has a leader.
func ready(ps kadm.PartitionDetails) bool {
	for _, p := range ps {
		if p.Err != nil || p.Leader < 0 {
			return false
		}
	}
	return true
}
