// Package broker is a Pact Broker (and PactFlow) client for a provider pipeline: it asks the
// broker which pacts to verify for this provider version and branch, and publishes the
// verification results that `can-i-deploy` then reads.
//
// It follows Pact's reference verifier request for request (pact-foundation/pact-reference,
// rust/pact_verifier/src/pact_broker.rs), so a pipeline can switch tools without the broker seeing
// a difference:
//
//   - Fetch with consumer version selectors or tags follows fetch_pacts_dynamically_from_broker:
//     GET the index, GET its pb:provider-pacts-for-verification link (templated with the provider
//     name), POST the request body to that resource's self link, then GET each pact from its self
//     link. Without selectors or tags it follows fetch_pacts_from_broker: GET the index, GET
//     pb:latest-provider-pacts, GET each of its "pacts" links.
//   - Publish follows publish_verification_results: with a branch, GET the pact's pb:provider and PUT
//     "{}" to its pb:branch-version; with tags, GET pb:provider again and PUT "{}" to pb:version-tag
//     per tag; then POST the results to the pact's pb:publish-verification-results (build_payload).
//
// Every request retries on 5xx, 408 and 429 with exponential backoff (utils.rs with_retries;
// cenkalti/backoff). Credentials never appear in errors or results: URLs are shown without user
// info, and tokens are only ever sent in the Authorization header.
//
// Errors wrap the sentinels below; the ones that stop a run carry their commbench exit code
// (internal/exitcode): refused credentials and an unreachable or failing broker exit 3, no pacts
// for the selectors exits 1 (as the reference verifier fails), a request the broker rejected
// exits 2.
package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
)

// Sentinels wrapped by the errors of this package (test with errors.Is).
var (
	// ErrUnauthorized: the broker refused the credentials (HTTP 401 or 403). Exit code 3.
	ErrUnauthorized = errors.New("the Pact Broker refused the credentials (HTTP 401/403): check --token or --user/--password (PACT_BROKER_TOKEN, PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD)")
	// ErrUnreachable: the broker did not answer (connection refused, DNS, timeout). Exit code 3.
	ErrUnreachable = errors.New("the Pact Broker could not be reached")
	// ErrUnavailable: the broker kept answering 5xx, 408 or 429 after the retries. Exit code 3.
	ErrUnavailable = errors.New("the Pact Broker is unavailable")
	// ErrNotFound: a resource or link was not found.
	ErrNotFound = errors.New("not found")
	// ErrRejected: the broker rejected the request (HTTP 400, validation errors). Exit code 2.
	ErrRejected = errors.New("the Pact Broker rejected the request")
	// ErrNoPacts: the broker has no pact for the provider and selectors. Exit code 1 unless
	// Config.IgnoreNoPactsError.
	ErrNoPacts = errors.New("no pacts to verify")
	// ErrLink: a HAL link the workflow needs is missing (an old broker, or not a Pact Broker).
	ErrLink = errors.New("missing HAL link")
)

