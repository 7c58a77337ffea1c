package contracts

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

type specCase struct {
	Match    bool            `json:"match"`
	Comment  string          `json:"comment"`
	Expected json.RawMessage `json:"expected"`
	Actual   json.RawMessage `json:"actual"`
}

func decodeObject(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	v, err := decodeJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// runSpecCase matches the case's expected and actual part and returns the mismatches.
func runSpecCase(t *testing.T, kind string, major int, c specCase) []results.Mismatch {
	t.Helper()
	e, a := decodeObject(t, c.Expected), decodeObject(t, c.Actual)
	switch kind {
	case "request":
		er, err := ParseRequest(e, major, "expected")
		if err != nil {
			t.Fatal(err)
		}
		ar, err := ParseRequest(a, major, "actual")
		if err != nil {
			t.Fatal(err)
		}
		return MatchRequest(er, ar)
	case "response":
		er, err := ParseResponse(e, major, "expected")
		if err != nil {
			t.Fatal(err)
		}
		ar, err := ParseResponse(a, major, "actual")
		if err != nil {
			t.Fatal(err)
		}
		return MatchResponse(er, ar)
	case "message":
		em, err := ParseMessage(e, "expected")
		if err != nil {
			t.Fatal(err)
		}
		am, err := ParseMessage(a, "actual")
		if err != nil {
			t.Fatal(err)
		}
		return MatchMessage(em, am.Contents, am.Metadata)
	}
	t.Fatalf("unknown case kind %q", kind)
	return nil
}

// eachSpecCase calls fn with every V2 and V3 case of the Pact specification test suite: the
// version ("v2", "v3"), the case file relative to its testcases folder (slash-separated, starting
// with the kind: request, response, message) and the major version.
func eachSpecCase(t *testing.T, fn func(version, rel string, major int, c specCase)) {
	t.Helper()
	root := testenv.SharedFile(t, "pact-specification")
	for _, version := range []string{"v2", "v3"} {
		dir := filepath.Join(root, version, "testcases")
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var c specCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			fn(version, filepath.ToSlash(rel), int(version[1]-'0'), c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSpecificationConformance runs every V2 and V3 case of the Pact specification test suite
// and requires the case's verdict. It prints the pass counts per version and folder.
func TestSpecificationConformance(t *testing.T) {
	counts := map[string][2]int{} // folder -> {passed, total}
	total, passed := 0, 0
	eachSpecCase(t, func(version, rel string, major int, c specCase) {
		parts := strings.Split(rel, "/")
		kind, folder := parts[0], version+"/"+strings.Join(parts[:len(parts)-1], "/")
		ok := t.Run(version+"/"+rel, func(t *testing.T) {
			mis := runSpecCase(t, kind, major, c)
			if got := len(mis) == 0; got != c.Match {
				t.Errorf("%s (%s): match=%v, want %v; mismatches: %+v", rel, c.Comment, got, c.Match, mis)
			}
			if !c.Match {
				for _, m := range mis {
					if m.Category == "" || m.Message == "" {
						t.Errorf("mismatch without category or message: %+v", m)
					}
				}
			}
		})
		n := counts[folder]
		n[1]++
		total++
		if ok {
			n[0]++
			passed++
		}
		counts[folder] = n
	})
	folders := make([]string, 0, len(counts))
	for f := range counts {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	for _, f := range folders {
		t.Logf("%-28s %3d/%3d", f, counts[f][0], counts[f][1])
	}
	t.Logf("total %d/%d", passed, total)
	if total != 404 {
		t.Errorf("found %d specification cases, want 404 (178 V2 + 226 V3)", total)
	}
}
