package compat

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/generators"
	"github.com/commbench/commbench/contracts/jsonpath"
	"github.com/commbench/commbench/contracts/matching"
)

// generatorWorld is the state of one generator scenario (pact-reference's generator steps): a
// request or response with generators, the test mode, and the generated copy.
type generatorWorld struct {
	request   *contracts.Request
	response  *contracts.Response
	mode      string // Provider or Consumer
	generated *contracts.Request
	genResp   *contracts.Response
	regex     string // the Regex generator's expression, for "string from the regex"
}

func registerGeneratorSteps(sc *godog.ScenarioContext, w *generatorWorld) {
	sc.Step(`^a request configured with the following generators:$`, func(t *godog.Table) error {
		raw, err := w.part(rows(t)[0], true)
		if err != nil {
			return err
		}
		w.request, err = contracts.ParseRequest(raw, 4, "request")
		return err
	})
	sc.Step(`^a response configured with the following generators:$`, func(t *godog.Table) error {
		raw, err := w.part(rows(t)[0], false)
		if err != nil {
			return err
		}
		w.response, err = contracts.ParseResponse(raw, 4, "response")
		return err
	})
	sc.Step(`^the generator test mode is set as "([^"]*)"$`, func(m string) { w.mode = m })
	sc.Step(`^the request is prepared for use$`, func() error { return w.prepareRequest(&generators.Context{}) })
	sc.Step(`^the request is prepared for use with a "([^"]*)" context:$`, func(kind string, t *godog.Table) error {
		v, err := decodeJSON([]byte(t.Rows[0].Cells[0].Value))
		if err != nil {
			return err
		}
		ctx := &generators.Context{}
		m, _ := v.(map[string]any)
		// pact-reference applies ProviderState generators in Provider mode and MockServerURL
		// generators in Consumer mode only
		switch {
		case kind == "providerState" && w.mode != "Consumer":
			ctx.ProviderState = m
		case kind == "mockServer" && w.mode == "Consumer":
			ctx.MockServerURL, _ = m["href"].(string)
		}
		return w.prepareRequest(ctx)
	})
	sc.Step(`^the response is prepared for use$`, func() error {
		g, err := w.response.Generate(&generators.Context{})
		w.genResp = g
		return err
	})
	sc.Step(`^the body value for "([^"]*)" will have been replaced with an? "([^"]*)"$`, w.bodyValueOfType)
	sc.Step(`^the body value for "([^"]*)" will have been replaced with "([^"]*)"$`, w.bodyValueIs)
	sc.Step(`^the request "([^"]*)" will be set as "([^"]*)"$`, func(field, want string) error {
		got, err := w.requestField(field)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("request %s = %q, want %q", field, got, want)
		}
		return nil
	})
	sc.Step(`^the request "([^"]*)" will match "([^"]*)"$`, func(field, re string) error {
		got, err := w.requestField(field)
		if err != nil {
			return err
		}
		return matches(field, got, re)
	})
	sc.Step(`^the response "([^"]*)" will not be "([^"]*)"$`, func(field, not string) error {
		got, err := w.responseField(field)
		if err != nil {
			return err
		}
		if got == not {
			return fmt.Errorf("response %s is %q", field, got)
		}
		return nil
	})
	sc.Step(`^the response "([^"]*)" will match "([^"]*)"$`, func(field, re string) error {
		got, err := w.responseField(field)
		if err != nil {
			return err
		}
		return matches(field, got, re)
	})
}

func matches(field, got, re string) error {
	r, err := regexp.Compile(re)
	if err != nil {
		return err
	}
	if !r.MatchString(got) {
		return fmt.Errorf("%s = %q does not match %s", field, got, re)
	}
	return nil
}

// part builds a request (GET /path/one) or response (200) object with the row's body and
// generators.
func (w *generatorWorld) part(row map[string]string, request bool) (map[string]any, error) {
	o := map[string]any{"status": json.Number("200")}
	if request {
		o = map[string]any{"method": "GET", "path": "/path/one"}
	}
	if c := row["body"]; c != "" {
		b, err := parseBody(c, "")
		if err != nil {
			return nil, err
		}
		o["body"] = bodyValue(b, 4)
		o["headers"] = map[string]any{"Content-Type": []any{b.contentType}}
	}
	if g := row["generators"]; g != "" {
		raw, err := jsonCell(g)
		if err != nil {
			return nil, err
		}
		o["generators"] = raw
		if body, ok := raw["body"].(map[string]any); ok {
			for _, v := range body {
				if gm, ok := v.(map[string]any); ok && gm["type"] == "Regex" {
					w.regex, _ = gm["regex"].(string)
				}
			}
		}
	}
	return o, nil
}

