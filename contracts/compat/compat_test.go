package compat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/commbench/commbench/internal/testenv"
)

// inScope are the provider, matching-rule and generator features: every scenario must pass.
var inScope = []string{
	"V1/http_provider.feature",
	"V2/http_provider.feature",
	"V3/generators.feature",
	"V3/http_generators.feature",
	"V3/http_matching.feature",
	"V3/http_provider.feature",
	"V3/matching_rules.feature",
	"V3/message_provider.feature",
	"V4/generators.feature",
	"V4/http_provider.feature",
	"V4/matching_rules.feature",
	"V4/message_provider.feature",
}

// outOfScope are the consumer-side features, left out by name with the reason printed.
var outOfScope = map[string]string{
	"V1/http_consumer.feature":                "consumer side: a mock server answering a consumer test, which commbench (a provider verifier) does not have",
	"V2/http_consumer.feature":                "consumer side: mock server",
	"V3/http_consumer.feature":                "consumer side: mock server and pact file writing by a consumer test",
	"V3/message_consumer.feature":             "consumer side: a message consumer test DSL",
	"V4/http_consumer.feature":                "consumer side: mock server",
	"V4/message_consumer.feature":             "consumer side: a message consumer test DSL",
	"V4/synchronous_message_consumer.feature": "consumer side: a synchronous message consumer test DSL",
	"V4/v4.feature":                           "consumer side: interactions defined by a consumer test and written to a pact file",
}

// excludedTag leaves out scenarios marked work in progress upstream (pact-reference filters them
// out too).
const excludedTag = "@wip"

// knownGaps are in-scope scenarios that need commbench features not on this branch; each is
// reported as a gap with its reason (never counted as passed), and one that passes is reported
// so the entry can go.
var knownGaps = map[string]string{}

type outcome struct {
	feature, scenario string
	err               error
}

// TestCompatibilitySuite runs the suite's in-scope features as they are with godog and prints,
// per feature file, the scenarios passed out of those in scope.
func TestCompatibilitySuite(t *testing.T) {
	root := suiteDir(t)
	fixtureDir = filepath.Join(root, "fixtures")
	checkFeatureList(t, filepath.Join(root, "features"))

	type count struct{ passed, inScope, gaps, wip int }
	counts := map[string]*count{}
	var failures []string
	for _, f := range inScope {
		var mu sync.Mutex
		var outs []outcome
		var out bytes.Buffer
		suite := godog.TestSuite{
			Name: f,
			ScenarioInitializer: func(sc *godog.ScenarioContext) {
				initScenario(sc, func(o outcome) {
					mu.Lock()
					outs = append(outs, o)
					mu.Unlock()
				})
			},
			Options: &godog.Options{
				Format: "pretty", Output: &out, NoColors: true, Strict: true,
				Paths: []string{filepath.Join(root, "features", f)}, Tags: "~" + excludedTag,
			},
		}
		suite.Run()
		c := &count{wip: len(taggedScenarios(t, filepath.Join(root, "features", f), excludedTag))}
		counts[f] = c
		for _, o := range outs {
			c.inScope++
			key := f + ": " + o.scenario
			gap, known := knownGaps[key]
			switch {
			case o.err == nil && known:
				c.passed++
				t.Logf("%s now passes: remove it from knownGaps (%s)", key, gap)
			case o.err == nil:
				c.passed++
			case known:
				c.gaps++
				t.Logf("gap: %s: %s (%v)", key, gap, o.err)
			default:
				failures = append(failures, fmt.Sprintf("%s: %v", key, o.err))
			}
		}
		if c.inScope == 0 {
			failures = append(failures, f+": no scenario ran:\n"+out.String())
		}
	}
	t.Logf("Pact compatibility suite (%s), scenarios passed / in scope:", root)
	tp, ti := 0, 0
	for _, f := range inScope {
		c := counts[f]
		note := ""
		if c.gaps > 0 {
			note += fmt.Sprintf(", %d known gap(s)", c.gaps)
		}
		if c.wip > 0 {
			note += fmt.Sprintf(", %d %s scenario(s) excluded by tag", c.wip, excludedTag)
		}
		t.Logf("  %-32s %3d / %3d%s", f, c.passed, c.inScope, note)
		tp += c.passed
		ti += c.inScope
	}
	t.Logf("  %-32s %3d / %3d", "total", tp, ti)
	names := make([]string, 0, len(outOfScope))
	for f := range outOfScope {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		t.Logf("  excluded %s: %s", f, outOfScope[f])
	}
	for _, f := range inScope {
		for _, s := range taggedScenarios(t, filepath.Join(root, "features", f), excludedTag) {
			t.Logf("  excluded %s: %q (tagged %s upstream)", f, s, excludedTag)
		}
	}
	for _, msg := range failures {
		t.Error(msg)
	}
}

// suiteDir finds the suite below the shared folder (COMMBENCH_SHARED, default ../shared).
func suiteDir(t *testing.T) string {
	const public = "https://github.com/pact-foundation/pact-compatibility-suite"
	dir := os.Getenv("COMMBENCH_SHARED")
	if dir == "" {
		dir = filepath.Join(testenv.ModuleRoot(t), "..", "shared")
	}
	dir = filepath.Join(dir, "pact-compatibility-suite")
	if _, err := os.Stat(filepath.Join(dir, "features")); err != nil {
		msg := "the Pact compatibility suite is not at " + dir + " (set COMMBENCH_SHARED to the folder holding pact-compatibility-suite); its public source is " + public
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// checkFeatureList fails on a feature file that is neither in scope nor excluded, so a newer suite
// is not silently half run.
func checkFeatureList(t *testing.T, dir string) {
	known := map[string]bool{}
	for _, f := range inScope {
		known[f] = true
	}
	for f := range outOfScope {
		known[f] = true
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !known[filepath.ToSlash(rel)] {
			t.Errorf("feature %s is neither in scope nor excluded: add it to inScope or outOfScope", rel)
		}
		delete(known, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range known {
		t.Errorf("feature %s is listed but not in the suite", f)
	}
}

// taggedScenarios names the scenarios of a feature file carrying tag.
func taggedScenarios(t *testing.T, path, tag string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	tagged := false
	for _, line := range strings.Split(string(data), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "@"):
			tagged = tagged || strings.Contains(" "+l+" ", " "+tag+" ")
		case strings.HasPrefix(l, "Scenario"):
			if tagged {
				_, name, _ := strings.Cut(l, ":")
				out = append(out, strings.TrimSpace(name))
			}
			tagged = false
		}
	}
	return out
}

// initScenario gives a scenario fresh worlds (provider, matching, generators), its
// specification version from its feature's folder, and reports its outcome.
func initScenario(sc *godog.ScenarioContext, report func(outcome)) {
	pw := newProviderWorld(0)
	mw := &matchingWorld{}
	gw := &generatorWorld{mode: "Provider"}
	registerProviderSteps(sc, pw)
	registerMatchingSteps(sc, mw)
	registerGeneratorSteps(sc, gw)
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		uri := filepath.ToSlash(s.Uri)
		for v := 1; v <= 4; v++ {
			if strings.Contains(uri, fmt.Sprintf("/V%d/", v)) {
				pw.major, mw.major = v, v
			}
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		pw.close()
		uri := filepath.ToSlash(s.Uri)
		if i := strings.Index(uri, "/features/"); i >= 0 {
			uri = uri[i+len("/features/"):]
		}
		report(outcome{feature: uri, scenario: s.Name, err: err})
		return ctx, nil
	})
}
