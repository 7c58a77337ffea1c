package broker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// link is a HAL link (pact_broker.rs Link).
type link struct {
	Name      string
	Href      string
	Templated bool
	Title     string
}

// links reads the "_links" object of a HAL document (pact_broker.rs links_from_json). Array
// values (such as "pacts" or "curies") are skipped; use linkList for them.
func links(doc map[string]any) map[string]link {
	out := map[string]link{}
	m, _ := doc["_links"].(map[string]any)
	for name, v := range m {
		if o, ok := v.(map[string]any); ok {
			out[name] = linkOf(name, o)
		}
	}
	return out
}

func linkOf(name string, o map[string]any) link {
	l := link{Name: name}
	for k, v := range o { // the reference looks "href" up case-insensitively (find_entry)
		if strings.EqualFold(k, "href") {
			l.Href = asString(v)
		}
	}
	l.Templated, _ = o["templated"].(bool)
	if t, ok := o["title"]; ok {
		l.Title = asString(t)
	}
	return l
}

// linkList reads a link whose value is an array (pact_broker.rs HALClient::iter_links).
func linkList(doc map[string]any, name string) ([]link, bool) {
	m, _ := doc["_links"].(map[string]any)
	arr, ok := m[name].([]any)
	if !ok {
		return nil, false
	}
	var out []link
	for _, v := range arr {
		switch x := v.(type) {
		case map[string]any:
			out = append(out, linkOf(name, x))
		case string:
			out = append(out, link{Name: name, Href: x})
		}
	}
	return out, true
}

func asString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var templateVar = regexp.MustCompile(`\{(\w+)}`)

// expand fills a templated href: each {name} with values[name] percent-encoded (every byte but
// A-Z a-z 0-9 - _ . ~, as the urlencoding crate does), unknown names left as they are
// (pact_broker.rs HALClient::parse_link_url).
func expand(href string, values map[string]string) string {
	return templateVar.ReplaceAllStringFunc(href, func(m string) string {
		if v, ok := values[m[1:len(m)-1]]; ok {
			return encode(v)
		}
		return m
	})
}

func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// halClient walks the broker's HAL resources (pact_broker.rs HALClient). Every request goes to
// the broker's scheme and host: a link's own host and query are dropped and only its path is kept,
// as the reference does (HALClient::fetch_url and send_document use the joined URL's path).
type halClient struct {
	base     *url.URL
	auth     Auth
	client   *http.Client
	retries  int
	delay    time.Duration
	maxBytes int64
	onRetry  func(Retry)
}

// pathOf returns the escaped path a link points to, resolved against the broker URL.
func (h *halClient) pathOf(href string) (string, error) {
	ref, err := url.Parse(href)
	if err != nil {
		return "", fmt.Errorf("invalid link %q: %w", redactURL(href), err)
	}
	return h.base.ResolveReference(ref).EscapedPath(), nil
}

// urlFor returns the URL of path on the broker; "" is the broker URL itself (the index).
func (h *halClient) urlFor(path string) string {
	if path == "" {
		return h.base.String()
	}
	u := url.URL{Scheme: h.base.Scheme, User: h.base.User, Host: h.base.Host}
	return u.String() + path
}

// get fetches a HAL resource (HALClient::fetch): GET with Accept "application/hal+json,
// application/json".
func (h *halClient) get(ctx context.Context, path string) (map[string]any, []byte, error) {
	return h.send(ctx, http.MethodGet, path, nil)
}

