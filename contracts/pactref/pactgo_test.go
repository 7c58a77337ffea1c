//go:build pact

package pactref

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/message"
	"github.com/pact-foundation/pact-go/v2/provider"
)

// pact-go's Verifier.VerifyProvider takes a *testing.T and fails it when verification fails, and
// v2.4.2 gives no per-interaction result (its verifyProviderRaw is unexported). So the
// verifications run in a child process of this test binary, TestPactGoChild: one child per
// interaction, verifying its one-interaction pact against each provider variant in turn. The
// verdict of each verification is VerifyProvider's error (nil: pass), written to a file; the
// child's own test status (failed as soon as one variant fails) is ignored.

const childJobEnv = "PACTREF_CHILD_JOB"

// variantMarker starts each verification's part of the child's output.
const variantMarker = "=== pactref variant "

// job is the pact-go verifications of one interaction: which interaction of which fixture, the
// provider variants, the one-interaction pact file and where to write the verdicts.
type job struct {
	Provider string   `json:"provider"`
	Desc     string   `json:"desc"`
	Variants []string `json:"variants"`
	PactFile string   `json:"pactFile"`
	Out      string   `json:"out"`
}

type verdict struct {
	Pass  bool   `json:"pass"`
	Error string `json:"error,omitempty"`
}

// TestPactGoChild runs pact-go's provider Verifier for the job named by PACTREF_CHILD_JOB. It is
// skipped unless TestReferenceAgreement starts it.
func TestPactGoChild(t *testing.T) {
	path := os.Getenv(childJobEnv)
	if path == "" {
		t.Skip("child process of TestReferenceAgreement")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j job
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]verdict{}
	for _, name := range j.Variants {
		fmt.Printf("\n%s%s\n", variantMarker, name)
		v, err := verifyWithPactGo(t, j, name)
		if err != nil {
			t.Fatal(err)
		}
		verdicts[name] = v
	}
	raw, _ = json.Marshal(verdicts)
	if err := os.WriteFile(j.Out, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// verifyWithPactGo verifies j's pact against the provider variant named name; an error means
// the verification could not be set up.
func verifyWithPactGo(t *testing.T, j job, name string) (verdict, error) {
	f, hs, ms, v, err := lookup(j.Provider, j.Desc, name)
	if err != nil {
		return verdict{}, err
	}
	req := provider.VerifyRequest{
		Provider:             f.provider,
		PactFiles:            []string{j.PactFile},
		StateHandlers:        stateHandlers(f),
		DisableColoredOutput: true,
		RequestTimeout:       10 * time.Second,
	}
	var srv *httptest.Server
	if hs != nil {
		a, err := build(hs.good, v)
		if err != nil {
			return verdict{}, err
		}
		srv = startProvider(*hs, a)
	} else {
		a, err := build(ms.good, v)
		if err != nil {
			return verdict{}, err
		}
		srv = httptest.NewServer(http.NotFoundHandler()) // messages go through pact-go's /__messages
		req.MessageHandlers = message.Handlers{ms.desc: producer(a)}
	}
	defer srv.Close()
	req.ProviderBaseURL = srv.URL
	if err := provider.NewVerifier().VerifyProvider(t, req); err != nil {
		return verdict{Error: err.Error()}, nil
	}
	return verdict{Pass: true}, nil
}

// lookup finds a fixture's interaction and variant by names.
func lookup(providerName, desc, variantName string) (fixture, *httpSpec, *messageSpec, variant, error) {
	for _, f := range fixtures {
		if f.provider != providerName {
			continue
		}
		for i := range f.http {
			if s := &f.http[i]; s.desc == desc {
				v, err := findVariant(s.variants, variantName)
				return f, s, nil, v, err
			}
		}
		for i := range f.messages {
			if s := &f.messages[i]; s.desc == desc {
				v, err := findVariant(s.variants, variantName)
				return f, nil, s, v, err
			}
		}
	}
	return fixture{}, nil, nil, variant{}, fmt.Errorf("no interaction %q in fixture %q", desc, providerName)
}

func findVariant(vs []variant, name string) (variant, error) {
	if name == correctVariant {
		return variant{name: correctVariant}, nil
	}
	for _, v := range vs {
		if v.name == name {
			return v, nil
		}
	}
	return variant{}, fmt.Errorf("no variant %q", name)
}

// pactGoVerdicts runs TestPactGoChild for j in a child process and returns pact-go's verdict and
// output (pact_ffi's verification report) per variant. An error means the child produced no
// verdicts; it is retried once (pact-go picks its proxy port with a small race).
func pactGoVerdicts(ctx context.Context, dir string, j job) (map[string]verdict, map[string]string, error) {
	var lastErr error
	for attempt := range 2 {
		j.Out = filepath.Join(dir, fmt.Sprintf("verdicts-%d.json", attempt))
		jobFile := filepath.Join(dir, fmt.Sprintf("job-%d.json", attempt))
		raw, _ := json.Marshal(j)
		if err := os.WriteFile(jobFile, raw, 0o644); err != nil {
			return nil, nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestPactGoChild$", "-test.count=1", "-test.timeout=2m")
		cmd.Env = append(os.Environ(), childJobEnv+"="+jobFile, "PACT_DO_NOT_TRACK=true")
		output, _ := cmd.CombinedOutput() // the child fails as soon as one variant fails verification
		cancel()
		outputs := splitOutput(string(output))
		raw, err := os.ReadFile(j.Out)
		if err != nil {
			lastErr = fmt.Errorf("the child wrote no verdicts:\n%s", tail(string(output), 40))
			continue
		}
		var verdicts map[string]verdict
		if err := json.Unmarshal(raw, &verdicts); err != nil {
			return nil, nil, err
		}
		for name, v := range verdicts {
			if f := failures(outputs[name]); f != "" {
				v.Error = f
				verdicts[name] = v
			}
		}
		return verdicts, outputs, nil
	}
	return nil, nil, lastErr
}

// splitOutput cuts the child's output at the variant markers.
func splitOutput(output string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(output, "\n"+variantMarker)
	for _, p := range parts[1:] {
		name, rest, _ := strings.Cut(p, "\n")
		out[name] = rest
	}
	return out
}

// failures extracts the "Failures:" section of pact_ffi's verification report (the mismatches),
// or "" when there is none.
func failures(output string) string {
	_, after, ok := strings.Cut(output, "\nFailures:\n")
	if !ok {
		return ""
	}
	if before, _, ok := strings.Cut(after, "\nThere were"); ok {
		after = before
	}
	return strings.TrimSpace(after)
}
