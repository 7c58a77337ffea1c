package results

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestWriteAsEncoder: Write, which encodes interactions one at a time, writes the bytes
// encoding/json's indenting Encoder writes for the whole file, with and without interactions.
func TestWriteAsEncoder(t *testing.T) {
	in := Interaction{Consumer: "web <a&b>", Provider: "orders", Description: "get\n\"x\"", Kind: "http", Transport: "http",
		Status: StatusFailed, Mismatches: []Mismatch{{Category: "body", Path: "$.a", Expected: `{"a": 1}`, Actual: "2", Message: "m"}},
		Request: &SentRequest{Method: "GET", Path: "/o?x=1", Headers: map[string][]string{"A": {"1", "2"}}}}
	files := map[string]*File{
		"no verification": {Run: Run{ID: "r", Command: "bench", Started: time.Unix(1, 0).UTC()}},
		"empty":           {Run: Run{ID: "r", Command: "verify"}, Verification: &Verification{Interactions: []Interaction{}}},
		"nil list":        {Run: Run{ID: "r", Command: "verify"}, Verification: &Verification{}},
		"one":             {Run: Run{ID: "r", Command: "verify", Config: map[string]any{"interactions": []any{}}}, Verification: &Verification{Interactions: []Interaction{in}}},
		"three":           {Run: Run{ID: "r", Command: "run"}, Verification: &Verification{Interactions: []Interaction{in, {Description: "b"}, in}, Pacts: []BrokerPact{{Consumer: "c"}}}, Workloads: []Workload{{Name: "w"}}},
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			f.Schema = Schema
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(f); err != nil {
				t.Fatal(err)
			}
			if err := Write(&got, f); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("Write differs from the Encoder:\n--- got ---\n%s\n--- want ---\n%s", got.String(), want.String())
			}
		})
	}
}
