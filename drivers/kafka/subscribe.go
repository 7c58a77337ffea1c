package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commbench/commbench/drivers"
)

// Subscribe consumes the topic s.Route with its own client and returns once it is positioned
// (see the package doc: From "end" by default, "start", or an RFC 3339 time), so records produced
// afterwards are received. handle runs on one goroutine per subscription, in offset order per
// partition. With s.Group the subscription joins that consumer group and commits handled
// records; without it all partitions (or option consume_partitions) are assigned, with no commits.
func (c *Conn) Subscribe(ctx context.Context, s drivers.Subscription, handle func(*drivers.Message) error) (drivers.Subscribed, error) {
	if c.closed.Load() {
		return nil, c.closedError("subscribe")
	}
	topic := s.Route
	if err := c.ensureTopic(ctx, topic); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	offsets, err := c.positions(ctx, topic, s.From)
	if err != nil {
		return nil, fmt.Errorf("kafka %s: subscribe %s: %w", c.seeds, topic, err)
	}
	opts := append(append([]kgo.Opt{}, c.base...), kgo.FetchMaxWait(c.opts.fetchMaxWait))
	if s.Group == "" {
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	} else {
		if err := c.positionGroup(ctx, s.Group, topic, offsets); err != nil {
			return nil, fmt.Errorf("kafka %s: subscribe %s as group %s: %w", c.seeds, topic, s.Group, err)
		}
		opts = append(opts, kgo.ConsumerGroup(s.Group), kgo.ConsumeTopics(topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.AutoCommitMarks(), kgo.AutoCommitInterval(c.opts.commitInterval),
			kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, _ map[string][]int32) {
				_ = cl.CommitMarkedOffsets(ctx)
			}))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	sub := &subscription{c: c, cl: cl, group: s.Group != "", stop: stop, done: make(chan struct{})}
	go sub.run(runCtx, handle)
	return sub, nil
}

// positions returns exact offsets per partition for from: "end" (or ""), "start", or an RFC 3339 time.
func (c *Conn) positions(ctx context.Context, topic, from string) (map[int32]kgo.Offset, error) {
	var listed kadm.ListedOffsets
	var err error
	switch from {
	case "", "end":
		listed, err = c.adm.ListEndOffsets(ctx, topic)
	case "start":
		listed, err = c.adm.ListStartOffsets(ctx, topic)
	default:
		ts, perr := time.Parse(time.RFC3339Nano, from)
		if perr != nil {
			return nil, fmt.Errorf("subscription from %q: expected start, end or an RFC 3339 time", from)
		}
		listed, err = c.adm.ListOffsetsAfterMilli(ctx, ts.UnixMilli(), topic)
	}
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	parts, err := c.partitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(map[int32]kgo.Offset, len(parts))
	for _, p := range parts {
		l, ok := listed.Lookup(topic, p)
		if !ok {
			return nil, fmt.Errorf("topic %s has no partition %d", topic, p)
		}
		out[p] = kgo.NewOffset().At(l.Offset)
	}
	return out, nil
}

// positionGroup commits offsets for a group that has none on topic, so a new group starts
// exactly where From says, whenever it is assigned the partitions.
func (c *Conn) positionGroup(ctx context.Context, group, topic string, offsets map[int32]kgo.Offset) error {
	committed, err := c.adm.FetchOffsets(ctx, group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		err = nil // a new group: nothing committed
	}
	if err != nil {
		return fmt.Errorf("fetch committed offsets: %w", err)
	}
	has := false
	committed.Each(func(o kadm.OffsetResponse) { has = has || (o.Topic == topic && o.At >= 0) })
	if has {
		return nil
	}
	os := make(kadm.Offsets)
	for p, o := range offsets {
		os.Add(kadm.Offset{Topic: topic, Partition: p, At: o.EpochOffset().Offset, LeaderEpoch: -1})
	}
	resp, err := c.adm.CommitOffsets(ctx, group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("commit starting offsets: %w", err)
	}
	return nil
}

type subscription struct {
	c     *Conn
	cl    *kgo.Client
	group bool
	stop  context.CancelFunc
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	err   error // first fetch error
}

func (s *subscription) run(ctx context.Context, handle func(*drivers.Message) error) {
	defer close(s.done)
	for {
		fs := s.cl.PollFetches(ctx)
		if fs.IsClientClosed() || ctx.Err() != nil {
			return
		}
		fs.EachError(func(topic string, p int32, err error) {
			if errors.Is(err, context.Canceled) {
				return
			}
			s.mu.Lock()
			if s.err == nil {
				s.err = fmt.Errorf("kafka %s: fetch %s[%d]: %w", s.c.seeds, topic, p, err)
			}
			s.mu.Unlock()
		})
		fs.EachRecord(func(r *kgo.Record) {
			if err := handle(fromRecord(r)); err == nil && s.group {
				s.cl.MarkCommitRecords(r)
			}
		})
	}
}

// Close stops fetching, waits for the handler to return, commits the handled records (group)
// and leaves the group. It returns the first fetch error met while running, or a commit error.
func (s *subscription) Close() error {
	var err error
	s.once.Do(func() {
		s.stop()
		<-s.done
		if s.group {
			ctx, cancel := context.WithTimeout(context.Background(), s.c.requestTimeout)
			if cerr := s.cl.CommitMarkedOffsets(ctx); cerr != nil {
				err = fmt.Errorf("kafka %s: commit: %w", s.c.seeds, cerr)
			}
			cancel()
		}
		s.cl.Close()
		s.mu.Lock()
		if s.err != nil {
			err = s.err
		}
		s.mu.Unlock()
	})
	return err
}
