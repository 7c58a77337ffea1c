package contracts

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/internal/testenv"
)

// streamed collects what a scan of data yields as one pact; handled is false when the scan
// finds data not plain (Stream then parses it whole). The scanned bytes are overwritten once
// streamed, so sameAsParse also checks that no yielded value points into the file's bytes.
func streamed(t testing.TB, data []byte, name string) (p *Pact, handled bool, err error) {
	buf := bytes.Clone(data)
	sc, ok := scanPact(buf)
	if !ok {
		return nil, false, nil
	}
	err = sc.yield(context.Background(), name, func(h *Pact, in *Interaction) error {
		if p == nil {
			c := *h
			p = &c
		} else if h.Source != p.Source {
			t.Fatalf("pact header changed within one document: %q then %q", p.Source, h.Source)
		}
		p.Interactions = append(p.Interactions, in)
		return nil
	})
	for i := range buf {
		buf[i] = 'x'
	}
	return p, true, err
}

// sameAsParse fails unless streaming data yields what Parse reads (lean): the same top-level
// fields and interactions, or the same error.
func sameAsParse(t testing.TB, data []byte, name string) (handled bool) {
	want, perr := Parse(data, name)
	got, handled, serr := streamed(t, data, name)
	if !handled {
		return false
	}
	if perr != nil || serr != nil {
		if perr == nil || serr == nil || perr.Error() != serr.Error() {
			t.Fatalf("%s: Parse error %v, Stream error %v", name, perr, serr)
		}
		return true
	}
	want.dropRaw()
	if got == nil { // no interaction yielded
		if len(want.Interactions) != 0 {
			t.Fatalf("%s: Stream yielded nothing, Parse read %d interactions", name, len(want.Interactions))
		}
		return true
	}
	if got.Consumer != want.Consumer || got.Provider != want.Provider || got.SpecVersion != want.SpecVersion ||
		got.Source != want.Source || !reflect.DeepEqual(got.Metadata, want.Metadata) {
		t.Fatalf("%s: header: Stream %q/%q/%q/%v, Parse %q/%q/%q/%v", name, got.Consumer, got.Provider, got.SpecVersion, got.Metadata,
			want.Consumer, want.Provider, want.SpecVersion, want.Metadata)
	}
	if len(got.Interactions) != len(want.Interactions) {
		t.Fatalf("%s: Stream yielded %d interactions, Parse read %d", name, len(got.Interactions), len(want.Interactions))
	}
	for i := range want.Interactions {
		if !reflect.DeepEqual(got.Interactions[i], want.Interactions[i]) {
			t.Fatalf("%s: interaction %d differs:\nStream %+v\nParse  %+v", name, i, got.Interactions[i], want.Interactions[i])
		}
	}
	return true
}

// TestStreamSameAsParse: for every pact under testdata/pacts, Stream yields the interactions
// Parse reads, in order, with the same top-level fields (a differential test of the two loaders).
// Every JSON file of the shared material (real pacts, the compatibility suite's fixtures, the
// specification's cases) is held to the same: Stream and Parse agree, whatever the document.
func TestStreamSameAsParse(t *testing.T) {
	n, streamedN := sameAsParseUnder(t, filepath.Join("..", "testdata", "pacts"))
	if n == 0 {
		t.Fatal("no pact under testdata/pacts")
	}
	if streamedN < n*3/4 { // the fallback to a whole read must stay the exception
		t.Fatalf("only %d of %d pacts were streamed, the others read whole", streamedN, n)
	}
	t.Logf("testdata: %d pacts, %d streamed", n, streamedN)
	shared := testenv.SharedDir(t)
	n, streamedN = sameAsParseUnder(t, shared)
	if n < 100 {
		t.Fatalf("only %d JSON files under %s", n, shared)
	}
	t.Logf("shared: %d JSON files, %d streamed", n, streamedN)
}

