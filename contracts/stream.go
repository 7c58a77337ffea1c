package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/ast"
)

// Stream reads the pacts of source as Load does (a file, a directory of *.json files sorted by
// name, or an http(s) URL) and calls fn for each interaction in order, with its pact's top-level
// fields (p.Interactions is nil; one *Pact per pact file). A pact file is read into memory once
// (at most LoadOptions.MaxBytes, as Load) but never decoded whole: after a syntax check
// (encoding/json's Valid), a scan with sonic's lazy AST (github.com/bytedance/sonic/ast) finds the
// top-level fields (consumer, provider, metadata, which may come after the interactions), the keys
// that infer the specification version and the text of each element of the "interactions" or
// "messages" array, without decoding them; each element is then decoded (into values that do not
// point into the file's bytes) and parsed with the code Parse uses. Memory holds the file until
// its last element is decoded, one decoded interaction and what fn keeps, never the decoded
// document. Interactions are yielded lean (as with LoadOptions.Lean). A file the scan cannot read
// plainly (malformed JSON, a duplicate top-level key, both "interactions" and "messages", an
// element that is not an object, not a regular file) is parsed whole as Load does, so errors are
// Load's, word for word. URL sources are read whole. An error of fn stops the stream and is
// returned as is; errors in an interaction come after fn was called for the interactions before
// it.
func Stream(ctx context.Context, source string, opts LoadOptions, fn func(p *Pact, in *Interaction) error) error {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 64 << 20
	}
	opts.Lean = true
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		ps, err := Load(ctx, source, opts)
		if err != nil {
			return err
		}
		return yieldAll(ctx, ps, fn)
	}
	st, err := os.Stat(source)
	if err != nil || !st.IsDir() {
		return streamFile(ctx, source, opts, fn)
	}
	paths, err := pactFiles(source)
	if err != nil {
		return err
	}
	for _, path := range paths {
		if err := streamFile(ctx, path, opts, fn); err != nil {
			return err
		}
	}
	return nil
}

