package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/testenv"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", name)
}

func loadOne(t *testing.T, path string) *Pact {
	t.Helper()
	ps, err := Load(context.Background(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("Load(%s) = %d pacts, want 1", path, len(ps))
	}
	return ps[0]
}

func TestLoadV3MessageQuirks(t *testing.T) {
	p := loadOne(t, fixture(t, "v3-quirks.json"))
	if p.Consumer != "order-ui" || p.Provider != "order-events" || p.Major() != 3 {
		t.Fatalf("pact header = %q %q %q", p.Consumer, p.Provider, p.SpecVersion)
	}
	if len(p.Interactions) != 1 || p.Interactions[0].Kind != KindAsynchronousMessage {
		t.Fatalf("interactions = %+v", p.Interactions)
	}
	in := p.Interactions[0]
	if in.ProviderStates[0].Params["id"].(json.Number).String() != "12345678901234567890" {
		t.Errorf("state param lost precision: %v", in.ProviderStates[0].Params["id"])
	}
	if in.Message.Metadata["topic"] != "orders" {
		t.Errorf("metaData spelling not read: %v", in.Message.Metadata)
	}
	if in.Message.Rules.Get("body") == nil || in.Message.Rules.Get("metadata") == nil {
		t.Fatalf("contents/metaData rule categories not read: %v", in.Message.Rules)
	}
	ok := Body{State: BodyPresent, ContentType: "application/json", Content: []byte(`{"id":12345678901234567890,"total":99.99,"items":[{"sku":"B","qty":1},{"sku":"C","qty":3}],"extra":true}`)}
	if mis := MatchMessage(in.Message, ok, map[string]any{"contentType": "application/json", "topic": "returns"}); len(mis) != 0 {
		t.Errorf("matching message gave %+v", mis)
	}
	bad := Body{State: BodyPresent, ContentType: "application/json", Content: []byte(`{"id":12345678901234567891,"total":99,"items":[]}`)}
	mis := MatchMessage(in.Message, bad, map[string]any{"topic": "audit"})
	paths := map[string]bool{}
	for _, m := range mis {
		paths[m.Category+" "+m.Path] = true
	}
	for _, want := range []string{"body $.id", "body $.total", "body $.items", "metadata topic", "metadata contentType"} {
		if !paths[want] {
			t.Errorf("missing mismatch %q in %+v", want, mis)
		}
	}
}

func TestLoadV2FlatRules(t *testing.T) {
	p := loadOne(t, fixture(t, "v2-flat-rules.json"))
	in := p.Interactions[0]
	if in.ProviderStates[0].Name != "basket 7 exists" {
		t.Errorf("providerState = %+v", in.ProviderStates)
	}
	if got := in.Request.Query["expand"]; !reflect.DeepEqual(got, []string{"items", "prices"}) {
		t.Errorf("query = %v", got)
	}
	actual := &Response{Status: 200, Headers: map[string][]string{"content-type": {"application/json"}},
		Body: NewBody([]byte(`{"id":8,"items":[{"name":"milk","price":2.5},{"name":"bread","price":2.5}]}`), "application/json")}
	if mis := MatchResponse(in.Response, actual); len(mis) != 0 {
		t.Errorf("mismatches %+v", mis)
	}
	actual.Body = NewBody([]byte(`{"id":"8","items":[{"name":"milk tea","price":2.5}]}`), "application/json")
	if mis := MatchResponse(in.Response, actual); len(mis) != 2 {
		t.Errorf("want 2 mismatches ($.id type, $.items[0].name regex), got %+v", mis)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"malformed JSON line and column", "{\n  \"consumer\": {\"name\": \"a\"},\n  \"provider\": x\n}", "bad.json:3:15"},
		{"truncated", "{\"consumer\": ", "bad.json:1:14"},
		{"not an object", "[1]", "a pact must be a JSON object"},
		{"unknown version", `{"metadata":{"pactSpecification":{"version":"5.0"}}}`, "unsupported pact specification version"},
		{"invalid regex", `{"interactions":[{"description":"d","request":{"method":"GET","path":"/","matchingRules":{"path":{"matchers":[{"match":"regex","regex":"(["}]}}},"response":{"status":200}}]}`, `interactions[0] ("d"): request: matchingRules.path.matchers[0]: invalid regular expression`},
		{"unknown interaction type", `{"interactions":[{"type":"Carrier/Pigeon","description":"d"}],"metadata":{"pactSpecification":{"version":"4.0"}}}`, `interaction type "Carrier/Pigeon"`},
		{"bad base64", `{"interactions":[{"type":"Asynchronous/Messages","description":"d","contents":{"content":"!!","contentType":"application/octet-stream","encoded":"base64"}}]}`, "invalid base64"},
		{"bad jsonpath", `{"interactions":[{"description":"d","request":{"method":"GET","path":"/"},"response":{"status":200,"matchingRules":{"body":{"$[x]":{"matchers":[{"match":"type"}]}}}}}]}`, "offset 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "bad.json")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	_, err := Parse([]byte(`{"metadata":{"pactSpecification":{"version":"9"}}}`), "x")
	if !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("version error %v is not ErrUnsupportedVersion", err)
	}
}

func TestParseBOMAndVersionInference(t *testing.T) {
	doc := "\xef\xbb\xbf" + `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{"method":"GET","path":"/"},"response":{"status":204}}]}`
	p, err := Parse([]byte(doc), "bom.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Major() != 2 || p.Interactions[0].Response.Status != 204 {
		t.Errorf("got version %s status %d", p.SpecVersion, p.Interactions[0].Response.Status)
	}
}

func TestLoadDirAndURL(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"v2-flat-rules.json", "v3-quirks.json"} {
		data, err := os.ReadFile(fixture(t, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a pact"), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err := Load(context.Background(), dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Provider != "basket-api" || ps[1].Provider != "order-events" {
		t.Fatalf("dir load = %d pacts", len(ps))
	}

	body, _ := os.ReadFile(fixture(t, "v3-quirks.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bearer":
			if r.Header.Get("Authorization") != "Bearer s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		case "/basic":
			if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "pw" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		w.Write(body)
	}))
	defer srv.Close()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		path    string
		env     map[string]string
		wantErr string
	}{
		{"bearer", "/bearer", map[string]string{"PACT_BROKER_TOKEN": "s3cret"}, ""},
		{"basic", "/basic", map[string]string{"PACT_BROKER_USERNAME": "ci", "PACT_BROKER_PASSWORD": "pw"}, ""},
		{"no credentials", "/bearer", nil, "HTTP 401 (set PACT_BROKER_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := Load(context.Background(), srv.URL+tt.path, LoadOptions{Getenv: env(tt.env)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("secret in error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ps[0].Source != srv.URL+tt.path || len(ps[0].Interactions) != 1 {
				t.Errorf("loaded %+v", ps[0])
			}
		})
	}
}

