//go:build pact

package pactref

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/results"
)

// knownDifferences lists (provider/description/variant) cases where commbench's verdict is known
// to differ from pact-go's: they are logged, not failed, until contracts/matching is fixed; an
// entry that agrees again is logged so it can be removed.
var knownDifferences = map[string]string{}

// refCase is one (interaction, provider variant) pair judged by both implementations.
type refCase struct {
	fixture  fixture
	http     *httpSpec
	message  *messageSpec
	desc     string
	variant  variant
	pactFile string // one-interaction pact for pact-go
	interact *contracts.Interaction

	pactGo    verdict
	pactGoOut string
	commbench verdict
	err       error
}

func (c *refCase) key() string { return c.fixture.provider + "/" + c.desc + "/" + c.variant.name }

// TestReferenceAgreement verifies every interaction of the reference pacts against every variant
// of its provider with pact-go's provider Verifier and with commbench's matcher, and requires the
// same pass/fail verdict. It also requires at least 30 interactions, the correct providers to
// pass and at least a third of the verifications to fail.
func TestReferenceAgreement(t *testing.T) {
	dir := t.TempDir()
	var cases []*refCase
	interactions := 0
	for _, f := range fixtures {
		path := filepath.Join(referenceDir, f.file())
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := contracts.Parse(raw, path)
		if err != nil {
			t.Fatalf("commbench cannot load %s: %v", path, err)
		}
		files, err := splitPact(raw, filepath.Join(dir, f.provider))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		add := func(desc string, hs *httpSpec, ms *messageSpec, vs []variant) {
			interactions++
			seen := map[string]bool{correctVariant: true}
			for _, v := range vs {
				if seen[v.name] {
					t.Fatalf("%s/%s: variant %q appears twice (the child process finds variants by name)", f.provider, desc, v.name)
				}
				seen[v.name] = true
			}
			it := findInteraction(p, desc)
			if it == nil || files[desc] == "" {
				t.Fatalf("%s has no interaction %q: regenerate the reference pacts", path, desc)
			}
			for _, v := range append([]variant{{name: correctVariant}}, vs...) {
				cases = append(cases, &refCase{fixture: f, http: hs, message: ms, desc: desc, variant: v, pactFile: files[desc], interact: it})
			}
		}
		for i := range f.http {
			add(f.http[i].desc, &f.http[i], nil, f.http[i].variants)
		}
		for i := range f.messages {
			add(f.messages[i].desc, nil, &f.messages[i], f.messages[i].variants)
		}
	}

	// One child process per interaction (all its variants), a few at a time.
	byInteraction := map[string][]*refCase{}
	var order []string
	for _, c := range cases {
		k := c.fixture.provider + "/" + c.desc
		if byInteraction[k] == nil {
			order = append(order, k)
		}
		byInteraction[k] = append(byInteraction[k], c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(3, runtime.GOMAXPROCS(0)+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				judge(ctx, filepath.Join(dir, "jobs", fmt.Sprint(i)), byInteraction[order[i]])
			}
		}()
	}
	for i := range order {
		work <- i
	}
	close(work)
	wg.Wait()

	report(t, cases, interactions)
}