// Error is a failed broker request. URL never carries credentials.
type Error struct {
	Method string
	URL    string
	Status int // 0 when no answer came
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("pact broker: %s %s: %v", e.Method, e.URL, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Retry describes a request about to be retried (Config.OnRetry).
type Retry struct {
	Method, URL string
	Status      int
	Wait        time.Duration
}

// Auth holds the broker credentials: basic auth when Username is set, else a bearer Token.
// Its String method never shows a password or token.
type Auth struct {
	Username, Password string
	Token              string
}

// Selector is a consumer version selector (docs.pact.io consumer_version_selectors; pact_broker.rs
// ConsumerVersionSelector). Fields are sent in the reference's order, absent ones left out.
type Selector struct {
	Consumer           *string `json:"consumer,omitempty"`
	Tag                *string `json:"tag,omitempty"`
	FallbackTag        *string `json:"fallbackTag,omitempty"`
	Latest             *bool   `json:"latest,omitempty"`
	DeployedOrReleased *bool   `json:"deployedOrReleased,omitempty"`
	Deployed           *bool   `json:"deployed,omitempty"`
	Released           *bool   `json:"released,omitempty"`
	Environment        *string `json:"environment,omitempty"`
	MainBranch         *bool   `json:"mainBranch,omitempty"`
	Branch             *string `json:"branch,omitempty"`
	MatchingBranch     *bool   `json:"matchingBranch,omitempty"`
	FallbackBranch     *string `json:"fallbackBranch,omitempty"`
	// FallbackToMainBranch is documented by the Pact Broker; the reference verifier drops it.
	FallbackToMainBranch *bool `json:"fallbackToMainBranch,omitempty"`
}

// ParseSelector reads one --consumer-version-selectors JSON object, e.g. {"mainBranch": true}.
// Unknown fields (names are case-sensitive) and wrong types are errors naming the field; the
// reference drops them silently.
func ParseSelector(s string) (Selector, error) {
	var sel Selector
	fail := func(err error) (Selector, error) {
		return sel, fmt.Errorf("consumer version selector %s: %w (expected a JSON object with %s)", s, err, strings.Join(selectorFields, ", "))
	}
	d := json.NewDecoder(strings.NewReader(s))
	var fields map[string]json.RawMessage
	if err := d.Decode(&fields); err != nil {
		return fail(err)
	}
	if d.More() {
		return fail(errors.New("one JSON object expected"))
	}
	for k := range fields {
		if !slices.Contains(selectorFields, k) {
			return fail(fmt.Errorf("unknown field %q", k))
		}
	}
	if err := json.Unmarshal([]byte(s), &sel); err != nil {
		return fail(err)
	}
	return sel, nil
}

var selectorFields = []string{"consumer", "tag", "fallbackTag", "latest", "deployedOrReleased", "deployed", "released", "environment", "mainBranch", "branch", "matchingBranch", "fallbackBranch", "fallbackToMainBranch"}

// TagSelectors turns --consumer-version-tags into selectors {"tag": t, "latest": true}
// (selectors.rs consumer_tags_to_selectors).
func TagSelectors(tags []string) []Selector {
	out := make([]Selector, 0, len(tags))
	for _, t := range tags {
		out = append(out, Selector{Tag: &t, Latest: ptr(true)})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// Config says which broker to ask, for which provider, and how.
type Config struct {
	// URL is the broker's base URL (--broker-url), e.g. https://broker.example.com.
	URL string
	// Provider is the provider's name in the broker (--provider-name).
	Provider string
	Auth     Auth

	// Selectors (--consumer-version-selectors) or, when none, ConsumerVersionTags
	// (--consumer-version-tags) choose the pacts through pb:provider-pacts-for-verification. With
	// neither, the latest pact of each consumer is verified (pb:latest-provider-pacts), and
	// EnablePending, IncludeWIPPactsSince, ProviderBranch and ProviderTags are not sent.
	Selectors           []Selector
	ConsumerVersionTags []string
	// ForVerification uses pb:provider-pacts-for-verification even with no selector nor tag (an
	// empty consumerVersionSelectors: the broker's default selection), as pact_verifier's
	// BrokerWithDynamicConfiguration source does; the reference CLI only does so with selectors or
	// tags.
	ForVerification bool
	// EnablePending sends includePendingStatus (--enable-pending).
	EnablePending bool
	// IncludeWIPPactsSince sends includeWipPactsSince, a date such as 2024-01-31
	// (--include-wip-pacts-since).
	IncludeWIPPactsSince string
	// ProviderBranch and ProviderTags are the provider version's branch and tags
	// (providerVersionBranch, providerVersionTags), used by the broker to work out pending pacts.
	ProviderBranch string
	ProviderTags   []string
	// IgnoreNoPactsError makes Fetch return no pacts and no error when the broker has none.
	IgnoreNoPactsError bool

	// Retries is how many times a request answered 5xx, 408 or 429 is retried (default 8, as the
	// reference's --retries; negative means none); RetryDelay is the first wait (default 500 ms),
	// doubled at each retry up to 16 times it.
	Retries    int
	RetryDelay time.Duration
	// OnRetry, when set, is told about each retry (for a log line).
	OnRetry func(Retry)
	// HTTPClient makes the requests (default: 30 s timeout). MaxBytes caps one answer (64 MiB).
	HTTPClient *http.Client
	MaxBytes   int64
}

// Client talks to one broker for one provider.
type Client struct {
	cfg Config
	hal *halClient
}

// New checks cfg and returns a client. Errors (exit 2) name the missing or invalid setting.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		return nil, exitcode.Usagef("pact broker: no broker URL (--broker-url)")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, exitcode.Usagef("pact broker: --broker-url %s: an http(s) URL is expected", redactURL(cfg.URL))
	}
	if cfg.Provider == "" {
		return nil, exitcode.Usagef("pact broker: no provider name (--provider-name)")
	}
	if cfg.Retries == 0 {
		cfg.Retries = 8
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 500 * time.Millisecond
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	return &Client{cfg: cfg, hal: &halClient{
		base: u, auth: cfg.Auth, client: cfg.HTTPClient, retries: cfg.Retries,
		delay: cfg.RetryDelay, maxBytes: cfg.MaxBytes, onRetry: cfg.OnRetry,
	}}, nil
}

// BrokerURL returns the broker URL without credentials.
func (c *Client) BrokerURL() string { return redactURL(c.cfg.URL) }

// Pact is a pact fetched from the broker, with what the broker said about it.
type Pact struct {
	*contracts.Pact
	// URL is the pact's URL in the broker (its self link), without credentials.
	URL string
	// Name is the broker's name for it, e.g. "Pact between web (1.0.0) and orders".
	Name string
	// Pending: failures do not fail the run. WIP: a work-in-progress pact (pending too).
	Pending, WIP bool
	// Notices are the broker's messages (verificationProperties.notices), in order.
	Notices []results.Notice

	links map[string]link
}

// BeforeVerification returns the notices to print before verifying the pact
// (when = "before_verification", as the reference's process_notices).
func (p *Pact) BeforeVerification() []string {
	var out []string
	for _, n := range p.Notices {
		if n.When == "before_verification" {
			out = append(out, n.Text)
		}
	}
	return out
}

// forVerification is the body of POST pb:provider-pacts-for-verification (pact_broker.rs
// PactsForVerificationRequest): fields in the reference's order, absent ones left out.
type forVerification struct {
	ProviderVersionTags      []string   `json:"providerVersionTags,omitempty"`
	IncludePendingStatus     bool       `json:"includePendingStatus"`
	IncludeWipPactsSince     *string    `json:"includeWipPactsSince,omitempty"`
	ConsumerVersionSelectors []Selector `json:"consumerVersionSelectors"`
	ProviderVersionBranch    *string    `json:"providerVersionBranch,omitempty"`
}

// Fetch returns the pacts to verify, in the broker's order. It fails with ErrNoPacts (exit 1) when
// the broker has none, unless Config.IgnoreNoPactsError; with ErrUnauthorized or ErrUnavailable
// (exit 3) when the broker refuses or fails.
func (c *Client) Fetch(ctx context.Context) ([]*Pact, error) {
	var pacts []*Pact
	var err error
	if c.cfg.ForVerification || len(c.cfg.Selectors) > 0 || len(c.cfg.ConsumerVersionTags) > 0 {
		pacts, err = c.fetchForVerification(ctx)
	} else {
		pacts, err = c.fetchLatest(ctx)
	}
	if errors.Is(err, ErrNoPacts) && c.cfg.IgnoreNoPactsError {
		return nil, nil
	}
	return pacts, classify(err)
}

// classify gives a broker error its exit code.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNoPacts):
		return exitcode.New(exitcode.Failed, err)
	case errors.Is(err, ErrRejected):
		return exitcode.New(exitcode.Usage, err)
	}
	return exitcode.New(exitcode.Unavailable, err)
}

func (c *Client) noPacts(detail string) error {
	return fmt.Errorf("%w: the Pact Broker at %s has no pacts for provider %q%s (use --ignore-no-pacts-error to pass anyway)", ErrNoPacts, c.BrokerURL(), c.cfg.Provider, detail)
}

// index fetches the broker's index and follows name, templated with the provider's name
// (HALClient::navigate). A 404 on the link means no pacts.
func (c *Client) navigateIndex(ctx context.Context, name, detail string) (map[string]any, error) {
	index, _, err := c.hal.get(ctx, "")
	if err != nil {
		return nil, err
	}
	l, ok := links(index)[name]
	if !ok {
		return nil, fmt.Errorf("%w: the index of %s has no %q link: is it a Pact Broker (2.86.0 or later)?", ErrLink, c.BrokerURL(), name)
	}
	href := l.Href
	if l.Templated {
		href = expand(href, map[string]string{"provider": c.cfg.Provider})
	}
	path, err := c.hal.pathOf(href)
	if err != nil {
		return nil, err
	}
	doc, _, err := c.hal.get(ctx, path)
	if errors.Is(err, ErrNotFound) {
		return nil, c.noPacts(detail)
	}
	return doc, err
}

// fetchForVerification follows fetch_pacts_dynamically_from_broker.
func (c *Client) fetchForVerification(ctx context.Context) ([]*Pact, error) {
	const detail = " matching the consumer version selectors"
	doc, err := c.navigateIndex(ctx, "pb:provider-pacts-for-verification", detail)
	if err != nil {
		return nil, err
	}
	self, ok := links(doc)["self"]
	if !ok {
		return nil, fmt.Errorf("%w: the pacts-for-verification resource of %s has no self link", ErrLink, c.BrokerURL())
	}
	req := forVerification{
		ProviderVersionTags:      c.cfg.ProviderTags,
		IncludePendingStatus:     c.cfg.EnablePending,
		ConsumerVersionSelectors: c.cfg.Selectors,
	}
	if len(req.ConsumerVersionSelectors) == 0 {
		req.ConsumerVersionSelectors = TagSelectors(c.cfg.ConsumerVersionTags) // [] with neither
	}
	if c.cfg.IncludeWIPPactsSince != "" {
		req.IncludeWipPactsSince = &c.cfg.IncludeWIPPactsSince
	}
	if c.cfg.ProviderBranch != "" {
		req.ProviderVersionBranch = &c.cfg.ProviderBranch
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	path, err := c.hal.pathOf(expand(self.Href, nil))
	if err != nil {
		return nil, err
	}
	resp, _, err := c.hal.send(ctx, http.MethodPost, path, body)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, c.noPacts(detail)
		}
		return nil, err
	}
	var listed struct {
		Embedded struct {
			Pacts []struct {
				ShortDescription       string `json:"shortDescription"`
				VerificationProperties struct {
					Pending bool             `json:"pending"`
					WIP     bool             `json:"wip"`
					Notices []results.Notice `json:"notices"`
				} `json:"verificationProperties"`
				Links map[string]json.RawMessage `json:"_links"`
			} `json:"pacts"`
		} `json:"_embedded"`
	}
	raw, _ := json.Marshal(resp)
	if err := json.Unmarshal(raw, &listed); err != nil {
		return nil, &Error{Method: http.MethodPost, URL: redactURL(c.hal.urlFor(path)), Err: fmt.Errorf("unexpected pacts-for-verification answer: %w", err)}
	}
	if len(listed.Embedded.Pacts) == 0 {
		return nil, c.noPacts(detail)
	}
	var out []*Pact
	for _, lp := range listed.Embedded.Pacts {
		var self link
		if s, ok := lp.Links["self"]; ok {
			var o map[string]any
			_ = json.Unmarshal(s, &o)
			self = linkOf("self", o)
		}
		if self.Href == "" {
			return nil, fmt.Errorf("%w: a pact listed by %s has no self link", ErrLink, c.BrokerURL())
		}
		p, err := c.fetchPact(ctx, self)
		if err != nil {
			return nil, err
		}
		p.Pending = lp.VerificationProperties.Pending
		p.WIP = lp.VerificationProperties.WIP
		p.Notices = lp.VerificationProperties.Notices
		if name, _ := selfName(lp.Links["self"]); name != "" {
			p.Name = name
		}
		out = append(out, p)
	}
	return out, nil
}