func (w *generatorWorld) prepareRequest(ctx *generators.Context) error {
	g, err := w.request.Generate(ctx)
	w.generated = g
	return err
}

func (w *generatorWorld) requestField(field string) (string, error) {
	if w.generated == nil {
		return "", fmt.Errorf("the request was not prepared")
	}
	return partField(field, w.generated.Path, 0, w.generated.Headers, w.generated.Query)
}

func (w *generatorWorld) responseField(field string) (string, error) {
	if w.genResp == nil {
		return "", fmt.Errorf("the response was not prepared")
	}
	return partField(field, "", w.genResp.Status, w.genResp.Headers, nil)
}

var fieldRe = regexp.MustCompile(`^(\w+)(?:\[(.+)\])?$`)

func partField(field, path string, status int, headers, query map[string][]string) (string, error) {
	m := fieldRe.FindStringSubmatch(field)
	if m == nil {
		return "", fmt.Errorf("field %q", field)
	}
	switch m[1] {
	case "path":
		return path, nil
	case "status":
		return strconv.Itoa(status), nil
	case "header":
		for k, v := range headers {
			if strings.EqualFold(k, m[2]) && len(v) > 0 {
				return v[0], nil
			}
		}
		return "", fmt.Errorf("no header %s", m[2])
	case "queryParameter":
		if v := query[m[2]]; len(v) > 0 {
			return v[0], nil
		}
		return "", fmt.Errorf("no query parameter %s", m[2])
	}
	return "", fmt.Errorf("field %q", field)
}

// bodyValue returns the value at a JSONPath of the generated request's (or response's) body.
func (w *generatorWorld) bodyValue(path string) (any, error) {
	var b contracts.Body
	switch {
	case w.generated != nil:
		b = w.generated.Body
	case w.genResp != nil:
		b = w.genResp.Body
	default:
		return nil, fmt.Errorf("nothing was prepared")
	}
	v, err := b.JSON()
	if err != nil {
		return nil, err
	}
	p, err := jsonpath.Parse(path)
	if err != nil {
		return nil, err
	}
	for _, t := range p.Tokens[1:] {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: not an object", path)
		}
		v = m[t.Name]
	}
	return v, nil
}

var valueTypes = map[string]*regexp.Regexp{
	"hexadecimal number":         regexp.MustCompile(`^[0-9a-fA-F]+$`),
	"date":                       regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),
	"time":                       regexp.MustCompile(`^\d{2}:\d{2}(:\d{2})?$`),
	"date-time":                  regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}`),
	"UUID":                       regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"simple UUID":                regexp.MustCompile(`^[0-9a-f]{32}$`),
	"lower-case-hyphenated UUID": regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"upper-case-hyphenated UUID": regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`),
	"URN UUID":                   regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
}

// bodyValueOfType checks the generated value's type as pact-reference's assert_value_type, and
// that it differs from the example it replaced.
func (w *generatorWorld) bodyValueOfType(path, kind string) error {
	v, err := w.bodyValue(path)
	if err != nil {
		return err
	}
	bad := func() error { return fmt.Errorf("%s = %s (%T) is not a %s", path, matching.PactValue(v), v, kind) }
	switch kind {
	case "integer":
		n, ok := v.(json.Number)
		if !ok || strings.ContainsAny(string(n), ".eE") {
			return bad()
		}
	case "decimal number":
		n, ok := v.(json.Number)
		if !ok || !strings.Contains(string(n), ".") {
			return bad()
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad()
		}
	case "random string":
		if s, ok := v.(string); !ok || s == "a" {
			return bad()
		}
	case "string from the regex":
		s, ok := v.(string)
		if !ok || w.regex == "" || !regexp.MustCompile(`^(?:`+w.regex+`)$`).MatchString(s) {
			return bad()
		}
	default:
		re := valueTypes[kind]
		s, ok := v.(string)
		if re == nil {
			return fmt.Errorf("unknown value type %q", kind)
		}
		if !ok || !re.MatchString(s) {
			return bad()
		}
	}
	return nil
}

func (w *generatorWorld) bodyValueIs(path, want string) error {
	v, err := w.bodyValue(path)
	if err != nil {
		return err
	}
	got := fmt.Sprint(v)
	if got != want {
		return fmt.Errorf("%s = %s, want %s", path, matching.PactValue(v), want)
	}
	return nil
}