// send makes one request, retried on 5xx, 408 and 429 (utils.rs with_retries), and reads a JSON
// answer (HALClient::parse_broker_response). POST and PUT send Content-Type application/json and
// Accept application/hal+json and application/json (HALClient::send_document).
func (h *halClient) send(ctx context.Context, method, path string, body []byte) (map[string]any, []byte, error) {
	target := h.urlFor(path)
	shown := redactURL(target)
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = h.delay
	bo.Multiplier = 2
	bo.RandomizationFactor = 0
	bo.MaxInterval = 16 * h.delay
	attempt := func() (*response, error) {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return nil, backoff.Permanent(fmt.Errorf("%s %s: %w", method, shown, err))
		}
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
			req.Header.Set("Accept", "application/hal+json, application/json")
		} else {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Add("Accept", "application/hal+json")
			req.Header.Add("Accept", "application/json")
		}
		req.Header.Set("User-Agent", "commbench")
		h.auth.apply(req)
		resp, err := h.client.Do(req)
		if err != nil {
			return nil, backoff.Permanent(&Error{Method: method, URL: shown, Err: fmt.Errorf("%w: %w", ErrUnreachable, scrub(err))})
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, h.maxBytes+1))
		if err != nil {
			return nil, backoff.Permanent(&Error{Method: method, URL: shown, Status: resp.StatusCode, Err: fmt.Errorf("%w: reading the answer: %w", ErrUnreachable, scrub(err))})
		}
		r := &response{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: data}
		if retryable(resp.StatusCode) {
			return r, &Error{Method: method, URL: shown, Status: resp.StatusCode, Err: ErrUnavailable}
		}
		return r, nil
	}
	tries := uint(h.retries) + 1
	r, err := backoff.Retry(ctx, attempt, backoff.WithBackOff(bo), backoff.WithMaxTries(tries), backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			var e *Error
			if h.onRetry != nil && errors.As(err, &e) {
				h.onRetry(Retry{Method: method, URL: shown, Status: e.Status, Wait: wait})
			}
		}))
	if err != nil {
		var e *Error
		if errors.As(err, &e) && errors.Is(err, ErrUnavailable) {
			e.Err = fmt.Errorf("%w (after %d attempts)", ErrUnavailable, tries)
		}
		return nil, nil, err
	}
	if int64(len(r.body)) > h.maxBytes {
		return nil, nil, &Error{Method: method, URL: shown, Status: r.status, Err: fmt.Errorf("answer larger than %d bytes", h.maxBytes)}
	}
	return r.decode(method, shown)
}

type response struct {
	status      int
	contentType string
	body        []byte
}

func retryable(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
}

// decode follows HALClient::parse_broker_response: a success must be JSON (application/json or
// application/hal+json); 404 is "not found"; 400 carries validation errors; 401 and 403 are refused
// credentials.
func (r *response) decode(method, shown string) (map[string]any, []byte, error) {
	fail := func(err error) (map[string]any, []byte, error) {
		return nil, nil, &Error{Method: method, URL: shown, Status: r.status, Err: err}
	}
	isJSON := false
	if mt, _, err := mime.ParseMediaType(r.contentType); err == nil {
		isJSON = mt == "application/json" || mt == "application/hal+json"
	}
	switch {
	case r.status >= 200 && r.status < 300:
		if len(bytes.TrimSpace(r.body)) == 0 {
			return nil, r.body, nil
		}
		if !isJSON {
			return fail(fmt.Errorf("the broker did not answer HAL+JSON (content type %q)", r.contentType))
		}
		var doc map[string]any
		if err := json.Unmarshal(r.body, &doc); err != nil {
			return fail(fmt.Errorf("the broker did not answer a HAL+JSON object: %w", err))
		}
		return doc, r.body, nil
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
		return fail(ErrUnauthorized)
	case r.status == http.StatusNotFound:
		return fail(ErrNotFound)
	case r.status == http.StatusBadRequest:
		msg := strings.TrimSpace(string(r.body))
		if isJSON {
			msg = validationErrors(r.body)
		}
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		return fail(fmt.Errorf("%w: %s", ErrRejected, msg))
	}
	return fail(fmt.Errorf("HTTP %d", r.status))
}

// validationErrors reads a 400 answer's "errors" (pact_broker.rs handle_validation_errors).
func validationErrors(body []byte) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return strings.TrimSpace(string(body))
	}
	switch e := doc["errors"].(type) {
	case []any:
		var out []string
		for _, v := range e {
			out = append(out, asString(v))
		}
		return strings.Join(out, ", ")
	case map[string]any:
		var out []string
		for field, v := range e {
			switch x := v.(type) {
			case []any:
				var s []string
				for _, y := range x {
					s = append(s, asString(y))
				}
				out = append(out, field+": "+strings.Join(s, ", "))
			default:
				out = append(out, field+": "+asString(x))
			}
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	case nil:
		return strings.TrimSpace(string(body))
	default:
		return asString(e)
	}
}

// redactURL removes user info from a URL so no secret reaches errors or results.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	if p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

// scrub removes URLs with user info from transport errors (net/http errors quote the URL).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s", strings.ReplaceAll(ue.Err.Error(), ue.URL, redactURL(ue.URL)))
	}
	return err
}

// apply sets the credentials: basic auth when a user is given (with an empty password when none),
// else a bearer token (pact_verifier_cli pact_source: --user wins over --token).
func (a Auth) apply(req *http.Request) {
	switch {
	case a.Username != "":
		req.SetBasicAuth(a.Username, a.Password)
	case a.Token != "":
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
}

// String describes the credentials without showing them.
func (a Auth) String() string {
	switch {
	case a.Username != "":
		return "basic auth as " + strconv.Quote(a.Username)
	case a.Token != "":
		return "bearer token"
	}
	return "none"
}
