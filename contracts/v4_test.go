package contracts

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/commbench/commbench/contracts/generators"
)

// actualCase is one observed request/response/message and whether it satisfies the contract.
type actualCase struct {
	name        string
	interaction string
	request     *Request
	response    *Response
	message     *Body
	metadata    map[string]any
	match       bool
}

func jsonBody(s string) Body { return NewBody([]byte(s), "application/json") }

func v4Cases() []actualCase {
	hdr := map[string][]string{"Content-Type": {"application/json"}}
	okList := `[{"size":1,"name":"a","id":1.5,"created":"2024-01-01T00:00:00","tags":{"x":"y"}},{"size":2,"name":"b","id":7,"created":"2024-01-01T00:00:00","tags":{}}]`
	return []actualCase{
		{name: "request matches", interaction: "GET request to retrieve default values", match: true,
			request: &Request{Method: "get", Path: "/api/test/12345", Query: map[string][]string{"page": {"3"}}, Headers: map[string][]string{"accept": {"application/json"}}}},
		{name: "request path breaks regex", interaction: "GET request to retrieve default values",
			request: &Request{Method: "GET", Path: "/api/test/abc", Query: map[string][]string{"page": {"1"}}, Headers: map[string][]string{"Accept": {"application/json"}}}},
		{name: "request query not a number", interaction: "GET request to retrieve default values",
			request: &Request{Method: "GET", Path: "/api/test/1", Query: map[string][]string{"page": {"one"}}, Headers: map[string][]string{"Accept": {"application/json"}}}},
		{name: "response matches", interaction: "GET request to retrieve default values", match: true,
			response: &Response{Status: 201, Headers: hdr, Body: jsonBody(okList)}},
		{name: "response status class", interaction: "GET request to retrieve default values",
			response: &Response{Status: 302, Headers: hdr, Body: jsonBody(okList)}},
		{name: "response empty array", interaction: "GET request to retrieve default values",
			response: &Response{Status: 200, Headers: hdr, Body: jsonBody(`[]`)}},
		{name: "response wrong types", interaction: "GET request to retrieve default values",
			response: &Response{Status: 200, Headers: hdr, Body: jsonBody(`[{"size":1.5,"name":"","id":"7","created":"yesterday","tags":{"A":1}}]`)}},
		{name: "search request", interaction: "a search with an array that contains variants", match: true,
			request: &Request{Method: "POST", Path: "/search", Headers: hdr, Body: jsonBody(`{"q":"hot tea","version":"2.0.0"}`)}},
		{name: "search request bad semver", interaction: "a search with an array that contains variants",
			request: &Request{Method: "POST", Path: "/search", Headers: hdr, Body: jsonBody(`{"q":"tea","version":"2"}`)}},
		{name: "search response contains", interaction: "a search with an array that contains variants", match: true,
			response: &Response{Status: 200, Headers: hdr, Body: jsonBody(`{"results":[{"kind":"x","price":1},{"kind":"coffee","price":3},{"kind":"tea","price":9.99}]}`)}},
		{name: "search response lacks variant", interaction: "a search with an array that contains variants",
			response: &Response{Status: 200, Headers: hdr, Body: jsonBody(`{"results":[{"kind":"coffee","price":3}]}`)}},
		{name: "message matches", interaction: "Test Message", match: true,
			message: ptr(jsonBody(`{"a":"99-1","b":true}`)), metadata: map[string]any{"contentType": "application/json", "destination": "a/b/c"}},
		{name: "message regex fails", interaction: "Test Message",
			message: ptr(jsonBody(`{"a":"x-1"}`)), metadata: map[string]any{"contentType": "application/json", "destination": "a/b/c"}},
		{name: "message metadata differs", interaction: "Test Message",
			message: ptr(jsonBody(`{"a":"1-1"}`)), metadata: map[string]any{"contentType": "application/json", "destination": "x"}},
	}
}

func ptr[T any](v T) *T { return &v }

func verdict(t *testing.T, p *Pact, c actualCase) bool {
	t.Helper()
	for _, in := range p.Interactions {
		if in.Description != c.interaction {
			continue
		}
		switch {
		case c.request != nil:
			return len(MatchRequest(in.Request, c.request)) == 0
		case c.response != nil:
			return len(MatchResponse(in.Response, c.response)) == 0
		default:
			return len(MatchMessage(in.Message, *c.message, c.metadata)) == 0
		}
	}
	t.Fatalf("no interaction %q in %s", c.interaction, p.Source)
	return false
}

