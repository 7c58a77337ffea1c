//go:build pact

package pactref

import (
	"reflect"
	"testing"
)

// TestVariantsChangeTheProvider checks the fixtures: every variant applies to its interaction's
// correct response or message and changes it (a variant that changed nothing would pass for
// a broken provider while being the correct one).
func TestVariantsChangeTheProvider(t *testing.T) {
	for _, f := range fixtures {
		check := func(desc string, good actual, vs []variant) {
			if len(vs) < 2 {
				t.Errorf("%s/%s: %d broken variants, want at least 2", f.provider, desc, len(vs))
			}
			for _, v := range vs {
				a, err := build(good, v)
				if err != nil {
					t.Errorf("%s/%s: %v", f.provider, desc, err)
					continue
				}
				if reflect.DeepEqual(a, good.clone()) {
					t.Errorf("%s/%s: variant %q changes nothing", f.provider, desc, v.name)
				}
			}
		}
		for _, s := range f.http {
			check(s.desc, s.good, s.variants)
		}
		for _, s := range f.messages {
			check(s.desc, s.good, s.variants)
		}
	}
}

func TestVariantErrors(t *testing.T) {
	good := actual{Status: 200, Body: obj{"a": obj{"b": arr{1.0}}, "s": "x"}}
	for _, tc := range []struct {
		name string
		v    variant
	}{
		{"missing field that is absent", missingField("a.zz")},
		{"path through a string", wrongType("s.t", 1)},
		{"array index out of range", wrongType("a.b.3", "x")},
		{"extra item on an object", extraItem("a", 1)},
		{"truncate a string", truncateArray("s", 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := build(good, tc.v); err == nil {
				t.Errorf("%s applied without error", tc.v.name)
			}
		})
	}
}

func TestSplitOutputAndFailures(t *testing.T) {
	out := "noise\n" + variantMarker + "correct\nall OK\n" + variantMarker + "wrong-status 500\n" +
		"report\nFailures:\n\n1) has status code 200\n   expected 200 but was 500\n\nThere were 1 pact failures\n"
	parts := splitOutput(out)
	if len(parts) != 2 {
		t.Fatalf("got %d parts, want 2: %q", len(parts), parts)
	}
	if got := failures(parts["correct"]); got != "" {
		t.Errorf("failures of a passing verification = %q, want none", got)
	}
	want := "1) has status code 200\n   expected 200 but was 500"
	if got := failures(parts["wrong-status 500"]); got != want {
		t.Errorf("failures = %q, want %q", got, want)
	}
}
