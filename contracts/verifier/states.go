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
// objects they return into the values for ProviderState generators. No URL means nothing to do.
func (cfg *Config) setUp(ctx context.Context, in *contracts.Interaction) (map[string]any, error) {
	values := map[string]any{}
	for _, s := range in.ProviderStates {
		for k, v := range s.Params {
			values[k] = v
		}
		if cfg.StateChangeURL == "" {
			continue
		}
		got, err := cfg.callState(ctx, s, "setup")
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			values[k] = v
		}
	}
	return values, nil
}

// tearDown calls the state change URL with action "teardown" for each state, in reverse order.
func (cfg *Config) tearDown(ctx context.Context, in *contracts.Interaction) error {
	if cfg.StateChangeURL == "" {
		return nil
	}
	for i := len(in.ProviderStates) - 1; i >= 0; i-- {
		if _, err := cfg.callState(ctx, in.ProviderStates[i], "teardown"); err != nil {
			return err
		}
	}
	return nil
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
