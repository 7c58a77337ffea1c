//go:build pact

package pactref

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	message "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/pact-foundation/pact-go/v2/models"
)

var regenerate = flag.Bool("regenerate", false, "rewrite the reference pacts in testdata/pacts/reference with pact-go's consumer DSL")

// referenceDir holds the committed reference pacts, relative to this package.
var referenceDir = filepath.Join("..", "..", "testdata", "pacts", "reference")

// TestGenerate writes the fixture pacts with pact-go's consumer DSL, exercising pact-go's mock
// server (HTTP) and message pact (messages) for every interaction. With -regenerate it rewrites
// testdata/pacts/reference; otherwise it writes to a temporary folder and fails if the
// committed files differ from what the DSL produces now.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	if *regenerate {
		dir = referenceDir
		for _, f := range fixtures {
			if err := os.Remove(filepath.Join(dir, f.file())); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
	}
	for _, f := range fixtures {
		t.Run(f.provider, func(t *testing.T) {
			switch {
			case len(f.http) > 0 && f.version == "V3":
				writeHTTPV3(t, f, dir)
			case len(f.http) > 0 && f.version == "V4":
				writeHTTPV4(t, f, dir)
			default:
				writeMessagesV4(t, f, dir)
			}
			if *regenerate {
				return
			}
			got, err := readJSON(filepath.Join(dir, f.file()))
			if err != nil {
				t.Fatal(err)
			}
			want, err := readJSON(filepath.Join(referenceDir, f.file()))
			if err != nil {
				t.Fatalf("%v (write it: go test -tags pact ./contracts/pactref -run TestGenerate -regenerate)", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s is stale: pact-go's DSL now writes something else; regenerate it with "+
					"go test -tags pact ./contracts/pactref -run TestGenerate -regenerate", f.file())
			}
		})
	}
}