func selfName(raw json.RawMessage) (string, error) {
	var o struct {
		Name string `json:"name"`
	}
	err := json.Unmarshal(raw, &o)
	return o.Name, err
}

// fetchLatest follows fetch_pacts_from_broker (no selectors: pb:latest-provider-pacts).
func (c *Client) fetchLatest(ctx context.Context) ([]*Pact, error) {
	doc, err := c.navigateIndex(ctx, "pb:latest-provider-pacts", "")
	if err != nil {
		return nil, err
	}
	list, ok := linkList(doc, "pacts")
	if !ok {
		return nil, fmt.Errorf("%w: the latest provider pacts resource of %s has no \"pacts\" links", ErrLink, c.BrokerURL())
	}
	if len(list) == 0 {
		return nil, c.noPacts("")
	}
	var out []*Pact
	for _, l := range list {
		p, err := c.fetchPact(ctx, l)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// fetchPact GETs a pact from its link and keeps its HAL links for publishing.
func (c *Client) fetchPact(ctx context.Context, l link) (*Pact, error) {
	path, err := c.hal.pathOf(expand(l.Href, map[string]string{"provider": c.cfg.Provider}))
	if err != nil {
		return nil, err
	}
	doc, data, err := c.hal.get(ctx, path)
	if err != nil {
		return nil, err
	}
	shown := redactURL(l.Href)
	p, err := contracts.Parse(data, shown)
	if err != nil {
		return nil, exitcode.Usagef("pact from the broker: %w", err)
	}
	return &Pact{Pact: p, URL: shown, Name: l.Title, links: links(doc)}, nil
}

// Publication is what Publish sends besides the results (PublishOptions of the reference).
type Publication struct {
	// ProviderVersion is the provider application version verified (--provider-version, required).
	ProviderVersion string
	// ProviderBranch puts the version on this branch first (PUT pb:branch-version).
	ProviderBranch string
	// ProviderTags tags the version first (PUT pb:version-tag per tag).
	ProviderTags []string
	// BuildURL links the results to the CI build (buildUrl).
	BuildURL string
	// VerifiedBy names the tool in the results (default {"commbench", "dev"}).
	Implementation, Version string
}

// Publish publishes the results of one pact's verification (publish_verification_results): the
// provider version's branch and tags first, then the results. rs are the pact's interactions as
// verified.
func (c *Client) Publish(ctx context.Context, p *Pact, pub Publication, rs []results.Interaction) error {
	if pub.ProviderVersion == "" {
		return exitcode.Usagef("publish verification results: no provider version (--provider-version)")
	}
	if pub.ProviderBranch != "" {
		if err := c.putOnProvider(ctx, p, "pb:branch-version", []map[string]string{{"branch": pub.ProviderBranch, "version": pub.ProviderVersion}},
			"Please upgrade to Pact Broker version 2.86.0 or later for branch support"); err != nil {
			return err
		}
	}
	if len(pub.ProviderTags) > 0 {
		var values []map[string]string
		for _, t := range pub.ProviderTags {
			values = append(values, map[string]string{"version": pub.ProviderVersion, "tag": t})
		}
		if err := c.putOnProvider(ctx, p, "pb:version-tag", values, ""); err != nil {
			return err
		}
	}
	l, ok := linkFold(p.links, "pb:publish-verification-results")
	if !ok {
		return classify(fmt.Errorf("%w: the pact %s has no 'pb:publish-verification-results' link", ErrLink, p.URL))
	}
	path, err := c.hal.pathOf(l.Href)
	if err != nil {
		return err
	}
	body, err := json.Marshal(Payload(pub, rs))
	if err != nil {
		return err
	}
	_, _, err = c.hal.send(ctx, http.MethodPost, path, body)
	return classify(err)
}

func linkFold(ls map[string]link, name string) (link, bool) {
	for k, l := range ls {
		if strings.EqualFold(k, name) {
			return l, true
		}
	}
	return link{}, false
}

// putOnProvider GETs the pact's pb:provider and PUTs "{}" to its templated rel once per values
// (publish_provider_branch, publish_provider_tags).
func (c *Client) putOnProvider(ctx context.Context, p *Pact, rel string, values []map[string]string, hint string) error {
	pl, ok := p.links["pb:provider"]
	if !ok {
		return classify(fmt.Errorf("%w: the pact %s has no 'pb:provider' link", ErrLink, p.URL))
	}
	href := pl.Href
	if pl.Templated {
		href = expand(href, nil)
	}
	path, err := c.hal.pathOf(href)
	if err != nil {
		return err
	}
	provider, _, err := c.hal.get(ctx, path)
	if err != nil {
		return classify(err)
	}
	l, ok := links(provider)[rel]
	if !ok {
		return classify(fmt.Errorf("%w: the provider resource has no '%s' link. %s", ErrLink, rel, hint))
	}
	for _, v := range values {
		path, err := c.hal.pathOf(expand(l.Href, v))
		if err != nil {
			return err
		}
		if _, _, err := c.hal.send(ctx, http.MethodPut, path, []byte("{}")); err != nil {
			return classify(err)
		}
	}
	return nil
}

// Payload builds the verification results body (pact_broker.rs build_payload): success,
// providerApplicationVersion, buildUrl, verifiedBy and testResults. When every interaction passed,
// testResults lists {interactionId, success: true} for those with an id; otherwise every
// interaction with its interactionDescription, its mismatches (attribute, identifier, description)
// and, for interactions that could not be verified, exceptions. A skipped interaction counts as not
// verified (success false, its reason as the exception). Keys are written sorted, as the reference
// writes them.
func Payload(pub Publication, rs []results.Interaction) map[string]any {
	impl, version := pub.Implementation, pub.Version
	if impl == "" {
		impl = "commbench"
	}
	if version == "" {
		version = "dev"
	}
	success := true
	for _, r := range rs {
		if r.Status != results.StatusPassed {
			success = false
		}
	}
	body := map[string]any{
		"success":                    success,
		"providerApplicationVersion": pub.ProviderVersion,
		"verifiedBy":                 map[string]any{"implementation": impl, "version": version},
	}
	if pub.BuildURL != "" {
		body["buildUrl"] = pub.BuildURL
	}
	tests := []any{}
	for _, r := range rs {
		if success {
			if r.InteractionID != "" {
				tests = append(tests, map[string]any{"interactionId": r.InteractionID, "success": true})
			}
			continue
		}
		t := map[string]any{"interactionId": r.InteractionID, "success": r.Status == results.StatusPassed, "interactionDescription": r.Description}
		var mismatches, exceptions []any
		for _, m := range r.Mismatches {
			mismatches = append(mismatches, mismatchJSON(m))
		}
		if r.Status == results.StatusError || r.Status == results.StatusSkipped {
			exceptions = append(exceptions, map[string]any{"message": r.Reason})
		}
		if len(mismatches) > 0 {
			t["mismatches"] = mismatches
		}
		if len(exceptions) > 0 {
			t["exceptions"] = exceptions
		}
		tests = append(tests, t)
	}
	body["testResults"] = tests
	return body
}

// mismatchJSON maps a mismatch as build_payload does: method, path and status carry no identifier;
// query, header, body and metadata name the parameter, header, JSON path ("$" for the whole
// body) or key.
func mismatchJSON(m results.Mismatch) map[string]any {
	out := map[string]any{"attribute": m.Category, "description": m.Message}
	switch m.Category {
	case "method", "path", "status":
	case "body":
		id := m.Path
		if id == "" {
			id = "$"
		}
		out["identifier"] = id
	default:
		if m.Path != "" {
			out["identifier"] = m.Path
		}
	}
	return out
}

// VerifyFunc verifies one pact's interactions (verifier.Verify with the run's connections).
type VerifyFunc func(ctx context.Context, p *contracts.Pact) (*results.Verification, error)

// Session is one provider pipeline run: the pacts fetched, each verified and, with Publish set,
// its results published.
type Session struct {
	Client *Client
	// Publish, when set, publishes each pact's results after verifying it.
	Publish *Publication
	// BeforePact is called before each pact is verified (to print the broker's notices).
	BeforePact func(p *Pact)
}

// Verify verifies pacts one by one with verify, marking the interactions of pending and WIP pacts
// pending (so their failures do not fail the run, as the reference's verify_pact_internal does),
// and publishes each pact's results when s.Publish is set. The verification returned lists every
// interaction and each pact's broker URL, status and notices. The error is non-nil when verify
// stopped (its results up to then are returned) or when a publication failed (exit 3; every pact is
// still verified and the others published).
func (s *Session) Verify(ctx context.Context, pacts []*Pact, verify VerifyFunc) (*results.Verification, error) {
	out := &results.Verification{Interactions: []results.Interaction{}}
	var publishErrs []error
	for _, p := range pacts {
		if s.BeforePact != nil {
			s.BeforePact(p)
		}
		if p.Pending || p.WIP {
			for _, in := range p.Interactions {
				in.Pending = true
			}
		}
		bp := results.BrokerPact{Consumer: p.Consumer, Provider: p.Provider, URL: p.URL, Pending: p.Pending || p.WIP, WIP: p.WIP, Notices: p.Notices}
		v, err := verify(ctx, p.Pact)
		if v != nil {
			for i := range v.Interactions {
				v.Interactions[i].WIP = p.WIP
				out.Interactions = append(out.Interactions, v.Interactions[i])
			}
		}
		if err != nil {
			out.Pacts = append(out.Pacts, bp)
			out.Summary = results.Summarize(out.Interactions)
			return out, err
		}
		if s.Publish != nil && v != nil {
			if perr := s.Client.Publish(ctx, p, *s.Publish, v.Interactions); perr != nil {
				bp.PublishError = perr.Error()
				publishErrs = append(publishErrs, fmt.Errorf("%s: %w", p.URL, perr))
			} else {
				bp.Published = true
			}
		}
		out.Pacts = append(out.Pacts, bp)
	}
	out.Summary = results.Summarize(out.Interactions)
	if len(publishErrs) > 0 {
		return out, exitcode.New(exitcode.Unavailable, fmt.Errorf("publishing verification results failed: %w", errors.Join(publishErrs...)))
	}
	return out, nil
}
