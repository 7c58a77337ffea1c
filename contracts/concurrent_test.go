package contracts

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/results"
)

// concurrentPact has a message with JSON contents (V4 envelope object), a message whose JSON
// contents are a string, and an HTTP interaction with an inline JSON response body: the three
// ways a contract's JSON body is cached at load.
const concurrentPact = `{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"4.0"}},
"interactions":[
 {"type":"Asynchronous/Messages","description":"object","contents":{"contentType":"application/json","encoded":false,"content":{"id":1,"tags":["a"]}},
  "matchingRules":{"body":{"$.id":{"matchers":[{"match":"integer"}]},"$.tags":{"matchers":[{"match":"type","min":1}]}}}},
 {"type":"Asynchronous/Messages","description":"string","contents":{"contentType":"application/json","encoded":false,"content":"{\"id\":2}"},
  "matchingRules":{"body":{"$.id":{"matchers":[{"match":"integer"}]}}}},
 {"type":"Synchronous/HTTP","description":"http","request":{"method":"GET","path":"/"},
  "response":{"status":200,"headers":{"Content-Type":["application/json"]},"body":{"id":3}}}
]}`

// TestConcurrentMatchSharesContract: goroutines verifying against the same loaded contract get
// the verdicts a single goroutine gets (run with -race: the contract's bodies are only read).
func TestConcurrentMatchSharesContract(t *testing.T) {
	p, err := Parse([]byte(concurrentPact), "concurrent.json")
	if err != nil {
		t.Fatal(err)
	}
	actuals := []string{`{"id":7,"tags":["x","y"]}`, `{"id":"7","tags":[]}`, `{"id":3}`, `not json`}
	check := func() []string {
		var out []string
		for _, a := range actuals {
			body := NewBody([]byte(a), "application/json")
			out = append(out, summary(MatchMessage(p.Interactions[0].Message, body, nil)))
			out = append(out, summary(MatchMessage(p.Interactions[1].Message, body, nil)))
			out = append(out, summary(MatchResponse(p.Interactions[2].Response, &Response{Status: 200, Body: body})))
		}
		return out
	}
	want := check()
	if strings.Count(strings.Join(want, "|"), "ok") == 0 || strings.Count(strings.Join(want, "|"), "mismatch") == 0 {
		t.Fatalf("the cases should both match and mismatch: %v", want)
	}
	// a fresh pact, so the first use of each body happens concurrently
	if p, err = Parse([]byte(concurrentPact), "concurrent.json"); err != nil {
		t.Fatal(err)
	}
	const goroutines, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				if got := check(); fmt.Sprint(got) != fmt.Sprint(want) {
					errs <- fmt.Sprintf("round %d: %v, want %v", r, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func summary(ms []results.Mismatch) string {
	if len(ms) == 0 {
		return "ok"
	}
	var paths []string
	for _, m := range ms {
		paths = append(paths, m.Path)
	}
	return "mismatch at " + strings.Join(paths, ",")
}
