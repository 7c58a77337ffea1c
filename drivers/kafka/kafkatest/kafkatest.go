// Package kafkatest starts in-process Kafka clusters (franz-go's kfake, a real Kafka-protocol
// peer) for tests, the demo and benchmarks.
package kafkatest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Start starts a kfake cluster of brokers brokers on loopback ports with topics created with
// partitions partitions each, plus extra kfake options (e.g. kfake.EnableSASL). The caller
// closes it. It returns the cluster and its seed addresses, comma-separated (a Target.Address).
func Start(brokers, partitions int, topics []string, opts ...kfake.Opt) (*kfake.Cluster, string, error) {
	all := []kfake.Opt{kfake.NumBrokers(brokers), kfake.DefaultNumPartitions(partitions)}
	if len(topics) > 0 {
		all = append(all, kfake.SeedTopics(int32(partitions), topics...))
	}
	c, err := kfake.NewCluster(append(all, opts...)...)
	if err != nil {
		return nil, "", fmt.Errorf("kafkatest: start kfake: %w", err)
	}
	return c, strings.Join(c.ListenAddrs(), ","), nil
}

// NewCluster is Start for a test: it fails t on error and closes the cluster when t ends.
func NewCluster(t testing.TB, brokers, partitions int, topics ...string) (*kfake.Cluster, string) {
	t.Helper()
	c, seeds, err := Start(brokers, partitions, topics)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, seeds
}
