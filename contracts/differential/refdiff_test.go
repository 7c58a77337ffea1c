package differential

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// pactCLI returns the reference CLI: $COMMBENCH_PACT_CLI, else .tools/pact/bin/pact from the
// module root. Absent, the test skips (fails under CI=true).
func pactCLI(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("COMMBENCH_PACT_CLI")
	if bin == "" {
		bin = filepath.Join(testenv.ModuleRoot(t), ".tools", "pact", "bin", "pact")
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "Pact's reference CLI not found at " + bin + ": install it with scripts/install-pact-cli.sh " +
			"(npm package @pact-foundation/pact-cli-linux-x64@18.1.2) or set COMMBENCH_PACT_CLI"
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// pactFiles lists every pact of testdata/pacts (recursively) and of the shared real pacts.
func pactFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	root := filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	real, err := filepath.Glob(testenv.SharedFile(t, "real-pacts", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return append(files, real...)
}

// scope says whether both verifiers can verify an interaction here, and if not why.
func scope(in *contracts.Interaction) (string, bool) {
	if in.Transport == "grpc" || in.PluginConfiguration["protobuf"] != nil {
		return "gRPC/Protobuf interaction: the reference CLI verifies it only through Pact's protobuf plugin, not installed", false
	}
	return "", true
}

// verdict is one verifier's judgement of one interaction: pass or not, and the mismatch keys
// ("status", "header:content-type", "body:$.items[0].qty", "body-type", "error: ...").
type verdict struct {
	pass bool
	keys []string
}

func (v verdict) String() string {
	if v.pass {
		return "pass"
	}
	if len(v.keys) == 0 {
		return "FAIL"
	}
	return "FAIL " + strings.Join(v.keys, " ")
}

// TestReferenceVerifierAgreement runs both verifiers on every pact against the example provider
// and its broken variants, and prints the table of both verdicts and the totals.
func TestReferenceVerifierAgreement(t *testing.T) {
	cli := pactCLI(t)
	files := pactFiles(t)
	root := testenv.ModuleRoot(t)
	certs := caFile(t)
	type total struct{ agree, disagree, quirk, outOfScope int }
	totals := map[string]*total{}
	var order []string
	for _, file := range files {
		name := filepath.Join("shared", filepath.Base(filepath.Dir(file)), filepath.Base(file))
		if strings.HasPrefix(file, root) {
			name, _ = filepath.Rel(root, file)
		}
		pacts, err := contracts.Load(context.Background(), file, contracts.LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		p := pacts[0]
		tot := &total{}
		totals[name] = tot
		order = append(order, name)
		var table bytes.Buffer
		tw := tabwriter.NewWriter(&table, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "variant\tinteraction\tpact verifier\tcommbench\t\n")
		inScope := 0
		for _, in := range p.Interactions {
			if why, ok := scope(in); !ok {
				tot.outOfScope++
				fmt.Fprintf(tw, "-\t%s\tout of scope: %s\t\t\n", in.Description, why)
			} else {
				inScope++
			}
		}
		vs := variants
		if filepath.Base(file) == "reference-quirks.json" {
			vs = variants[:1] // the reference quirks: the correct provider is the point
		}
		if inScope == 0 {
			vs = nil
		}
		var ref map[string]map[int]verdict
		if len(vs) > 0 {
			ref, err = runReference(t, cli, certs, file, p, vs)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
		}
		for _, v := range vs {
			cb, err := runCommbench(p, v)
			if err != nil {
				t.Errorf("%s, %s: %v", name, v.name, err)
				continue
			}
			for i, in := range p.Interactions {
				if _, ok := scope(in); !ok {
					continue
				}
				r, c := ref[v.name][i], cb[i]
				mark := ""
				if q := quirkOf(name, in, v.name); q != nil {
					if err := q.check(r, c); err != nil {
						t.Errorf("%s, %s, %q: the documented reference quirk (%s) is not seen: %v", name, v.name, in.Description, q.why, err)
						mark = "QUIRK NOT SEEN: " + q.why
						tot.disagree++
					} else {
						mark = "reference quirk, commbench follows the specification: " + q.why
						tot.quirk++
					}
				} else if r.String() == c.String() {
					tot.agree++
				} else {
					tot.disagree++
					mark = "DISAGREE"
					t.Errorf("%s, %s, %q: pact verifier %s, commbench %s", name, v.name, in.Description, r, c)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.name, in.Description, r, c, mark)
			}
		}
		_ = tw.Flush()
		t.Logf("%s\n%s", name, table.String())
	}
	var summary strings.Builder
	fmt.Fprintf(&summary, "totals (verdicts per interaction and provider variant):\n")
	tw := tabwriter.NewWriter(&summary, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "pact\tagree\tdisagree\treference quirk\tout of scope\t\n")
	var all total
	for _, n := range order {
		x := totals[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", n, x.agree, x.disagree, x.quirk, x.outOfScope)
		all.agree += x.agree
		all.disagree += x.disagree
		all.quirk += x.quirk
		all.outOfScope += x.outOfScope
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%d\t%d\t\n", all.agree, all.disagree, all.quirk, all.outOfScope)
	_ = tw.Flush()
	t.Log(summary.String())
	if all.agree == 0 {
		t.Error("no verdict compared")
	}
}

// caFile writes a one-certificate CA bundle for the reference CLI's SSL_CERT_FILE: it builds an
// HTTP client per interaction and loading the system's roots each time costs it ~150 ms per
// interaction; every provider here is plain HTTP, so one (generated) root is enough.
func caFile(t *testing.T) string {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runReference verifies the pact file once per variant in ONE reference CLI process (the file is
// given once per variant; the provider switches variant every len(p.Interactions) interactions)
// and returns the verdicts by variant name and interaction index.
func runReference(t *testing.T, cli, certs, file string, p *contracts.Pact, vs []variant) (map[string]map[int]verdict, error) {
	per := len(p.Interactions)
	srv := startProvider(p, func(n int) variant { return vs[min(n/per, len(vs)-1)] })
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	out := filepath.Join(dir, "pact-verifier.json")
	args := []string{"verifier", "--hostname", u.Hostname(), "--port", u.Port(),
		"--state-change-url", srv.URL + statePath, "--state-change-teardown", "--json", out, "--no-colour",
		"--request-timeout", "10000"}
	for range vs {
		args = append(args, "--file", file)
	}
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "SSL_CERT_FILE="+certs)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	_ = cmd.Run()                                                     // exit 1 when an interaction fails: the report says which
	if dump := os.Getenv("COMMBENCH_DIFFERENTIAL_DUMP"); dump != "" { // keep the reports to read them
		raw, _ := os.ReadFile(out)
		_ = os.WriteFile(filepath.Join(dump, filepath.Base(file)), raw, 0o644)
	}
	got, err := readReport(out, p, vs)
	if err != nil {
		return nil, fmt.Errorf("pact verifier: %w\n%s", err, stdout.String())
	}
	return got, nil
}

// runCommbench verifies the pact with commbench against the example provider broken by v.
func runCommbench(p *contracts.Pact, v variant) (map[int]verdict, error) {
	srv := startProvider(p, func(int) variant { return v })
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := rest.New().Open(ctx, drivers.Target{Address: srv.URL, RequestTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	cfg := verifier.Config{
		HTTP:           conn.(drivers.Requester),
		StateChangeURL: srv.URL + statePath, StateTeardown: true,
		Messages: verifier.NewMessages(verifier.MessageConfig{ProviderURL: srv.URL, Timeout: 5 * time.Second}),
	}
	res, err := verifier.Verify(ctx, cfg, []*contracts.Pact{p})
	if err != nil {
		return nil, fmt.Errorf("commbench: %w", err)
	}
	cb := map[int]verdict{}
	for i, r := range res.Interactions {
		cb[i] = commbenchVerdict(r)
	}
	return cb, nil
}

// report is the part of `pact verifier --json` read here.
type report struct {
	Errors             []reportError `json:"errors"`
	PendingErrors      []reportError `json:"pendingErrors"`
	InteractionResults []struct {
		Description string `json:"description"`
		Result      string `json:"result"`
	} `json:"interactionResults"`
}

type reportError struct {
	Interaction string `json:"interaction"`
	Mismatch    struct {
		Type       string           `json:"type"`
		Message    string           `json:"message"`
		Mismatches []map[string]any `json:"mismatches"`
	} `json:"mismatch"`
}

// readReport reads the reference's JSON report of len(vs) passes over p and returns the
// verdicts by variant and interaction index: the k-th result is pass k/len(p.Interactions),
// interaction k%len(p.Interactions) (its description is checked); the failures' mismatches
// are the next entry of errors (pendingErrors for a pending interaction) naming it.
func readReport(path string, p *contracts.Pact, vs []variant) (map[string]map[int]verdict, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, err
	}
	per := len(p.Interactions)
	if len(rep.InteractionResults) != per*len(vs) {
		return nil, fmt.Errorf("%d results, want %d interactions x %d variants", len(rep.InteractionResults), per, len(vs))
	}
	out := map[string]map[int]verdict{}
	queues := map[bool][]reportError{false: rep.Errors, true: rep.PendingErrors}
	for k, r := range rep.InteractionResults {
		v, i := vs[k/per], k%per
		in := p.Interactions[i]
		if r.Description != in.Description {
			return nil, fmt.Errorf("result %d is for %q, want %q: the reference verified the interactions in another order", k, r.Description, in.Description)
		}
		if out[v.name] == nil {
			out[v.name] = map[int]verdict{}
		}
		if r.Result == "OK" {
			out[v.name][i] = verdict{pass: true}
			continue
		}
		var got verdict
		q := queues[in.Pending]
		for j, e := range q {
			if !strings.HasSuffix(e.Interaction, " - "+in.Description) {
				continue
			}
			if e.Mismatch.Type == "error" {
				got.keys = []string{"error"}
			}
			for _, m := range e.Mismatch.Mismatches {
				got.keys = append(got.keys, referenceKey(m))
			}
			queues[in.Pending] = q[j+1:]
			break
		}
		got.keys = uniqueSorted(got.keys)
		out[v.name][i] = got
	}
	return out, nil
}

// referenceKey names a mismatch of the reference's JSON report (pact_matching::Mismatch::to_json).
func referenceKey(m map[string]any) string {
	s := func(k string) string { x, _ := m[k].(string); return x }
	switch s("type") {
	case "StatusMismatch":
		return "status"
	case "MethodMismatch":
		return "method"
	case "PathMismatch":
		return "path"
	case "QueryMismatch":
		return "query:" + s("parameter")
	case "HeaderMismatch":
		return "header:" + strings.ToLower(s("key"))
	case "BodyTypeMismatch":
		return "body-type"
	case "BodyMismatch":
		return "body:" + s("path")
	case "MetadataMismatch":
		return "metadata:" + s("key")
	}
	return "other:" + s("type")
}

// commbenchVerdict names commbench's mismatches the same way.
func commbenchVerdict(r results.Interaction) verdict {
	if r.Status == results.StatusPassed {
		return verdict{pass: true}
	}
	if r.Status != results.StatusFailed {
		return verdict{keys: []string{"error"}}
	}
	var keys []string
	for _, m := range r.Mismatches {
		switch m.Category {
		case "status", "method", "path", "body-type":
			keys = append(keys, m.Category)
		case "header":
			keys = append(keys, "header:"+strings.ToLower(m.Path))
		case "body":
			path := m.Path
			if path == "" {
				path = "$"
			}
			keys = append(keys, "body:"+path)
		default:
			keys = append(keys, m.Category+":"+m.Path)
		}
	}
	return verdict{keys: uniqueSorted(keys)}
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// quirk is a documented place where the reference departs from the Pact specification and
// commbench follows the specification. The test asserts the departure is seen exactly as
// documented: the reference's verdict and commbench's. When the reference is fixed, the test
// fails and the quirk is to be removed.
type quirk struct {
	why     string
	ref, cb string // the verdicts as verdict.String writes them
}

func (q *quirk) check(ref, cb verdict) error {
	if ref.String() != q.ref || cb.String() != q.cb {
		return fmt.Errorf("pact verifier %s (documented: %s), commbench %s (documented: %s)", ref, q.ref, cb, q.cb)
	}
	return nil
}

// quirks of the reference verifier (pact_verifier 1.x in pact-cli 18.1.2), on
// testdata/pacts/differential/reference-quirks.json and the correct provider.
var quirks = map[string]quirk{
	"an integer beyond 64 bits": {
		why: "the reference reads an integer beyond 64 bits as a float, so its integer matcher refuses 123456789012345678901234567890; " +
			"SPEC-v3 integer matcher: a number without a fraction, whatever its size (RFC 8259 sets no limit)",
		ref: "FAIL body:$.id", cb: "pass"},
	"minus zero": {
		why: "the reference reads -0 as a float (serde_json), so its integer matcher refuses it; -0 is an integer (RFC 8259: int = [minus] 0)",
		ref: "FAIL body:$.delta", cb: "pass"},
	"the last day of a leap year as a day of year": {
		why: "the reference's date matcher refuses valid days of year 366 (2024) and 365 (2023) with format yyyy-DDD; " +
			"the format is Java's DateTimeFormatter (SPEC-v3 date matcher), where D is the day of year 1-365/366",
		ref: "FAIL body:$.day body:$.lastOf2023", cb: "pass"},
	"a timestamp with a zone name": {
		why: "the reference's timestamp matcher refuses the zone name UTC with pattern z; in Java's DateTimeFormatter (SPEC-v3) z is a zone name and UTC one",
		ref: "FAIL body:$.at", cb: "pass"},
	"a JSON null body": {
		why: "the reference treats a JSON null response body as an empty body and refuses the JSON document null; " +
			"SPEC-v3 'Body is present, but is null': with application/json it may be either, the preference being a JSON body " +
			"(and the reference itself sends null for such a request body)",
		ref: "FAIL body:/", cb: "pass"},
	"a redirect": {
		why: "the reference follows redirects (reqwest's default policy), so the pact's own 302 with its Location is compared with the " +
			"target's answer; the provider answered the recorded 302 (SPEC: the response is the provider's response)",
		ref: "FAIL header:location status", cb: "pass"},
}

// messageStatusQuirk: in Pact's HTTP message mode the reference takes the body of an error
// answer as the asynchronous message it verifies (for a synchronous message it errs, as
// commbench does for both). commbench errs: a provider answering 500 did not produce the message
// ("a failing system never passes").
var messageStatusQuirk = quirk{
	why: "HTTP message mode, asynchronous message: the reference takes the body of the provider's 500 answer as the message and passes it; " +
		"commbench errs, the provider said it failed",
	ref: "pass", cb: "FAIL error"}

// joinedHeaderQuirk: a V4 header recorded with several values, sent on one line joined by ", ".
var joinedHeaderQuirk = quirk{
	why: "the reference refuses a multi-value header sent on one line (X-Multi: a, b for [a, b]); RFC 9110 §5.3: field lines " +
		"combined with commas have the same semantics, so commbench accepts both forms",
	ref: "FAIL header:x-multi", cb: "pass"}

// quirkOf returns the documented reference quirk for an interaction of a pact and a variant, if any.
func quirkOf(file string, in *contracts.Interaction, variant string) *quirk {
	if filepath.Base(file) == "broader-corpus-v4.json" && in.Description == "multi-value headers" && variant == "headers-joined" {
		return &joinedHeaderQuirk
	}
	if filepath.Base(file) == "reference-quirks.json" && variant == "correct" {
		if q, ok := quirks[in.Description]; ok {
			return &q
		}
	}
	if variant == "wrong-status" && in.Kind == contracts.KindAsynchronousMessage {
		return &messageStatusQuirk
	}
	return nil
}
