package runner

import (
	"context"
	"encoding/json"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/broker"
	"github.com/commbench/commbench/contracts/verifier"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// Broker takes a contract's pacts from a Pact Broker (contracts/broker): the pacts the broker
// selects for the provider are verified after the contract's own pacts, pending and WIP ones
// without failing the run, and with Publish set each pact's results are published.
type Broker struct {
	broker.Config
	// Publish, when set, publishes each pact's verification results (Version defaults to the
	// commbench version).
	Publish *broker.Publication
}

// fetchBroker fetches the pacts b selects, credentials defaulting to PACT_BROKER_TOKEN or
// PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD (as the reference verifier's flags do). Pacts of
// other consumers than c.Consumer are dropped before verification, so no result is published for
// them (the reference's filter_consumers).
func fetchBroker(ctx context.Context, c Contract, o Options) (*broker.Client, []*broker.Pact, error) {
	cfg := c.Broker.Config
	if cfg.Auth == (broker.Auth{}) {
		cfg.Auth = broker.Auth{Username: o.getenv("PACT_BROKER_USERNAME"), Password: o.getenv("PACT_BROKER_PASSWORD"), Token: o.getenv("PACT_BROKER_TOKEN")}
	}
	if cfg.OnRetry == nil {
		cfg.OnRetry = func(r broker.Retry) {
			o.logger().Warn("Pact Broker request failed, retrying", "method", r.Method, "url", r.URL, "status", r.Status, "wait", r.Wait)
		}
	}
	client, err := broker.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	pacts, err := client.Fetch(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(pacts) == 0 {
		o.logger().Warn("the Pact Broker has no pacts to verify; ignored (ignore_no_pacts_error)", "broker", client.BrokerURL(), "provider", cfg.Provider)
	}
	if c.Consumer != "" {
		kept := pacts[:0]
		for _, p := range pacts {
			if p.Consumer == c.Consumer {
				kept = append(kept, p)
			}
		}
		pacts = kept
	}
	return client, pacts, nil
}

// verifyBroker verifies the broker's pacts one by one with cfg (publishing as c.Broker says) and
// appends their results to v. Progress.BrokerPact hears of each pact before it is verified.
func verifyBroker(ctx context.Context, client *broker.Client, pacts []*broker.Pact, c Contract, cfg verifier.Config, v *results.Verification, o Options) (*results.Verification, error) {
	s := broker.Session{Client: client}
	if c.Broker.Publish != nil {
		pub := *c.Broker.Publish
		if pub.Version == "" {
			pub.Version = o.version()
		}
		s.Publish = &pub
	}
	s.BeforePact = func(p *broker.Pact) {
		if o.Progress.BrokerPact != nil {
			o.Progress.BrokerPact(results.BrokerPact{Consumer: p.Consumer, Provider: p.Provider, URL: p.URL, Pending: p.Pending || p.WIP, WIP: p.WIP, Notices: p.Notices})
		}
	}
	bv, err := s.Verify(ctx, pacts, func(ctx context.Context, p *contracts.Pact) (*results.Verification, error) {
		return verifier.Verify(ctx, cfg, []*contracts.Pact{p})
	})
	if v == nil {
		v = &results.Verification{Interactions: []results.Interaction{}}
	}
	if bv != nil {
		v.Interactions = append(v.Interactions, bv.Interactions...)
		v.Pacts = append(v.Pacts, bv.Pacts...)
		v.Summary = results.Summarize(v.Interactions)
	}
	return v, err
}

// brokerOf maps a scenario's broker block to the runner's (its ${VAR} references already
// expanded); field names the block in errors.
func brokerOf(b *scenario.Broker, field string) (*Broker, error) {
	if b == nil {
		return nil, nil
	}
	out := &Broker{Config: broker.Config{
		URL: b.URL, Provider: b.Provider, Auth: broker.Auth{Username: b.Username, Password: b.Password, Token: b.Token},
		ConsumerVersionTags: b.ConsumerVersionTags, EnablePending: b.EnablePending, IncludeWIPPactsSince: b.IncludeWIPPactsSince,
		ProviderBranch: b.ProviderBranch, ProviderTags: b.ProviderTags, IgnoreNoPactsError: b.IgnoreNoPactsError,
	}}
	for i, s := range b.ConsumerVersionSelectors {
		raw, err := json.Marshal(s)
		if err != nil {
			return nil, exitcode.Usagef("%s.consumer_version_selectors.%d: %w", field, i, err)
		}
		sel, err := broker.ParseSelector(string(raw))
		if err != nil {
			return nil, exitcode.Usagef("%s.consumer_version_selectors.%d: %w", field, i, err)
		}
		out.Selectors = append(out.Selectors, sel)
	}
	if b.Publish {
		if b.ProviderVersion == "" {
			return nil, exitcode.Usagef("%s.provider_version: publish needs the provider version", field)
		}
		out.Publish = &broker.Publication{ProviderVersion: b.ProviderVersion, ProviderBranch: b.ProviderBranch, ProviderTags: b.ProviderTags, BuildURL: b.BuildURL}
	}
	return out, nil
}

// echo is b without credentials (only which kind was given).
func (b *Broker) echo() map[string]any {
	e := map[string]any{"url": scenario.RedactURL(b.URL), "provider": b.Provider, "auth": b.Auth.String()}
	if len(b.Selectors) > 0 {
		e["consumer_version_selectors"] = b.Selectors
	}
	for k, v := range map[string][]string{"consumer_version_tags": b.ConsumerVersionTags, "provider_tags": b.ProviderTags} {
		if len(v) > 0 {
			e[k] = v
		}
	}
	for k, v := range map[string]string{"include_wip_pacts_since": b.IncludeWIPPactsSince, "provider_branch": b.ProviderBranch} {
		if v != "" {
			e[k] = v
		}
	}
	for k, v := range map[string]bool{"enable_pending": b.EnablePending, "ignore_no_pacts_error": b.IgnoreNoPactsError} {
		if v {
			e[k] = true
		}
	}
	if p := b.Publish; p != nil {
		e["publish"] = map[string]any{"provider_version": p.ProviderVersion, "build_url": scenario.RedactURL(p.BuildURL)}
	}
	return e
}
