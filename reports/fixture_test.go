package reports

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/commbench/commbench/results"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// lognormalUS draws a latency in µs around medianMS with a tail (sigma 0.5) and a rare stall.
func lognormalUS(r *rand.Rand, medianMS float64) int64 {
	v := medianMS * 1000 * math.Exp(0.5*r.NormFloat64())
	if r.IntN(1000) == 0 {
		v *= 20
	}
	return max(1, int64(v))
}

// histogramOf records n samples and returns the Latency summary.
func latencyOf(t testing.TB, r *rand.Rand, n int, medianMS float64) *results.Latency {
	t.Helper()
	h := results.NewHistogram()
	for range n {
		if err := h.RecordValue(lognormalUS(r, medianMS)); err != nil {
			t.Fatal(err)
		}
	}
	l, err := results.NewLatency(h)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sampleFile is a realistic results file of `commbench run`: a verification with passed, failed,
// pending-failed, skipped and errored interactions, a REST workload (open model) and an AMQP
// publish-consume workload with integrity figures, each with `seconds` points of time series.
func sampleFile(t testing.TB, seconds int) *results.File {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	f := &results.File{
		Schema: results.Schema,
		Run: results.Run{
			ID: "run-20260102-030405", Command: "run", Started: t0, Ended: t0.Add(time.Duration(seconds+12) * time.Second),
			Environment: results.Environment{CommbenchVersion: "v0.1.0", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 8, Hostname: "ci-runner-3"},
			Config: map[string]any{
				"targets": map[string]any{"orders": map[string]any{"url": "http://127.0.0.1:8080"}, "broker": map[string]any{"url": "amqp://bench:s3cret@127.0.0.1:5672/", "password": "hunter2"}},
				"bench":   map[string]any{"rate": 1000, "duration": "10m", "warmup": "10s"},
				"token":   "abc123",
			},
		},
	}
	ins := []results.Interaction{
		{Consumer: "shop-web", Provider: "orders", Description: "get order 42", Kind: "http", Transport: "http", ProviderStates: []string{"order 42 exists"}, Status: results.StatusPassed, DurationMS: 4.2, Source: "pacts/shop-web-orders.json"},
		{Consumer: "shop-web", Provider: "orders", Description: "create an order", Kind: "http", Transport: "http", Status: results.StatusFailed, DurationMS: 6.8, Source: "pacts/shop-web-orders.json",
			Request: &results.SentRequest{Method: "POST", Path: "/orders", Headers: map[string][]string{"Content-Type": {"application/json"}, "Authorization": {"***"}},
				Body: `{"customer":"c-7","items":[{"sku":"SKU-1","qty":2}]}`},
			Mismatches: []results.Mismatch{
				{Category: "status", Expected: "201", Actual: "200", Message: "expected status 201 but was 200"},
				{Category: "body", Path: "$.items[0].qty", Expected: "2", Actual: "\"2\"", Message: "expected a number (type matcher) but got a string"},
				{Category: "header", Path: "Content-Type", Expected: "application/json", Actual: "text/plain", Message: "header Content-Type differs"},
			}},
		{Consumer: "shop-web", Provider: "orders", Description: "list orders by customer", Kind: "http", Transport: "http", Pending: true, Status: results.StatusFailed, DurationMS: 3.1,
			Mismatches: []results.Mismatch{{Category: "body", Path: "$", Expected: "{\n  \"orders\": [],\n  \"next\": null\n}", Actual: "{\n  \"orders\": []\n}", Message: "missing key next"}}},
		{Consumer: "billing", Provider: "orders", Description: "order created event", Kind: "message", Transport: "amqp", Status: results.StatusPassed, DurationMS: 12.5},
		{Consumer: "billing", Provider: "orders", Description: "order shipped event", Kind: "message", Transport: "kafka", Status: results.StatusSkipped, Reason: "no kafka target configured"},
		{Consumer: "billing", Provider: "orders", Description: "refund order", Kind: "sync-message", Transport: "grpc", Status: results.StatusError, Reason: "provider state \"order 7 paid\" call failed: 500 Internal Server Error", DurationMS: 1.0},
	}
	f.Verification = &results.Verification{Interactions: ins, Summary: results.Summarize(ins)}

	rest := results.Workload{
		Name: "orders-get", Driver: "rest", Operation: "request", Target: "http://127.0.0.1:8080/orders/42", Format: "json",
		Model: "open", RatePerS: 1000, Started: t0.Add(2 * time.Second), Ended: t0.Add(time.Duration(seconds+2) * time.Second), DurationS: float64(seconds),
		Latency:       latencyOf(t, r, 20000, 2.5),
		ServiceTime:   latencyOf(t, r, 20000, 2.2),
		ScheduleDelay: latencyOf(t, r, 20000, 0.05),
		Errors:        map[string]int64{"http_5xx": 41, "timeout": 7},
	}
	amqp := results.Workload{
		Name: "order-events", Driver: "amqp", Operation: "publish-consume", Target: "amqp://127.0.0.1:5672/orders", Format: "protobuf",
		Model: "closed", Concurrency: 8, Started: rest.Started, Ended: rest.Ended, DurationS: float64(seconds),
		Latency:  latencyOf(t, r, 20000, 1.2),
		EndToEnd: latencyOf(t, r, 20000, 4.0),
		Errors:   map[string]int64{"nack": 3},
	}
	for i := range seconds {
		ts := rest.Started.Add(time.Duration(i) * time.Second)
		wave := 1 + 0.05*math.Sin(float64(i)/20)
		rest.Series = append(rest.Series, results.Point{Time: ts, ThroughputPerS: math.Round(1000 * wave), Errors: int64(r.IntN(3)),
			P50MS: round2(2.5 * wave), P99MS: round2(8 + 4*r.Float64()), Bytes: 512000})
		amqp.Series = append(amqp.Series, results.Point{Time: ts, ThroughputPerS: math.Round(4200 * wave), Errors: 0,
			P50MS: round2(1.2 * wave), P99MS: round2(3 + 2*r.Float64()), Bytes: 860000})
	}
	for _, w := range []*results.Workload{&rest, &amqp} {
		var ok, errs, bytes int64
		for _, p := range w.Series {
			ok += int64(p.ThroughputPerS)
			errs += p.Errors
			bytes += p.Bytes
		}
		for _, n := range w.Errors {
			errs += n
		}
		w.Totals = results.Totals{Requests: ok + errs, Succeeded: ok, Errors: errs, Bytes: bytes,
			ThroughputPerS: float64(ok) / w.DurationS, ErrorRate: float64(errs) / float64(ok+errs)}
	}
	rest.Totals.Late = 12
	amqp.Integrity = &results.Integrity{Sent: amqp.Totals.Requests, Acknowledged: amqp.Totals.Requests - 2, Unconfirmed: 2,
		Received: amqp.Totals.Requests - 3, Lost: 1, Duplicates: 4, OutOfOrder: 2}
	in := amqp.Integrity
	in.LossRate, in.DuplicateRate, in.OutOfOrderRate = float64(in.Lost)/float64(in.Acknowledged), float64(in.Duplicates)/float64(in.Acknowledged), float64(in.OutOfOrder)/float64(in.Acknowledged)
	rest.Thresholds = []results.Threshold{
		{Expr: "p99<25ms", Metric: "p99", Op: "<", Limit: 25, Actual: rest.Latency.P99MS, Passed: rest.Latency.P99MS < 25},
		{Expr: "error_rate<0.1%", Metric: "error_rate", Op: "<", Limit: 0.001, Actual: rest.Totals.ErrorRate, Passed: rest.Totals.ErrorRate < 0.001},
	}
	amqp.Thresholds = []results.Threshold{
		{Expr: "lost==0", Metric: "lost", Op: "==", Limit: 0, Actual: 1, Passed: false},
		{Expr: "throughput>=1000/s", Metric: "throughput", Op: ">=", Limit: 1000, Actual: amqp.Totals.ThroughputPerS, Passed: amqp.Totals.ThroughputPerS >= 1000},
	}
	f.Workloads = []results.Workload{rest, amqp}
	return f
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
