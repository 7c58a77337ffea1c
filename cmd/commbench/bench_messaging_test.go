package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commbench/commbench/drivers/kafka/kafkatest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

func TestBenchMessaging(t *testing.T) {
	run := uuid.NewString()
	cases := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"amqp publish-consume", func(t *testing.T) []string {
			return []string{"bench", "amqp", "--url", testenv.AMQPURL(t), "--route", "amq.topic/commbench.cli." + run, "--producers", "2"}
		}},
		{"kafka produce-consume keyed", func(t *testing.T) []string {
			_, addr := kafkatest.NewCluster(t, 1, 3, "orders")
			return []string{"bench", "kafka", "--brokers", addr, "--topic", "orders", "--keys", "5", "--consumers", "2"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			args := append(tc.args(t), "-n", "400", "--drain", "2s", "--quiet", "--out", out,
				"--threshold", "lost==0", "--threshold", "duplicates==0", "--run-id", run)
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			f, err := results.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			w := f.Workloads[0]
			in := w.Integrity
			if in == nil || in.Sent != 400 || in.Acknowledged != 400 || in.Received != 400 || in.Lost != 0 || in.Duplicates != 0 || in.OutOfOrder != 0 {
				t.Fatalf("integrity %+v", in)
			}
			if w.EndToEnd == nil || w.EndToEnd.Count != 400 || len(w.Thresholds) != 5 { // 2 given, error_rate<1%, succeeded>0 and connections_lost==0 by default
				t.Fatalf("end-to-end %+v thresholds %+v", w.EndToEnd, w.Thresholds)
			}
			if strings.Contains(stdout+stderr, "guest:guest") {
				t.Fatal("credentials in the output")
			}
		})
	}
}

func TestBenchMessagingUsage(t *testing.T) {
	cases := []struct {
		name, substr string
		args         []string
	}{
		{"amqp without url", "--url is required", []string{"bench", "amqp", "--route", "x/y"}},
		{"amqp shared consumers need a queue", "shared queue:NAME", []string{"bench", "amqp", "--url", "amqp://127.0.0.1:1/", "--route", "amq.topic/x", "--consumers", "2"}},
		{"kafka without topic", "--topic are required", []string{"bench", "kafka", "--brokers", "127.0.0.1:1"}},
		{"bad operation", `operation "send"`, []string{"bench", "kafka", "--brokers", "127.0.0.1:1", "--topic", "t", "--operation", "send"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, append(tc.args, "-n", "1", "--quiet")...)
			if code != 2 || !strings.Contains(stderr, tc.substr) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.substr)
			}
		})
	}
}

// TestBenchMessagingHeadersExpandedOnce: message headers from -H are expanded once, so a secret
// holding '$' reaches the broker intact and "$$" in the flag is one '$' (read back from kfake).
func TestBenchMessagingHeadersExpandedOnce(t *testing.T) {
	const token = "s3cret$$x${y}$"
	_, addr := kafkatest.NewCluster(t, 1, 1, "orders")
	code, _, stderr := runCLI(t, []string{"TOKEN=" + token}, "bench", "kafka", "--brokers", addr, "--topic", "orders", "--operation", "produce",
		"-H", "X-Token: ${TOKEN}", "-H", "X-Literal: a$$b", "-n", "5", "--quiet", "--threshold", "errors==0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	for n < 5 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			n++
			h := map[string]string{}
			for _, x := range r.Headers {
				h[x.Key] = string(x.Value)
			}
			if h["X-Token"] != token || h["X-Literal"] != "a$b" {
				t.Errorf("record %d headers X-Token %q X-Literal %q, want %q and %q", r.Offset, h["X-Token"], h["X-Literal"], token, "a$b")
			}
		})
	}
	if n != 5 {
		t.Fatalf("read %d records, want 5", n)
	}
}
