package convert

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/commbench/commbench/formats"
)

// The shop schemas and sample of the repository's testdata.

func schemaFile(name string) string { return filepath.Join("..", "..", "testdata", "schemas", name) }

func orderValue(t *testing.T) any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "samples", "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := formats.ParseJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
