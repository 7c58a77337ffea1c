package runner

import (
	"maps"
	"slices"

	"github.com/commbench/commbench/results"
	"github.com/commbench/commbench/scenario"
)

// This file writes the configuration echo of Verify and Bench into the results (results.Run.Config):
// what was run, as a scenario file would say it, with every secret left out (header values and
// passwords "***", credentials removed from URLs). Run echoes the whole scenario (scenarioEcho).

// echo is the configuration of workload w that produced res: its target and workload merged into
// one map (the workload's keys win), its load model, and the operation that ran.
func (w Workload) echo(res *results.Workload) map[string]any {
	s := scenarioEcho(&scenario.Scenario{Targets: []scenario.Target{w.Target}, Workloads: []scenario.Workload{w.Workload}})
	out := map[string]any{}
	for _, part := range []string{"targets", "workloads"} {
		if list, ok := s[part].([]any); ok && len(list) == 1 {
			if m, ok := list[0].(map[string]any); ok {
				maps.Copy(out, m)
			}
		}
	}
	delete(out, "target")
	out["name"], out["operation"], out["model"], out["workers"] = res.Name, res.Operation, res.Model, res.Concurrency
	if cfg := w.Load; cfg != nil {
		if cfg.Rate > 0 {
			out["rate_per_s"] = cfg.Rate
		}
		if len(cfg.Stages) > 0 {
			out["stages"] = len(cfg.Stages)
		}
		for k, d := range map[string]interface{ String() string }{"duration": cfg.Duration, "warmup": cfg.Warmup, "drain": cfg.Drain} {
			if d.String() != "0s" {
				out[k] = d.String()
			}
		}
		if cfg.Count > 0 {
			out["count"] = cfg.Count
		}
	}
	if len(w.Thresholds) > 0 {
		exprs := make([]string, len(w.Thresholds))
		for i, t := range w.Thresholds {
			exprs[i] = t.Expr
		}
		out["thresholds"] = exprs
	}
	return out
}

// echo is the configuration of contract c: pacts, filters, endpoints and message settings.
func (c Contract) echo() map[string]any {
	pacts := make([]string, len(c.Pacts))
	for i, p := range c.Pacts {
		pacts[i] = scenario.RedactURL(p) // pact URLs may carry credentials and tokens
	}
	m := map[string]any{"pacts": pacts}
	for k, e := range map[string]*Endpoint{"provider": c.HTTP, "grpc": c.GRPC} {
		if e != nil {
			m[k] = endpointEcho(e)
		}
	}
	for k, v := range map[string]string{"consumer": c.Consumer, "state_change_url": scenario.RedactURL(c.StateChangeURL)} {
		if v != "" {
			m[k] = v
		}
	}
	if c.Description != nil {
		m["description"] = c.Description.String()
	}
	if c.State != nil {
		m["state"] = c.State.String()
	}
	if len(c.Proto) > 0 {
		m["proto"] = c.Proto
	}
	if c.StateTeardown {
		m["state_teardown"] = true
	}
	if len(c.Hooks.StateHandlers) > 0 {
		m["state_handlers"] = slices.Sorted(maps.Keys(c.Hooks.StateHandlers))
	}
	if c.Hooks.RequestFilter != nil {
		m["request_filter"] = true
	}
	if len(c.SkipTransports) > 0 {
		m["skip_transports"] = c.SkipTransports
	}
	if c.MessageFirstMatch {
		m["message_first_match"] = true
	}
	if len(c.SetHeadersIfPresent) > 0 {
		names := slices.Sorted(maps.Keys(c.SetHeadersIfPresent))
		for i, n := range names {
			names[i] = n + ": ***"
		}
		m["set_header_if_present"] = names
	}
	msg := map[string]any{}
	if c.Kafka != nil {
		msg["kafka"] = endpointEcho(c.Kafka)
	}
	if c.AMQP != nil {
		msg["amqp"] = endpointEcho(c.AMQP)
	}
	if c.MessageProviderURL != "" {
		msg["provider_url"] = scenario.RedactURL(c.MessageProviderURL)
	}
	if len(c.Hooks.MessageProducers) > 0 {
		msg["producers"] = slices.Sorted(maps.Keys(c.Hooks.MessageProducers))
	}
	for _, r := range c.Routes {
		msg["routes"] = append(asStrings(msg["routes"]), r.Pattern.String()+"="+r.Route.String())
	}
	for _, t := range c.Triggers {
		msg["triggers"] = append(asStrings(msg["triggers"]), t.Pattern.String()+"="+scenario.RedactURL(t.URL))
	}
	if c.Broker != nil {
		m["broker"] = c.Broker.echo()
	}
	if len(msg) > 0 {
		if c.MessageTimeout > 0 {
			msg["timeout"] = c.MessageTimeout.String()
		}
		m["messages"] = msg
	}
	return m
}

func asStrings(v any) []string { s, _ := v.([]string); return s }

// endpointEcho is e without secrets: its address (credentials removed), header names, options and
// TLS settings (file paths, no key material).
func endpointEcho(e *Endpoint) map[string]any {
	m := map[string]any{"address": scenario.RedactURL(e.Address)}
	if len(e.Headers) > 0 {
		names := slices.Sorted(maps.Keys(e.Headers))
		for i, n := range names {
			names[i] = n + ": ***"
		}
		m["headers"] = names
	}
	if len(e.Options) > 0 {
		m["options"] = e.Options
	}
	if e.TLS.Enabled {
		m["tls"] = e.TLS
	}
	if e.RequestTimeout > 0 {
		m["request_timeout"] = e.RequestTimeout.Std().String()
	}
	return m
}
