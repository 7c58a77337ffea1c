package compat

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/matching"
	"github.com/commbench/commbench/results"
)

// matchingWorld is the state of one matching scenario (pact-reference's v3_steps/http_matching.rs
// and v4_steps/http_matching.rs): an expected request or response, what was received, and the
// mismatches of each comparison.
type matchingWorld struct {
	major            int
	expected         *contracts.Request
	expectedResponse *contracts.Response
	received         []*contracts.Request
	receivedResponse *contracts.Response
	results          [][]results.Mismatch
}

func registerMatchingSteps(sc *godog.ScenarioContext, w *matchingWorld) {
	sc.Step(`^an expected request configured with the following:$`, func(t *godog.Table) error {
		r, err := w.request(rows(t)[0])
		w.expected = r
		return err
	})
	sc.Step(`^a request is received with the following:$`, func(t *godog.Table) error {
		r, err := w.request(rows(t)[0])
		w.received = append(w.received, r)
		return err
	})
	sc.Step(`^the following requests are received:$`, func(t *godog.Table) error {
		for _, row := range rows(t) {
			r, err := w.request(row)
			if err != nil {
				return err
			}
			w.received = append(w.received, r)
		}
		return nil
	})
	sc.Step(`^an expected request with an? "([^"]*)" header of "([^"]*)"$`, func(h, v string) {
		w.expected = &contracts.Request{Method: "GET", Path: "/", Headers: map[string][]string{h: {v}}}
	})
	sc.Step(`^a request is received with an? "([^"]*)" header of "([^"]*)"$`, func(h, v string) {
		w.received = append(w.received, &contracts.Request{Method: "GET", Path: "/", Headers: map[string][]string{h: {v}}})
	})
	compare := func() error {
		if w.expected == nil || len(w.received) == 0 {
			return fmt.Errorf("no expected or received request")
		}
		for _, r := range w.received {
			w.results = append(w.results, contracts.MatchRequest(w.expected, r))
		}
		return nil
	}
	sc.Step(`^the request is compared to the expected one$`, compare)
	sc.Step(`^the requests are compared to the expected one$`, compare)
	sc.Step(`^the comparison should be OK$`, w.allMatched)
	sc.Step(`^the comparison should NOT be OK$`, w.notAllMatched)
	sc.Step(`^the mismatches will contain a mismatch with error "([^"]*)" -> "(.*)"$`, w.mismatchWith)

	sc.Step(`^an expected response configured with the following:$`, func(t *godog.Table) error {
		row := rows(t)[0]
		r := &contracts.Response{Status: 200}
		if s := row["status"]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return err
			}
			r.Status = n
		}
		if f := row["matching rules"]; f != "" {
			raw, err := jsonCell(f)
			if err != nil {
				return err
			}
			if r.Rules, err = matching.ParseRules(raw, f); err != nil {
				return err
			}
		}
		w.expectedResponse = r
		return nil
	})
	sc.Step(`^a status (\d+) response is received$`, func(n int) { w.receivedResponse = &contracts.Response{Status: n} })
	sc.Step(`^the response is compared to the expected one$`, func() {
		w.results = append(w.results, contracts.MatchResponse(w.expectedResponse, w.receivedResponse))
	})
	sc.Step(`^the response comparison should be OK$`, w.allMatched)
	sc.Step(`^the response comparison should NOT be OK$`, w.notAllMatched)
	sc.Step(`^the response mismatches will contain a "([^"]*)" mismatch with error "(.*)"$`, func(cat, msg string) error {
		for _, ms := range w.results {
			for _, m := range ms {
				if m.Category == cat && strings.Contains(m.Message, unescape(msg)) {
					return nil
				}
			}
		}
		return fmt.Errorf("no %s mismatch %q in %+v", cat, msg, w.results)
	})
}

// request builds a request from a table row: body (with "content type"), query, headers and
// "matching rules", on GET / as pact-reference's Request::default.
func (w *matchingWorld) request(row map[string]string) (*contracts.Request, error) {
	r := &contracts.Request{Method: "GET", Path: "/"}
	if c, ok := row["body"]; ok && c != "" {
		b, err := parseBody(c, row["content type"])
		if err != nil {
			return nil, err
		}
		r.Body = contracts.NewBody(b.content, b.contentType)
		r.Headers = map[string][]string{"Content-Type": {b.contentType}}
	}
	if q := row["query"]; q != "" {
		v, err := url.ParseQuery(q)
		if err != nil {
			return nil, err
		}
		r.Query = v
	}
	if h := row["headers"]; h != "" {
		if r.Headers == nil {
			r.Headers = map[string][]string{}
		}
		for k, v := range parseHeaders(h) {
			r.Headers[k] = v
		}
	}
	if f := row["matching rules"]; f != "" {
		raw, err := jsonCell(f)
		if err != nil {
			return nil, err
		}
		if r.Rules, err = matching.ParseRules(raw, f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (w *matchingWorld) allMatched() error {
	for _, ms := range w.results {
		if len(ms) > 0 {
			return fmt.Errorf("there were mismatches: %+v", w.results)
		}
	}
	if len(w.results) == 0 {
		return fmt.Errorf("nothing was compared")
	}
	return nil
}

func (w *matchingWorld) notAllMatched() error {
	for _, ms := range w.results {
		if len(ms) > 0 {
			return nil
		}
	}
	return fmt.Errorf("everything matched")
}

// mismatchWith: a mismatch at the path (query parameter, header name, body path or metadata key)
// whose message contains the text or matches it as a regular expression, as pact-reference's
// the_mismatches_will_contain_a_mismatch_with_error.
func (w *matchingWorld) mismatchWith(path, msg string) error {
	msg = unescape(msg)
	re, reErr := regexp.Compile(msg)
	for _, ms := range w.results {
		for _, m := range ms {
			if m.Path != path {
				continue
			}
			if strings.Contains(m.Message, msg) || reErr == nil && re.MatchString(m.Message) {
				return nil
			}
		}
	}
	return fmt.Errorf("no mismatch at %s with %q in %+v", path, msg, w.results)
}
