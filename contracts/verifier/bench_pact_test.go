//go:build pact

package verifier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/internal/testenv"
)

// pact-go's Verifier.VerifyProvider needs a *testing.T (a benchmark has a *testing.B), prints
// its verification report on stdout and fails the test on any mismatch. So, as in
// contracts/pactref, it runs in a child process of this test binary, TestPactGoVerifyBenchChild,
// which times VerifyProvider alone and writes the duration and verdict to a file; the benchmark
// keeps the child's output only to show it when the verification fails.

const pactGoBenchJobEnv = "COMMBENCH_PACTGO_BENCH_JOB"

// pactGoBenchJob is one pact-go verification: the pact file, the provider and its state change
// URL, and where to write the outcome.
type pactGoBenchJob struct {
	PactFile string `json:"pactFile"`
	BaseURL  string `json:"baseURL"`
	StateURL string `json:"stateURL"`
	Out      string `json:"out"`
}

type pactGoBenchOutcome struct {
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

// TestPactGoVerifyBenchChild runs pact-go's provider verification for the job named by
// COMMBENCH_PACTGO_BENCH_JOB; skipped unless BenchmarkVerify1000HTTPVersusPactGo starts it.
// ProviderStatesSetupURL points pact_ffi at the provider's own state endpoint, so both verifiers
// make the same state change calls (setup and teardown, JSON body).
func TestPactGoVerifyBenchChild(t *testing.T) {
	var j pactGoBenchJob
	testenv.ChildJob(t, pactGoBenchJobEnv, &j)
	t.Setenv("PACT_DO_NOT_TRACK", "true")
	start := time.Now()
	err := provider.NewVerifier().VerifyProvider(t, provider.VerifyRequest{
		Provider:               "orders-api",
		ProviderBaseURL:        j.BaseURL,
		PactFiles:              []string{j.PactFile},
		ProviderStatesSetupURL: j.StateURL,
		DisableColoredOutput:   true,
		RequestTimeout:         10 * time.Second,
	})
	out := pactGoBenchOutcome{Seconds: time.Since(start).Seconds()}
	if err != nil {
		out.Error = err.Error()
	}
	raw, _ := json.Marshal(out)
	if err := os.WriteFile(j.Out, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runPactGo verifies pactFile with pact-go in a child process and returns how long
// VerifyProvider took. An error means pact-go did not pass every interaction (with the tail of
// its report) or the child did not run.
func runPactGo(ctx context.Context, dir string, j pactGoBenchJob) (time.Duration, error) {
	j.Out = filepath.Join(dir, "outcome.json")
	_ = os.Remove(j.Out)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	output, runErr := testenv.RunChild(cctx, dir, "TestPactGoVerifyBenchChild", pactGoBenchJobEnv, j)
	raw, err := os.ReadFile(j.Out)
	if err != nil {
		return 0, fmt.Errorf("pact-go child wrote no outcome (%v):\n%s", runErr, tailLines(string(output), 40))
	}
	var o pactGoBenchOutcome
	if err := json.Unmarshal(raw, &o); err != nil {
		return 0, err
	}
	if o.Error != "" || runErr != nil {
		return 0, fmt.Errorf("pact-go verification failed: %s (%v):\n%s", o.Error, runErr, tailLines(string(output), 60))
	}
	return time.Duration(o.Seconds * float64(time.Second)), nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// commbenchRounds is how many times commbench verifies the pact per operation: pact-go takes
// about a hundred times longer, so one commbench round alone would be a noisy figure.
const commbenchRounds = 5

// BenchmarkVerify1000HTTPVersusPactGo verifies the 1,000-interaction pact of
// BenchmarkVerify1000HTTP with commbench and with pact-go v2 (libpact_ffi), against the same
// in-process provider and state change endpoint, both from the pact file on disk: commbench's
// time is contracts.Load plus verifier.Verify, pact-go's is VerifyProvider (its proxy start, pact
// loading and verification; not the child process start). Each operation is commbenchRounds
// verifications by commbench and one by pact-go. Reported: interactions/s of each and
// commbench/pactgo, their ratio.
//
// Both make one setup and one teardown call per provider state; pact_ffi also makes them, with
// an empty state name, for the 200 interactions that have no provider state (commbench makes
// none), and opens new connections for each interaction where commbench keeps them alive
// across the run.
func BenchmarkVerify1000HTTPVersusPactGo(b *testing.B) {
	s := newBenchSetup(b, benchInteractions)
	dir := b.TempDir()
	pactFile := filepath.Join(dir, "shop-web-orders-api.json")
	if err := os.WriteFile(pactFile, s.pactJSON, 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	cfg := s.config()
	job := pactGoBenchJob{PactFile: pactFile, BaseURL: s.srv.URL, StateURL: cfg.StateChangeURL}
	var ours, theirs time.Duration
	for b.Loop() {
		for range commbenchRounds {
			start := time.Now()
			pacts, err := contracts.Load(ctx, pactFile, contracts.LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			v, err := verifier.Verify(ctx, cfg, pacts)
			ours += time.Since(start)
			checkAllPassed(b, v, err, benchInteractions)
		}

		d, err := runPactGo(ctx, dir, job)
		if err != nil {
			b.Fatal(err)
		}
		theirs += d
	}
	n := float64(b.N * benchInteractions)
	cb, pg := commbenchRounds*n/ours.Seconds(), n/theirs.Seconds()
	b.ReportMetric(cb, "commbench-interactions/s")
	b.ReportMetric(pg, "pactgo-interactions/s")
	b.ReportMetric(cb/pg, "commbench/pactgo")
	b.Logf("%d interactions x %d: commbench %.0f interactions/s, pact-go %.0f interactions/s, ratio commbench/pact-go %.2f", benchInteractions, b.N, cb, pg, cb/pg)
}