// normalise decodes JSON generically (numbers as json.Number) for comparisons.
func normalise(t *testing.T, data []byte) any {
	t.Helper()
	v, err := decodeJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRealPactsRoundTripAndMatch(t *testing.T) {
	for _, name := range []string{"grpc-response-metadata.json", "kafka-request-reply.json", "message-with-metadata-v4.json"} {
		t.Run(name, func(t *testing.T) {
			path := testenv.SharedFile(t, "real-pacts", name)
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p := loadOne(t, path)
			if p.Major() != 4 || len(p.Interactions) == 0 {
				t.Fatalf("version %s, %d interactions", p.SpecVersion, len(p.Interactions))
			}
			out, err := p.JSONV4()
			if err != nil {
				t.Fatal(err)
			}
			if want, got := normalise(t, orig), normalise(t, out); !reflect.DeepEqual(want, got) {
				t.Errorf("round trip changed the document:\n%s", out)
			}
			for _, in := range p.Interactions {
				var msgs []*Message
				switch in.Kind {
				case KindAsynchronousMessage:
					msgs = []*Message{in.Message}
				case KindSynchronousMessage:
					msgs = append([]*Message{in.SyncRequest}, in.SyncResponses...)
				}
				for _, m := range msgs {
					// the contract's own example satisfies it...
					if mis := MatchMessage(m, m.Contents, m.Metadata); len(mis) != 0 {
						t.Errorf("%s: example does not match itself: %+v", in.Description, mis)
					}
					// ...and metadata without the expected keys does not
					if len(m.Metadata) > 0 {
						if mis := MatchMessage(m, m.Contents, map[string]any{}); len(mis) != len(m.Metadata) {
							t.Errorf("%s: %d mismatches for empty metadata, want %d", in.Description, len(mis), len(m.Metadata))
						}
					}
				}
			}
		})
	}
}
