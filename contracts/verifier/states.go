package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/internal/redact"
)

// stateChange is the body POSTed to the state change URL, as Pact's verifiers send it.
type stateChange struct {
	State  string         `json:"state"`
	Params map[string]any `json:"params"`
	Action string         `json:"action"`
}

// setUp calls the state change URL once per provider state, in order, and merges the JSON
// objects they return into the values for ProviderState generators. An interaction without
// provider states gets one call with state "" (so a provider can reset itself before every
// interaction, as pact-go's BeforeEach does). Every state is called even after one failed; the
// error then names the first failure. No URL means nothing to do.
//
// Follows pact-reference rust/pact_verifier/src/lib.rs, execute_provider_states (is_setup true).
func (cfg *Config) setUp(ctx context.Context, in *contracts.Interaction) (map[string]any, error) {
	values := map[string]any{}
	for _, s := range in.ProviderStates {
		for k, v := range s.Params {
			values[k] = v
		}
	}
	got, err := cfg.callStates(ctx, in, "setup")
	for k, v := range got {
		values[k] = v
	}
	if err != nil {
		return nil, err
	}
	return values, nil
}

// tearDown calls the state change URL with action "teardown" for each state, in declaration
// order (state "" for an interaction without states), as pact-reference's
// execute_provider_states does with is_setup false.
func (cfg *Config) tearDown(ctx context.Context, in *contracts.Interaction) error {
	_, err := cfg.callStates(ctx, in, "teardown")
	return err
}

// callStates makes the state change calls of one action for in: one per provider state in
// order, or one with state "" when it has none. It returns the merged values the calls
// answered and the first error; a failed call does not stop the next ones.
func (cfg *Config) callStates(ctx context.Context, in *contracts.Interaction, action string) (map[string]any, error) {
	if cfg.StateChangeURL == "" {
		if action == "setup" {
			// Pact's verifier goes on and says so ("State Change ignored as there is no state
			// change URL provided"), pact-reference's execute_state_change without a callback
			for _, s := range in.ProviderStates {
				warn(ctx, fmt.Sprintf("provider state %q was not set up: no state change URL is configured (--state-change-url)", s.Name))
			}
		}
		return nil, nil
	}
	states := in.ProviderStates
	if len(states) == 0 {
		states = []contracts.ProviderState{{Name: ""}}
	}
	values := map[string]any{}
	var first error
	for _, s := range states {
		got, err := cfg.callState(ctx, s, action)
		if err != nil {
			if first == nil {
				first = err
			}
			if errors.Is(err, drivers.ErrUnreachable) || ctx.Err() != nil {
				break
			}
			continue
		}
		for k, v := range got {
			values[k] = v
		}
	}
	return values, first
}

func (cfg *Config) callState(ctx context.Context, s contracts.ProviderState, action string) (map[string]any, error) {
	params := s.Params
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(stateChange{State: s.Name, Params: params, Action: action})
	if err != nil {
		return nil, fmt.Errorf("provider state %q: %w", s.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.StateChangeURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("state change URL: %w", redact.Error(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("provider state %q (%s): %w", s.Name, action, unreachable(redact.URL(cfg.StateChangeURL), redact.Error(err)))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("provider state %q (%s): read response: %w", s.Name, action, redact.Error(err))
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("provider state %q (%s): state change URL answered %s", s.Name, action, resp.Status)
	}
	var values map[string]any
	if len(bytes.TrimSpace(data)) > 0 && json.Unmarshal(data, &values) != nil {
		values = nil // a non-object answer carries no values
	}
	return values, nil
}

// unreachable wraps a failed dial as drivers.ErrUnreachable, naming the URL.
func unreachable(url string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return fmt.Errorf("%w: %s: %w", drivers.ErrUnreachable, url, err)
	}
	return err
}