// judge gets pact-go's and commbench's verdicts for the variants of one interaction.
func judge(ctx context.Context, dir string, cs []*refCase) {
	setErr := func(err error) {
		for _, c := range cs {
			c.err = err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		setErr(err)
		return
	}
	j := job{Provider: cs[0].fixture.provider, Desc: cs[0].desc, PactFile: cs[0].pactFile}
	for _, c := range cs {
		j.Variants = append(j.Variants, c.variant.name)
	}
	verdicts, outputs, err := pactGoVerdicts(ctx, dir, j)
	if err != nil {
		setErr(err)
		return
	}
	for _, c := range cs {
		v, ok := verdicts[c.variant.name]
		if !ok {
			c.err = fmt.Errorf("pact-go gave no verdict")
			continue
		}
		c.pactGo, c.pactGoOut = v, outputs[c.variant.name]
		c.commbench, c.err = commbenchVerdict(ctx, c)
	}
}

// report prints the verdict table and the counts, and fails on disagreements and unmet quotas.
func report(t *testing.T, cases []*refCase, interactions int) {
	t.Helper()
	var table strings.Builder
	fmt.Fprintf(&table, "%-18s %-42s %-50s %-7s %-9s %s\n", "provider", "interaction", "variant", "pact-go", "commbench", "agree")
	agree, failing, known := 0, 0, 0
	for _, c := range cases {
		if c.err != nil {
			t.Errorf("%s: %v\n%s", c.key(), c.err, tail(c.pactGoOut, 40))
			continue
		}
		if !c.pactGo.Pass {
			failing++
		}
		same := c.pactGo.Pass == c.commbench.Pass
		mark := "yes"
		switch {
		case same:
			agree++
			if knownDifferences[c.key()] != "" {
				t.Logf("known difference %s now agrees (%s): remove it from knownDifferences", c.key(), word(c.pactGo.Pass))
			}
		case knownDifferences[c.key()] != "":
			known++
			mark = "KNOWN"
			t.Logf("known difference %s: pact-go %s, commbench %s: %s\n  pact-go: %s\n  commbench: %s", c.key(), word(c.pactGo.Pass),
				word(c.commbench.Pass), knownDifferences[c.key()], oneLine(c.pactGo.Error), oneLine(c.commbench.Error))
		default:
			mark = "NO"
			t.Errorf("disagreement on %s: pact-go %s, commbench %s\ncommbench: %s\npact-go: %s\n%s",
				c.key(), word(c.pactGo.Pass), word(c.commbench.Pass), c.commbench.Error, c.pactGo.Error, tail(c.pactGoOut, 40))
		}
		if c.variant.name == correctVariant && !c.pactGo.Pass {
			t.Errorf("fixture bug: the correct provider of %s/%s fails pact-go's verification:\n%s", c.fixture.provider, c.desc, tail(c.pactGoOut, 40))
		}
		fmt.Fprintf(&table, "%-18s %-42s %-50s %-7s %-9s %s\n", c.fixture.provider, trunc(c.desc, 42), trunc(c.variant.name, 50), word(c.pactGo.Pass), word(c.commbench.Pass), mark)
	}
	t.Logf("verdicts per (interaction, provider variant):\n%s", table.String())
	t.Logf("reference check: %d interactions, %d verifications, %d expected to fail (pact-go), %d agreements, %d known differences, %d disagreements",
		interactions, len(cases), failing, agree, known, len(cases)-agree-known)
	if interactions < 30 {
		t.Errorf("only %d interactions in the reference pacts, want at least 30", interactions)
	}
	if failing*3 < len(cases) {
		t.Errorf("only %d of %d verifications fail, want at least a third", failing, len(cases))
	}
}

func oneLine(s string) string {
	if s == "" {
		return "(no mismatch)"
	}
	return strings.Join(strings.Fields(s), " ")
}

func word(pass bool) string {
	if pass {
		return "pass"
	}
	return "FAIL"
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// splitPact writes one pact file per interaction (same top-level fields, one interaction) into
// dir and returns description -> file.
func splitPact(raw []byte, dir string) (map[string]string, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	key := "interactions"
	if _, ok := doc[key]; !ok {
		key = "messages"
	}
	list, _ := doc[key].([]any)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{}
	for i, it := range list {
		m, _ := it.(map[string]any)
		desc, _ := m["description"].(string)
		if _, dup := files[desc]; dup {
			return nil, fmt.Errorf("interaction %q appears twice", desc)
		}
		doc[key] = []any{it}
		out, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, fmt.Sprintf("%02d.json", i))
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		files[desc] = abs
	}
	return files, nil
}

func findInteraction(p *contracts.Pact, desc string) *contracts.Interaction {
	for _, it := range p.Interactions {
		if it.Description == desc {
			return it
		}
	}
	return nil
}

// commbenchVerdict judges c with commbench: for HTTP it sends the contract's request to the
// variant's provider and matches the response with contracts.MatchResponse; for a message it
// calls the variant's producer and matches with contracts.MatchMessage.
func commbenchVerdict(ctx context.Context, c *refCase) (verdict, error) {
	var mismatches []results.Mismatch
	if c.http != nil {
		a, err := build(c.http.good, c.variant)
		if err != nil {
			return verdict{}, err
		}
		srv := startProvider(*c.http, a)
		defer srv.Close()
		got, err := send(ctx, srv.URL, c.interact.Request)
		if err != nil {
			return verdict{}, err
		}
		mismatches = contracts.MatchResponse(c.interact.Response, got)
	} else {
		a, err := build(c.message.good, c.variant)
		if err != nil {
			return verdict{}, err
		}
		body, md, err := producer(a)(nil)
		if err != nil {
			return verdict{}, err
		}
		ct, _ := md["contentType"].(string)
		mismatches = contracts.MatchMessage(c.interact.Message, contracts.NewBody(body.([]byte), ct), md)
	}
	v := verdict{Pass: len(mismatches) == 0}
	var msgs []string
	for _, m := range mismatches {
		msgs = append(msgs, fmt.Sprintf("[%s %s] %s", m.Category, m.Path, m.Message))
	}
	sort.Strings(msgs)
	v.Error = strings.Join(msgs, "; ")
	return v, nil
}

// send issues the contract's request (method, path, query, headers, body) to base and returns
// the response in commbench's model.
func send(ctx context.Context, base string, r *contracts.Request) (*contracts.Response, error) {
	u, err := url.Parse(base + r.Path)
	if err != nil {
		return nil, err
	}
	u.RawQuery = url.Values(r.Query).Encode()
	var body io.Reader
	if r.Body.State == contracts.BodyPresent {
		body = bytes.NewReader(r.Body.Content)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &contracts.Response{
		Status:  resp.StatusCode,
		Headers: map[string][]string(resp.Header),
		Body:    contracts.NewBody(raw, resp.Header.Get("Content-Type")),
	}, nil
}