// TestV4MatchesItsV3Conversion: the V4 fixture (built from SPEC-v4.md examples) and the V3 file
// written from it give the same verdict for every observed request, response and message.
func TestV4MatchesItsV3Conversion(t *testing.T) {
	v4 := loadOne(t, fixture(t, "v4-spec.json"))
	if v4.Major() != 4 || len(v4.Interactions) != 4 {
		t.Fatalf("v4 fixture: version %s, %d interactions", v4.SpecVersion, len(v4.Interactions))
	}
	if _, err := v4.JSONV3(); err == nil {
		t.Fatal("JSONV3 of a pact with a synchronous message succeeded")
	}
	// V3 has no synchronous messages: convert the rest
	noSync := *v4
	noSync.Interactions = nil
	for _, in := range v4.Interactions {
		if in.Kind != KindSynchronousMessage {
			noSync.Interactions = append(noSync.Interactions, in)
		}
	}
	data, err := noSync.JSONV3()
	if err != nil {
		t.Fatal(err)
	}
	v3, err := Parse(data, "converted-v3.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if v3.Major() != 3 || len(v3.Interactions) != 3 {
		t.Fatalf("v3: version %s, %d interactions", v3.SpecVersion, len(v3.Interactions))
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := raw["messages"].([]any); len(msgs) != 1 {
		t.Errorf("V3 file has %d messages, want 1", len(msgs))
	}
	for _, c := range v4Cases() {
		t.Run(c.name, func(t *testing.T) {
			got4, got3 := verdict(t, v4, c), verdict(t, v3, c)
			if got4 != c.match {
				t.Errorf("V4 verdict %v, want %v", got4, c.match)
			}
			if got3 != got4 {
				t.Errorf("V3 verdict %v differs from V4 verdict %v", got3, got4)
			}
		})
	}
	// and the V4 file round-trips through our writer
	out, err := v4.JSONV4()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out, "again.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v4Cases() {
		if verdict(t, again, c) != c.match {
			t.Errorf("%s: verdict changed after V4 round trip", c.name)
		}
	}
}

func TestSyncMessageMatching(t *testing.T) {
	p := loadOne(t, fixture(t, "v4-spec.json"))
	in := p.Interactions[3]
	if in.Kind != KindSynchronousMessage || len(in.SyncResponses) != 1 {
		t.Fatalf("interaction 3: %+v", in)
	}
	if mis := MatchMessage(in.SyncResponses[0], jsonBody(`{"sku":"A-1","price":9.5}`), nil); len(mis) != 0 {
		t.Errorf("%+v", mis)
	}
	mis, err := MatchDecoded(in.SyncResponses[0], nil, map[string]any{"sku": "A-1", "price": 9})
	if err != nil {
		t.Fatal(err)
	}
	if len(mis) != 1 || mis[0].Path != "$.price" {
		t.Errorf("decoded value: %+v", mis)
	}
}

func TestGenerateRequestAndMessage(t *testing.T) {
	p := loadOne(t, fixture(t, "v4-spec.json"))
	ctx := &generators.Context{ProviderState: map[string]any{"id": json.Number("777")}, Rand: rand.New(rand.NewPCG(3, 4))}
	req := p.Interactions[0].Request
	g, err := req.Generate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.Path != "/api/test/777" || req.Path != "/api/test/8" {
		t.Errorf("generated path %q (contract path %q)", g.Path, req.Path)
	}
	if mis := MatchRequest(req, g); len(mis) != 0 {
		t.Errorf("generated request does not satisfy its contract: %+v", mis)
	}
	msg := p.Interactions[2].Message
	gm, err := msg.Generate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := gm.Contents.JSON()
	if err != nil {
		t.Fatal(err)
	}
	a := v.(map[string]any)["a"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-`).MatchString(a) {
		t.Errorf("generated a = %q, want a UUID", a)
	}
	orig, _ := msg.Contents.JSON()
	if orig.(map[string]any)["a"] != "1234-1234" {
		t.Errorf("contract contents changed: %v", orig)
	}
	resp := p.Interactions[0].Response
	gr, err := resp.Generate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if mis := MatchResponse(resp, gr); len(mis) != 0 {
		t.Errorf("generated response does not satisfy its contract: %+v", mis)
	}
	if _, err := req.Generate(&generators.Context{}); err == nil {
		t.Error("ProviderState generator without state values: no error")
	}
}
