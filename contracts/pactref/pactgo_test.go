//go:build pact

package pactref

import (
	"context"
	"encoding/json"
	"errors"
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
// v2.4.2 gives no per-interaction result (its verifyProviderRaw is unexported). So every
// (interaction, variant) verification runs in a child process of this test binary,
// TestPactGoChild, on a one-interaction pact; the child writes its verdict to a file.

const childJobEnv = "PACTREF_CHILD_JOB"

// job is one pact-go verification: which interaction of which fixture, which provider variant,
// the one-interaction pact file and where to write the verdict.
type job struct {
	Provider string `json:"provider"`
	Desc     string `json:"desc"`
	Variant  string `json:"variant"`
	PactFile string `json:"pactFile"`
	Out      string `json:"out"`
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
	f, hs, ms, v, err := lookup(j.Provider, j.Desc, j.Variant)
	if err != nil {
		t.Fatal(err)
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
			t.Fatal(err)
		}
		srv = startProvider(*hs, a)
	} else {
		a, err := build(ms.good, v)
		if err != nil {
			t.Fatal(err)
		}
		srv = httptest.NewServer(http.NotFoundHandler()) // messages go through pact-go's /__messages
		req.MessageHandlers = message.Handlers{ms.desc: producer(a)}
	}
	defer srv.Close()
	req.ProviderBaseURL = srv.URL

	verr := provider.NewVerifier().VerifyProvider(t, req)
	out := verdict{Pass: verr == nil}
	if verr != nil {
		out.Error = verr.Error()
	}
	raw, _ = json.Marshal(out)
	if err := os.WriteFile(j.Out, raw, 0o644); err != nil {
		t.Fatal(err)
	}
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

// pactGoVerdict runs TestPactGoChild for j in a child process and returns pact-go's verdict and
// the child's output (pact_ffi's verification report). An error means the child could not
// produce a verdict (it is retried once: pact-go picks its proxy port with a small race).
func pactGoVerdict(ctx context.Context, dir string, j job) (verdict, string, error) {
	var lastErr error
	var output []byte
	for attempt := range 2 {
		j.Out = filepath.Join(dir, fmt.Sprintf("verdict-%d.json", attempt))
		jobFile := filepath.Join(dir, fmt.Sprintf("job-%d.json", attempt))
		raw, _ := json.Marshal(j)
		if err := os.WriteFile(jobFile, raw, 0o644); err != nil {
			return verdict{}, "", err
		}
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestPactGoChild$", "-test.count=1", "-test.timeout=60s", "-test.v")
		cmd.Env = append(os.Environ(), childJobEnv+"="+jobFile, "PACT_DO_NOT_TRACK=true")
		output, _ = cmd.CombinedOutput() // a failing verification makes the child exit 1
		cancel()
		raw, err := os.ReadFile(j.Out)
		if err == nil {
			var v verdict
			if err := json.Unmarshal(raw, &v); err != nil {
				return verdict{}, string(output), err
			}
			if f := failures(string(output)); f != "" {
				v.Error = f
			}
			return v, string(output), nil
		}
		lastErr = errors.New("the child wrote no verdict")
	}
	return verdict{}, string(output), lastErr
}
