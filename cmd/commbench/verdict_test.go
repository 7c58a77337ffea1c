package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/internal/tcpproxy"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// peer is an in-process HTTP target: /nope answers 404 at once, /slow after 50 ms, /hang never
// (until the client goes away). It counts what it served and what it has in flight.
type peer struct {
	*httptest.Server
	served, inflight atomic.Int64
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.inflight.Add(1)
		defer p.inflight.Add(-1)
		switch r.URL.Path {
		case "/slow":
			time.Sleep(50 * time.Millisecond)
			p.served.Add(1)
			io.WriteString(w, "ok")
		case "/hang":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

func resultsOf(t *testing.T, path string) *results.File {
	t.Helper()
	f, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestVerdictFailingTarget: every request answers 404 (the issue's `bench rest --path /nope`,
// which passed, even with p99<50ms): exit 1, the latency percentiles are of successes (none),
// the failures have their own latency, the default thresholds are marked default.
func TestVerdictFailingTarget(t *testing.T) {
	p := newPeer(t)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runCLI(t, nil, "bench", "rest", "--url", p.URL, "--path", "/nope", "-d", "500ms", "-c", "2", "-q", "--threshold", "p99<50ms", "--out", out)
	if code != exitcode.Failed || !strings.Contains(stderr, "succeeded>0") {
		t.Fatalf("exit %d, want 1 (no success)\n%s\n%s", code, stdout, stderr)
	}
	w := resultsOf(t, out).Workloads[0]
	if w.Latency != nil || w.FailedLatency == nil || w.FailedLatency.Count != w.Totals.Errors || w.Totals.Succeeded != 0 {
		t.Fatalf("latency %+v failed latency %+v totals %+v", w.Latency, w.FailedLatency, w.Totals)
	}
	var defaults []string
	for _, th := range w.Thresholds {
		if th.Passed {
			t.Errorf("threshold %+v passed on a target that only fails", th)
		}
		if th.Default {
			defaults = append(defaults, th.Expr)
		}
	}
	if strings.Join(defaults, " ") != "error_rate<1% succeeded>0" || !strings.Contains(stdout, "[default]") {
		t.Fatalf("defaults %v, summary:\n%s", defaults, stdout)
	}
}

// TestVerdictOpenModelFellBehind: 2000/s asked of 4 workers against a target answering in 50 ms
// (the run that lasted 76.7 s and reported 2000/s): the run ends on time, reports the
// target rate and the achieved throughput (within 10% of what the server served over the
// measured time), says it fell behind, and dropped==0 fails it.
func TestVerdictOpenModelFellBehind(t *testing.T) {
	p := newPeer(t)
	out := filepath.Join(t.TempDir(), "r.json")
	began := time.Now()
	code, stdout, stderr := runCLI(t, nil, "bench", "rest", "--url", p.URL, "--path", "/slow", "--rate", "2000/s", "--max-in-flight", "4",
		"-d", "1s", "--drain", "500ms", "-q", "--threshold", "dropped==0", "--out", out)
	if took := time.Since(began); took > 6*time.Second {
		t.Fatalf("run took %v, want about 1 s", took)
	}
	if code != exitcode.Failed || !strings.Contains(stderr, "dropped==0") {
		t.Fatalf("exit %d, want 1 (dropped==0 breached)\n%s", code, stderr)
	}
	w := resultsOf(t, out).Workloads[0]
	served := float64(p.served.Load())
	if want := served / w.DurationS; w.RatePerS != 2000 || math.Abs(w.Totals.ThroughputPerS-want) > 0.1*want {
		t.Fatalf("rate %v throughput %.1f/s, want 2000 and %.1f/s (server count %v over %.2f s)", w.RatePerS, w.Totals.ThroughputPerS, want, served, w.DurationS)
	}
	if !w.FellBehind || !strings.Contains(stdout, "target rate 2000/s") || !strings.Contains(stdout, "Fell behind the target rate") {
		t.Fatalf("fell behind %v, summary:\n%s", w.FellBehind, stdout)
	}
}

// TestVerdictSecondInterrupt: a target that never answers, a 30 s drain; the first interrupt
// (ctx cancelled) would wait for the drain, the second (bench.WithAbort) stops at once: Execute
// returns within 2 s with every output written, marked interrupted, exit 3, and the requests
// that were in flight counted as canceled, as many as the server had.
func TestVerdictSecondInterrupt(t *testing.T) {
	p := newPeer(t)
	dir := t.TempDir()
	out, html := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort := make(chan struct{})
	var seen atomic.Int64
	abortedAt := make(chan time.Time, 1)
	go func() {
		time.Sleep(400 * time.Millisecond)
		cancel()
		time.Sleep(200 * time.Millisecond)
		seen.Store(p.inflight.Load())
		abortedAt <- time.Now()
		close(abort)
	}()
	var stdout, stderr bytes.Buffer
	code := Execute(bench.WithAbort(ctx, abort), []string{"bench", "rest", "--url", p.URL, "--path", "/hang", "-c", "3", "-d", "1m", "--drain", "30s", "-q",
		"--http-client", "net", "--out", out, "--html", html}, nil, strings.NewReader(""), &stdout, &stderr)
	inflight := seen.Load()
	if took := time.Since(<-abortedAt); took > 2*time.Second {
		t.Fatalf("outputs written %v after the second interrupt, want within 2 s", took)
	}
	if code != exitcode.Unavailable {
		t.Fatalf("exit %d, want 3\n%s", code, stderr.String())
	}
	f := resultsOf(t, out)
	w := f.Workloads[0]
	if !f.Run.Interrupted || !w.Interrupted || inflight != 3 || w.Totals.Canceled != inflight || w.Totals.Requests != inflight {
		t.Fatalf("interrupted %v; server had %d in flight; totals %+v", f.Run.Interrupted, inflight, w.Totals)
	}
	if b, err := os.ReadFile(html); err != nil || !bytes.Contains(b, []byte("interrupted")) {
		t.Fatalf("HTML report: %v", err)
	}
}

// TestCrashExitCode: a panic is recovered into exit 70 with a message asking to report it.
func TestCrashExitCode(t *testing.T) {
	var stderr bytes.Buffer
	code := guard(&stderr, func() int { panic("index out of range [3] with length 3") })
	if code != exitcode.Crash || code == 1 || code == 2 || code == 3 {
		t.Fatalf("exit %d, want %d", code, exitcode.Crash)
	}
	if s := stderr.String(); !strings.Contains(s, "commbench crashed: index out of range") || !strings.Contains(s, "Please report it") {
		t.Fatalf("stderr %q", s)
	}
	if code := guard(&stderr, func() int { return 1 }); code != 1 {
		t.Fatalf("guard changed exit 1 into %d", code)
	}
}

// TestVerdictIntegrityBreachExits1: publish-consume on the real RabbitMQ with the consumer bound
// to another routing key: every acknowledged message is lost; lost==0 is breached and the
// command exits 1 (it exited 3, "drain cut short").
func TestVerdictIntegrityBreachExits1(t *testing.T) {
	run := uuid.NewString()
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runCLI(t, nil, "bench", "amqp", "--url", testenv.AMQPURL(t), "--route", "amq.topic/commbench.breach."+run,
		"--subscribe", "amq.topic/commbench.breach.other."+run, "-n", "50", "--drain", "500ms", "-q", "--threshold", "lost==0", "--out", out)
	if code != exitcode.Failed || !strings.Contains(stderr, "lost==0") {
		t.Fatalf("exit %d, want 1 (lost==0 breached)\n%s", code, stderr)
	}
	if in := resultsOf(t, out).Workloads[0].Integrity; in == nil || in.Lost != 50 || in.Acknowledged != 50 {
		t.Fatalf("integrity %+v, want 50 acknowledged and lost", in)
	}
}

// TestVerdictBrokerCutExits1: `bench amqp` through a TCP proxy in front of the real RabbitMQ,
// every connection cut 500 ms into a 1.5 s run (the reset that passed with 65.9% of
// publishes failed): both connections are re-established, the failed publishes are counted, and
// the run exits 1 (connections_lost==0 by default), its figures written.
func TestVerdictBrokerCutExits1(t *testing.T) {
	u, err := url.Parse(testenv.AMQPURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.Start(nil, u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	u.Host = p.Addr()
	go func() {
		time.Sleep(500 * time.Millisecond)
		p.Cut()
	}()
	run := uuid.NewString()
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runCLI(t, nil, "bench", "amqp", "--url", u.String(), "--route", "amq.topic/commbench.cut."+run, "--rate", "300/s",
		"-d", "1500ms", "--drain", "1s", "-q", "--out", out)
	if code != exitcode.Failed || !strings.Contains(stderr, "connections_lost==0") {
		t.Fatalf("exit %d, want 1 (connections_lost==0 breached)\n%s", code, stderr)
	}
	w := resultsOf(t, out).Workloads[0]
	if in := w.Integrity; in == nil || in.ConnectionsLost != 2 || in.Reconnects != 2 || w.Totals.Errors == 0 || w.Totals.Requests != w.Totals.Succeeded+w.Totals.Errors {
		t.Fatalf("integrity %+v totals %+v errors %v", w.Integrity, w.Totals, w.Errors)
	}
}
