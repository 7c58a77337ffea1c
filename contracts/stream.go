package contracts

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Stream reads the pacts of source as Load does (a file, a directory of *.json files sorted by
// name, or an http(s) URL) and calls fn for each interaction in order, with its pact's top-level
// fields (p.Interactions is nil; one *Pact per pact file). Pact files are read twice and
// never held whole: a first pass reads the top-level fields (consumer, provider, metadata, which
// may come after the interactions) and what infers the specification version, a second decodes
// the "interactions" and "messages" arrays one element at a time (encoding/json Decoder) and
// parses each with the code Parse uses, so memory holds one interaction, not the document.
// Interactions are yielded lean (as with LoadOptions.Lean). A file the streaming passes cannot
// read plainly (malformed JSON, a duplicate top-level key, both "interactions" and "messages",
// not a regular file) is read whole by Load, so errors are Load's, word for word. URL sources
// are read whole. An error of fn stops the stream and is returned as is; errors in an
// interaction come after fn was called for the interactions before it.
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

// streamFile streams one pact file, or loads it whole when the streaming passes cannot read it.
func streamFile(ctx context.Context, path string, opts LoadOptions, fn func(*Pact, *Interaction) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load pact %s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= opts.MaxBytes {
		if handled, err := streamPact(ctx, f, path, fn); handled {
			return err
		}
	}
	p, err := loadFile(path, opts) // not plain: Load's reading and errors
	if err != nil {
		return err
	}
	return yieldAll(ctx, []*Pact{p}, fn)
}

// streamPact is Stream of one document read from r (name in errors). handled is false, with
// nothing yielded, when the first pass finds the document not plain (see Stream); the caller
// then parses it whole.
func streamPact(ctx context.Context, r io.ReadSeeker, name string, fn func(*Pact, *Interaction) error) (handled bool, _ error) {
	sc, ok := scanPact(r)
	if !ok {
		return false, nil
	}
	p := newHeader(name, sc.consumer, sc.provider, sc.metadata)
	major, err := p.settleVersion(sc.hints)
	if err != nil {
		return true, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return false, nil
	}
	dec, err := pactDecoder(r)
	if err != nil {
		return false, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return true, fmt.Errorf("%s: %w", name, err)
		}
		key, _ := tok.(string)
		if key != "interactions" && key != "messages" {
			if err := dec.Decode(&skipValue{}); err != nil {
				return true, fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		if tok, err = dec.Token(); err != nil {
			return true, fmt.Errorf("%s: %w", name, err)
		}
		if tok == nil { // null: no interactions, as Parse
			continue
		}
		for i := 0; dec.More(); i++ {
			if err := ctx.Err(); err != nil {
				return true, err
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return true, fmt.Errorf("%s: %s[%d]: %w", name, key, i, err)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return true, fmt.Errorf("%s: %s[%d]: expected an object", name, key, i)
			}
			in, err := parseInteraction(m, major, fmt.Sprintf("%s: %s[%d]", name, key, i), key == "messages")
			if err != nil {
				return true, err
			}
			in.dropRaw()
			if err := fn(p, in); err != nil {
				return true, err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return true, fmt.Errorf("%s: %w", name, err)
		}
	}
	return true, nil
}

// pactScan is what the first pass of streamPact reads: the top-level fields but the
// interactions, and the version hints of the interactions.
type pactScan struct {
	consumer, provider, metadata any
	hints                        versionHints
}

// scanPact reads a document's top-level fields, skipping the interactions but for the keys that
// infer the specification version. ok is false when the document is not plain: not one JSON
// object, malformed, a duplicate top-level key, "interactions" or "messages" not an array of
// objects (or null), or both of them present.
func scanPact(r io.Reader) (sc pactScan, ok bool) {
	dec, err := pactDecoder(r)
	if err != nil {
		return sc, false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return sc, false
		}
		key, _ := tok.(string)
		if seen[key] {
			return sc, false
		}
		seen[key] = true
		switch key {
		case "consumer":
			err = dec.Decode(&sc.consumer)
		case "provider":
			err = dec.Decode(&sc.provider)
		case "metadata":
			err = dec.Decode(&sc.metadata)
		case "interactions", "messages":
			if seen["interactions"] && seen["messages"] {
				return sc, false
			}
			err = scanInteractions(dec, &sc.hints, key == "messages")
		default:
			err = dec.Decode(&skipValue{})
		}
		if err != nil {
			return sc, false
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return sc, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return sc, false
	}
	return sc, true
}

// scanInteractions reads one "interactions" or "messages" array, noting the version hints of
// its elements without decoding their values; an error when it is not an array of objects or null.
func scanInteractions(dec *json.Decoder, h *versionHints, messages bool) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if d, _ := tok.(json.Delim); d != '[' {
		return fmt.Errorf("not an array")
	}
	if messages {
		h.messages = true
	}
	for dec.More() {
		var keys map[string]skipValue
		if err := dec.Decode(&keys); err != nil {
			return err
		}
		if keys == nil {
			return fmt.Errorf("not an object")
		}
		if !messages {
			_, typed := keys["type"]
			_, states := keys["providerStates"]
			h.see(typed, states)
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// skipValue decodes any JSON value into nothing (no copy of it is kept).
type skipValue struct{}

// UnmarshalJSON accepts any value.
func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// pactDecoder returns a decoder (numbers as json.Number) positioned inside the document's
// top-level object, after a UTF-8 byte-order mark if any.
func pactDecoder(r io.Reader) (*json.Decoder, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, _ := tok.(json.Delim); d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	return dec, nil
}
