package contracts

import (
	"regexp"
	"strings"
	"testing"

	"github.com/commbench/commbench/contracts/generators"
)

// parse reads a one-interaction pact written inline.
func parsePact(t *testing.T, doc string) *Pact {
	t.Helper()
	p, err := Parse([]byte(doc), "inline.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 14, difference 2: a header or query generator on a request that has no headers or query
// panicked ("assignment to entry in nil map"). Pact inserts the generated value.
func TestGenerateHeaderAndQueryOnBareRequest(t *testing.T) {
	p := parsePact(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"3.0.0"}},
	  "interactions":[{"description":"d","request":{"method":"GET","path":"/",
	    "generators":{"header":{"X-ID":{"type":"RandomInt","min":1,"max":9}},"query":{"q":{"type":"RandomInt","min":1,"max":9}}}},
	  "response":{"status":200,"generators":{"header":{"X-Res":{"type":"Uuid"}}}}}]}`)
	in := p.Interactions[0]
	req, err := in.Request.Generate(&generators.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if v := req.Headers["X-ID"]; len(v) != 1 || !regexp.MustCompile(`^\d$`).MatchString(v[0]) {
		t.Errorf("generated header X-ID = %v", v)
	}
	if v := req.Query["q"]; len(v) != 1 || !regexp.MustCompile(`^\d$`).MatchString(v[0]) {
		t.Errorf("generated query q = %v", v)
	}
	if in.Request.Headers != nil || in.Request.Query != nil {
		t.Errorf("the contract's request changed: %v %v", in.Request.Headers, in.Request.Query)
	}
	resp, err := in.Response.Generate(&generators.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if v := resp.Headers["X-Res"]; len(v) != 1 || len(strings.TrimSpace(v[0])) != 36 {
		t.Errorf("generated header X-Res = %v", v)
	}
}

// Issue 14, difference 8: a V4 statusCode rule keyed by "$" (as pact-js writes it) was ignored and
// the status compared exactly.
func TestStatusCodeRuleKeyedByRoot(t *testing.T) {
	p := parsePact(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"4.0"}},
	  "interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/a/1",
	    "matchingRules":{"path":{"$":{"combine":"AND","matchers":[{"match":"regex","regex":"/a/\\d+"}]}}}},
	  "response":{"status":200,"matchingRules":{"status":{"$":{"combine":"AND","matchers":[{"match":"statusCode","status":"success"}]}}}}}]}`)
	for _, round := range []bool{false, true} {
		if round {
			out, err := p.JSONV4()
			if err != nil {
				t.Fatal(err)
			}
			p = parsePact(t, string(out))
		}
		in := p.Interactions[0]
		if mis := MatchResponse(in.Response, &Response{Status: 204}); len(mis) != 0 {
			t.Errorf("round trip %v: 204 against a success statusCode rule: %+v", round, mis)
		}
		mis := MatchResponse(in.Response, &Response{Status: 404})
		if len(mis) != 1 || mis[0].Category != "status" || !strings.Contains(mis[0].Message, "Expected status code 404 to be a Successful response (200–299)") {
			t.Errorf("round trip %v: 404 against a success statusCode rule: %+v", round, mis)
		}
		if mis := MatchRequest(in.Request, &Request{Method: "GET", Path: "/a/77"}); len(mis) != 0 {
			t.Errorf("round trip %v: path rule keyed by $: %+v", round, mis)
		}
	}
}