func readJSON(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func mockConfig(t *testing.T, f fixture, dir string) consumer.MockHTTPProviderConfig {
	return consumer.MockHTTPProviderConfig{
		Consumer: f.consumer, Provider: f.provider, PactDir: dir, LogDir: t.TempDir(), Host: "127.0.0.1",
	}
}

// writeHTTPV3 and writeHTTPV4 declare each interaction with pact-go's V3 or V4 HTTP DSL and run
// it against pact-go's mock server, which writes (merges) the pact file on success.
func writeHTTPV3(t *testing.T, f fixture, dir string) {
	p, err := consumer.NewV3Pact(mockConfig(t, f, dir))
	if err != nil {
		t.Fatal(err)
	}
	forEachHTTP(t, f, func(s httpSpec) error {
		i := p.AddInteraction()
		if s.state != "" {
			i = i.GivenWithParameter(models.ProviderState{Name: s.state, Parameters: s.params})
		}
		return i.UponReceiving(s.desc).
			WithRequest(consumer.Method(s.method), s.path, func(b *consumer.V3RequestBuilder) { applyRequest(b, s) }).
			WillRespondWith(s.status, func(b *consumer.V3ResponseBuilder) { applyResponse(b, s) }).
			ExecuteTest(t, exerciseMock(s))
	})
}

func writeHTTPV4(t *testing.T, f fixture, dir string) {
	p, err := consumer.NewV4Pact(mockConfig(t, f, dir))
	if err != nil {
		t.Fatal(err)
	}
	forEachHTTP(t, f, func(s httpSpec) error {
		i := p.AddInteraction()
		if s.state != "" {
			i = i.GivenWithParameter(models.ProviderState{Name: s.state, Parameters: s.params})
		}
		return i.UponReceiving(s.desc).
			WithRequest(consumer.Method(s.method), s.path, func(b *consumer.V4RequestBuilder) { applyRequest(b, s) }).
			WillRespondWith(s.status, func(b *consumer.V4ResponseBuilder) { applyResponse(b, s) }).
			ExecuteTest(t, exerciseMock(s))
	})
}

func forEachHTTP(t *testing.T, f fixture, declare func(httpSpec) error) {
	t.Helper()
	for _, s := range f.http {
		if err := declare(s); err != nil {
			t.Fatalf("%s: %v", s.desc, err)
		}
	}
}

// requestBuilder is what pact-go's V3 and V4 request builders have in common.
type requestBuilder[B any] interface {
	Query(key string, values ...matchers.Matcher) B
	Header(key string, values ...matchers.Matcher) B
	JSONBody(body interface{}) B
}

func applyRequest[B requestBuilder[B]](b B, s httpSpec) {
	for k, v := range s.query {
		b.Query(k, v)
	}
	for k, v := range s.reqHeaders {
		b.Header(k, v)
	}
	if s.reqBody != nil {
		b.JSONBody(s.reqBody)
	}
}

// responseBuilder is what pact-go's V3 and V4 response builders have in common.
type responseBuilder[B any] interface {
	Header(key string, values ...matchers.Matcher) B
	JSONBody(body interface{}) B
	Body(contentType string, body []byte) B
}

func applyResponse[B responseBuilder[B]](b B, s httpSpec) {
	for k, v := range s.respHeaders {
		b.Header(k, v)
	}
	switch {
	case s.respBody != nil:
		b.JSONBody(s.respBody)
	case s.textType != "":
		b.Body(s.textType, []byte(s.respText))
	}
}

// exerciseMock is the consumer side of a consumer test: it sends the interaction's example
// request to pact-go's mock server and checks the status it answers.
func exerciseMock(s httpSpec) func(consumer.MockServerConfig) error {
	return func(cfg consumer.MockServerConfig) error {
		u := url.URL{Scheme: "http", Host: fmt.Sprintf("%s:%d", cfg.Host, cfg.Port), Path: s.path}
		q := url.Values{}
		for k, v := range s.query {
			q.Set(k, fmt.Sprint(example(v)))
		}
		u.RawQuery = q.Encode()
		var body io.Reader
		if s.reqBody != nil {
			raw, err := json.Marshal(example(s.reqBody))
			if err != nil {
				return err
			}
			body = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(s.method, u.String(), body)
		if err != nil {
			return err
		}
		for k, v := range s.reqHeaders {
			req.Header.Set(k, fmt.Sprint(example(v)))
		}
		client := &http.Client{Timeout: 10 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != s.status {
			return fmt.Errorf("%s %s: mock server answered %d, want %d", s.method, u.String(), resp.StatusCode, s.status)
		}
		return nil
	}
}

// writeMessagesV4 writes the message pact. pact-go writes the whole pact after every message
// and merges it into the file already on disk, which duplicates messages with generators
// (pact_ffi 0.4.28); so each write goes to an emptied scratch folder and the last one, which
// holds every message, is copied to dir.
func writeMessagesV4(t *testing.T, f fixture, dir string) {
	scratch := t.TempDir()
	p, err := message.NewAsynchronousPact(message.Config{Consumer: f.consumer, Provider: f.provider, PactDir: scratch})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		raw, err := os.ReadFile(filepath.Join(scratch, f.file()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, f.file()), raw, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}()
	for _, s := range f.messages {
		if err := os.Remove(filepath.Join(scratch, f.file())); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		b := p.AddAsynchronousMessage()
		if s.state != "" {
			b = b.Given(s.state)
		}
		var got any
		err := b.ExpectsToReceive(s.desc).
			WithMetadata(s.metadata).
			WithJSONContent(s.content).
			AsType(&got).
			ConsumedBy(func(m message.AsynchronousMessage) error {
				want := example(s.content)
				if !reflect.DeepEqual(normalise(m.Body), normalise(want)) {
					return fmt.Errorf("consumer got %v, want the example %v", m.Body, want)
				}
				return nil
			}).
			Verify(t)
		if err != nil {
			t.Fatalf("%s: %v", s.desc, err)
		}
	}
}

// example returns the example value a DSL value (with pact-go matchers) stands for, read from
// the JSON pact-go serialises the matchers to.
func example(dsl any) any {
	raw, err := json.Marshal(dsl)
	if err != nil {
		panic(fmt.Sprintf("fixture DSL is not serialisable: %v", err))
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(err)
	}
	return reify(v)
}

func reify(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if kind, ok := x["pact:matcher:type"].(string); ok {
			switch {
			case kind == "null":
				return nil
			case kind == "arrayContains":
				return reify(x["variants"])
			default:
				return reify(x["value"])
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = reify(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = reify(e)
		}
		return out
	}
	return v
}

// normalise makes a JSON value comparable with reflect.DeepEqual (numbers as float64).
func normalise(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}