// sameAsParseUnder runs sameAsParse on every .json file under root: how many, and how many
// were streamed rather than read whole.
func sameAsParseUnder(t *testing.T, root string) (n, streamedN int) {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if sameAsParse(t, data, path) {
			streamedN++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, streamedN
}

// TestStreamFallsBackToLoad: documents the streaming passes do not read plainly are read whole,
// with Load's errors; a directory is streamed file by file, in name order; fn's error stops it.
func TestStreamFallsBackToLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.json", `{"interactions": [ {"description": "x",, } ]}`)
	_, lerr := Load(context.Background(), bad, LoadOptions{})
	serr := Stream(context.Background(), bad, LoadOptions{}, func(*Pact, *Interaction) error { return nil })
	if lerr == nil || serr == nil || lerr.Error() != serr.Error() {
		t.Fatalf("malformed pact: Load error %v, Stream error %v", lerr, serr)
	}
	os.Remove(bad)
	inter := func(d string) string {
		return `{"description":"` + d + `","request":{"method":"GET","path":"/"},"response":{"status":200}}`
	}
	write("b.json", `{"interactions":[`+inter("b1")+`],"consumer":{"name":"c"},"consumer":{"name":"dup"}}`) // duplicate key: read whole
	write("a.json", `{"interactions":[`+inter("a1")+`,`+inter("a2")+`],"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	var got []string
	err := Stream(context.Background(), dir, LoadOptions{}, func(p *Pact, in *Interaction) error {
		got = append(got, p.Consumer+"/"+p.Provider+"/"+p.SpecVersion+"/"+in.Description)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/p/3.0.0/a1", "/p/3.0.0/a2", "dup//2.0.0/b1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("streamed %q, want %q", got, want)
	}
	stop := errors.New("stop")
	calls := 0
	err = Stream(context.Background(), dir, LoadOptions{}, func(*Pact, *Interaction) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("fn's error: got %v after %d calls, want stop after 1", err, calls)
	}
}

// FuzzStream: streaming a document yields what Parse reads from it, or the same error.
func FuzzStream(f *testing.F) {
	addPactSeeds(f)
	f.Add([]byte("\xef\xbb\xbf{\"messages\":[{\"contents\":\"x\"}]}"))
	f.Add([]byte(`{"interactions":[{"providerStates":[{"name":"s"}],"request":{"method":"GET","path":"/"},"response":{"status":200}}],"interactions":null}`))
	f.Add([]byte(`{"metadata":{"pactSpecification":{"version":"9"}},"interactions":[null]}`))
	f.Add([]byte(`{"\u0069nteractions":[{"type":"Synchronous/HTTP","description":"d","description":"e"}],"consumer":{"name":"c\u00e9"}}`))
	f.Add([]byte("{\"interactions\":[{\"description\":\"\xff\",\"request\":{\"method\":\"GET\",\"path\":\"/\"},\"response\":{\"status\":200}}]}"))
	f.Add([]byte(`{"interactions":[{"request":{"type":"x","providerStates":[]},"response":{"status":200}}],"provider":{"name":"p"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsParse(t, data, "fuzz.json")
	})
}

// TestStreamReleasesTheFile: once a file's last element is decoded, nothing Stream keeps points
// into the file's bytes (not the scan, the pact header, the interaction or its keys), so the
// file can be collected while fn verifies that interaction: a 63 MB pact and the provider's 63 MB
// answer are then not held at once.
func TestStreamReleasesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	body := strings.Repeat("a line of the body\\n", 1<<16)
	doc := `{"consumer":{"name":"web"},"provider":{"name":"orders"},"metadata":{"pactSpecification":{"version":"3.0.0"}},` +
		`"interactions":[{"description":"big","providerStates":[{"name":"s","params":{"id":42}}],` +
		`"request":{"method":"POST","path":"/big","headers":{"Content-Type":"text/plain"}},` +
		`"response":{"status":200,"headers":{"Content-Type":"text/plain"},"body":"` + body + `"}}]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := readPactFile(path, LoadOptions{MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	runtime.SetFinalizer(&data[0], func(*byte) { close(released) })
	sc, ok := scanPact(data)
	if !ok {
		t.Fatal("not plain")
	}
	data = nil
	calls := 0
	err = sc.yield(context.Background(), path, func(p *Pact, in *Interaction) error {
		calls++
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			runtime.GC()
			select {
			case <-released:
				if in.Response == nil || string(in.Response.Body.Content) != strings.Repeat("a line of the body\n", 1<<16) || p.Consumer != "web" {
					t.Errorf("interaction or header wrong: consumer %q, body %d bytes", p.Consumer, len(in.Response.Body.Content))
				}
				return nil
			case <-time.After(50 * time.Millisecond):
			}
		}
		t.Error("the file's bytes are still referenced while its last interaction is handled")
		return nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("yield: %v after %d calls", err, calls)
	}
}
