package contracts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestLeanLoad: with LoadOptions.Lean the model is the same and still writes a pact that loads
// back to the same interactions; only the fields commbench does not model are left out.
func TestLeanLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	doc := `{"consumer":{"name":"web"},"provider":{"name":"orders"},"x-unmodelled":1,
	  "interactions":[{"description":"get","providerStates":[{"name":"s","params":{"id":1}}],
	    "request":{"method":"GET","path":"/o/1","headers":{"Accept":"application/json"}},
	    "response":{"status":200,"body":{"id":"1"},"matchingRules":{"body":{"$.id":{"matchers":[{"match":"type"}]}}}}}],
	  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := Load(context.Background(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := Load(context.Background(), path, LoadOptions{Lean: true})
	if err != nil {
		t.Fatal(err)
	}
	if lean[0].raw != nil || lean[0].Interactions[0].raw != nil || lean[0].Interactions[0].Response.raw != nil {
		t.Fatal("Lean kept the decoded document")
	}
	out, err := lean[0].JSONV4()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out, "back.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, _ := json.Marshal(full[0].Interactions[0].Response.Rules.Raw())
	b, _ := json.Marshal(back.Interactions[0].Response.Rules.Raw())
	in := back.Interactions[0]
	if in.Description != "get" || in.Request.Path != "/o/1" || in.Response.Status != 200 || string(a) != string(b) || len(in.ProviderStates) != 1 {
		t.Fatalf("lean write-back lost modelled fields:\n%s", out)
	}
}
