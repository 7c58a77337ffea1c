package template

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPayloadSizeLimit: a template whose payload passes the limit fails at Compile (the first
// render), with the default 16 MiB and with a raised limit; within the limit it compiles.
func TestPayloadSizeLimit(t *testing.T) {
	// 300 x randString 65536 = 19.7 MB of payload from a 7 KB template
	big := `{"s": "` + strings.Repeat("{{randString 65536}}", 300) + `"}`
	_, err := Compile("big.json", big, Options{})
	if !errors.Is(err, ErrPayloadTooLarge) || !strings.Contains(err.Error(), "big.json") || !strings.Contains(err.Error(), "16777216 bytes") {
		t.Fatalf("err = %v, want ErrPayloadTooLarge naming the template and the 16 MiB limit", err)
	}
	tpl, err := Compile("big.json", big, Options{MaxPayloadBytes: 32 << 20})
	if err != nil {
		t.Fatalf("with a raised limit: %v", err)
	}
	if out, err := tpl.Generate(1); err != nil || len(out) != 300*65536+9 {
		t.Fatalf("payload of %d bytes, err %v", len(out), err)
	}
	if _, err := Compile("small.json", `{"s": "{{randString 100}}"}`, Options{MaxPayloadBytes: 50}); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("err = %v, want ErrPayloadTooLarge", err)
	}
}

// TestPayloadSizeLimitLaterRows: a data row that makes a later payload too large is an error for
// that payload, not an allocation.
func TestPayloadSizeLimitLaterRows(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(rows, []byte("name\nshort\n"+strings.Repeat("x", 2000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl, err := Compile("t.json", `{"name": "{{.Row.name}}"}`, Options{DataFile: rows, MaxPayloadBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Generate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Generate(1); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("row 2: err = %v, want ErrPayloadTooLarge", err)
	}
	if _, err := tpl.Value(1); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("Value, row 2: err = %v, want ErrPayloadTooLarge", err)
	}
}