// yieldAll calls fn for every interaction of pacts already loaded.
func yieldAll(ctx context.Context, pacts []*Pact, fn func(*Pact, *Interaction) error) error {
	for _, p := range pacts {
		ins := p.Interactions
		head := *p
		head.Interactions = nil
		for _, in := range ins {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(&head, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// streamFile streams one pact file, or parses it whole when the scan cannot read it plainly.
// Once scanned, the file's bytes are referenced only by the text of the elements not yet decoded
// (decoded values never point into them), so they can be freed before the last interaction is
// verified: with a 60 MB body in one interaction, the file and the provider's answer are not
// held together.
func streamFile(ctx context.Context, path string, opts LoadOptions, fn func(*Pact, *Interaction) error) error {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		p, err := loadFile(path, opts) // Load's reading and errors
		if err != nil {
			return err
		}
		return yieldAll(ctx, []*Pact{p}, fn)
	}
	data, err := readPactFile(path, opts)
	if err != nil {
		return err
	}
	sc, ok := scanPact(data)
	if !ok {
		p, err := parseOwned(data, path) // not plain: Load's parsing and errors
		if p, err = lean(p, err, opts); err != nil {
			return err
		}
		return yieldAll(ctx, []*Pact{p}, fn)
	}
	return sc.yield(ctx, path, fn)
}

// yield parses each scanned element (name in errors) and calls fn with it, dropping the scan's
// reference to an element's text as soon as it is decoded.
func (sc *pactScan) yield(ctx context.Context, name string, fn func(*Pact, *Interaction) error) error {
	p := newHeader(name, sc.consumer, sc.provider, sc.metadata)
	major, err := p.settleVersion(sc.hints)
	if err != nil {
		return err
	}
	for i := range sc.elements {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := sc.elements[i]
		sc.elements[i] = ""
		v, err := decodeElement(raw)
		if i == len(sc.elements)-1 && sc.size >= releaseBytes {
			// The file is now unreferenced; collect it before the last (possibly only, and
			// large) interaction is verified, so it and the provider's answer are not held at
			// once: GOGC would let the heap double over the file and the decoded interaction first.
			runtime.GC()
		}
		if err != nil {
			return fmt.Errorf("%s: %s[%d]: %w", name, sc.key, i, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s[%d]: expected an object", name, sc.key, i)
		}
		in, err := parseInteraction(m, major, fmt.Sprintf("%s: %s[%d]", name, sc.key, i), sc.key == "messages")
		if err != nil {
			return err
		}
		in.dropRaw()
		if err := fn(p, in); err != nil {
			return err
		}
	}
	return nil
}

// pactScan is what scanPact reads: the top-level fields but the interactions (decoded), which
// array holds the interactions (key: "interactions" or "messages"), the text of its elements and
// their version hints.
type pactScan struct {
	consumer, provider, metadata any
	key                          string
	elements                     []string
	hints                        versionHints
	size                         int // of the document, in bytes
}

// releaseBytes is the size of a pact file (16 MiB) from which Stream collects it explicitly once
// its last element is decoded (see pactScan.yield); smaller files are left to the GC's pacing.
const releaseBytes = 16 << 20

// scanPact reads a document's top-level fields, keeping the interactions as text (pointing into
// data, which must not be modified while the scan is used) but for the keys that infer the
// specification version. ok is false when the document is not plain: not valid JSON
// (encoding/json's Valid), not one JSON object, a duplicate top-level key, "interactions" or
// "messages" not an array of objects (or null), or both of them present.
func scanPact(data []byte) (sc pactScan, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !json.Valid(data) {
		return sc, false
	}
	sc.size = len(data)
	root := ast.NewRaw(unsafe.String(unsafe.SliceData(data), len(data)))
	props, err := root.Properties()
	if err != nil {
		return sc, false
	}
	seen := map[string]bool{}
	var pair ast.Pair
	for props.Next(&pair) {
		key := pair.Key
		if seen[key] {
			return sc, false
		}
		seen[key] = true
		var err error
		switch key {
		case "consumer":
			sc.consumer, err = decodeRaw(&pair.Value)
		case "provider":
			sc.provider, err = decodeRaw(&pair.Value)
		case "metadata":
			sc.metadata, err = decodeRaw(&pair.Value)
		case "interactions", "messages":
			if seen["interactions"] && seen["messages"] {
				return sc, false
			}
			messages := key == "messages"
			sc.key = "interactions" // a constant, not key: key points into the file and would keep it
			if messages {
				sc.key = "messages"
			}
			err = sc.scanElements(&pair.Value, messages)
		}
		if err != nil {
			return sc, false
		}
	}
	return sc, root.Check() == nil
}

// scanElements keeps the text of each element of one "interactions" or "messages" array and
// notes their version hints; an error when it is not an array of objects or null.
func (sc *pactScan) scanElements(arr *ast.Node, messages bool) error {
	if arr.TypeSafe() == ast.V_NULL {
		return nil
	}
	elems, err := arr.Values()
	if err != nil {
		return err
	}
	sc.hints.messages = sc.hints.messages || messages
	var el ast.Node
	for elems.Next(&el) {
		raw, err := el.Raw()
		if err != nil {
			return err
		}
		if el.TypeSafe() != ast.V_OBJECT {
			return fmt.Errorf("not an object")
		}
		sc.elements = append(sc.elements, raw)
		if !messages {
			obj := ast.NewRaw(raw)
			sc.hints.see(obj.Get("type").Exists(), obj.Get("providerStates").Exists())
		}
	}
	return arr.Check()
}

// decodeRaw decodes a scanned value (numbers as json.Number) as Parse does; the value does not
// point into the scanned text.
func decodeRaw(n *ast.Node) (any, error) {
	raw, err := n.Raw()
	if err != nil {
		return nil, err
	}
	return decodeElement(raw)
}

// copyingJSON is fastJSON with every decoded string copied out of the input (sonic's
// CopyString), so a value decoded from a pact file's text does not keep the file in memory;
// numbers (json.Number) still point into the input: cloneNumbers copies them.
var copyingJSON = sonic.Config{UseNumber: true, ValidateString: true, CopyString: true}.Froze()

// decodeElement decodes one scanned element as decodeJSON would, into values that never point
// into raw: sonic with CopyString on valid UTF-8, else encoding/json (its values and errors).
func decodeElement(raw string) (any, error) {
	if utf8.ValidString(raw) {
		var v any
		if err := copyingJSON.UnmarshalFromString(raw, &v); err == nil {
			return cloneNumbers(v), nil
		}
	}
	return decodeJSONStd([]byte(raw))
}

// cloneNumbers replaces every json.Number in v (maps and arrays, in place) by a copy that does
// not share the decoder's input, and returns v.
func cloneNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return json.Number(strings.Clone(string(x)))
	case map[string]any:
		for k, e := range x {
			switch e.(type) {
			case json.Number, map[string]any, []any:
				x[k] = cloneNumbers(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = cloneNumbers(e)
		}
	}
	return v
}
