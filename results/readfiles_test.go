package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	a, b, bad := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "bad.json")
	for i, p := range []string{a, b} {
		if err := WriteFile(p, &File{Schema: Schema, Run: Run{ID: string(rune('x' + i))}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(bad, []byte(`{"schema": "other/v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := ReadFiles(a, b)
	if err != nil || len(files) != 2 || files[0].Run.ID != "x" || files[1].Run.ID != "y" {
		t.Fatalf("%v %+v", err, files)
	}
	if _, err := ReadFiles(a, bad, b); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad schema: %v", err)
	}
}
