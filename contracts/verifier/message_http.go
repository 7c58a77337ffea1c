package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/results"
)

// messageRequest is the body POSTed to a trigger URL and to Pact's HTTP message mode endpoint,
// as Pact's verifiers send it.
type messageRequest struct {
	Description    string         `json:"description"`
	ProviderStates []messageState `json:"providerStates"`
}

type messageState struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

// maxMessageBody bounds what is read from an HTTP message mode response (bytes).
const maxMessageBody = 16 << 20

// post sends {"description", "providerStates"} for in to url and returns the response (body
// read, at most maxMessageBody bytes). A provider that cannot be reached wraps
// drivers.ErrUnreachable; an HTTP status of 300 or more is an error naming it.
func (m *Messages) post(ctx context.Context, url, what string, in *contracts.Interaction) (*http.Response, []byte, error) {
	req := messageRequest{Description: in.Description, ProviderStates: []messageState{}}
	for _, s := range in.ProviderStates {
		req.ProviderStates = append(req.ProviderStates, messageState{Name: s.Name, Params: s.Params})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := m.cfg.Client.Do(hreq)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, unreachable(url, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMessageBody))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read response: %w", what, err)
	}
	if resp.StatusCode >= 300 {
		return nil, nil, fmt.Errorf("%s: %s answered %s", what, url, resp.Status)
	}
	return resp, data, nil
}

// trigger POSTs the first trigger URL whose pattern matches in's description, if any.
func (m *Messages) trigger(ctx context.Context, in *contracts.Interaction) error {
	for _, t := range m.cfg.Triggers {
		if t.Pattern.MatchString(in.Description) {
			_, _, err := m.post(ctx, t.URL, "trigger URL", in)
			return err
		}
	}
	return nil
}

// verifyHTTPMessage is Pact's HTTP message mode: the provider answers a POST to ProviderURL with
// the message it would publish (the response of a synchronous message): the body is the
// contents, Content-Type their type, and the Pact-Message-Metadata header the metadata as base64
// JSON. A header that is not base64 JSON is a metadata mismatch.
func (m *Messages) verifyHTTPMessage(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, expected *contracts.Message) ([]results.Mismatch, error) {
	resp, body, err := m.post(ctx, m.cfg.ProviderURL, "message provider", in)
	if err != nil {
		return nil, err
	}
	got := &drivers.Message{Body: body, ContentType: resp.Header.Get("Content-Type")}
	meta := map[string]any{}
	var bad []results.Mismatch
	if h := resp.Header.Get("Pact-Message-Metadata"); h != "" {
		if err := decodeMessageMetadata(h, &meta); err != nil {
			bad = append(bad, results.Mismatch{Category: "metadata", Path: "Pact-Message-Metadata", Expected: "base64 of a JSON object", Actual: preview(h),
				Message: fmt.Sprintf("the Pact-Message-Metadata header is not base64 JSON: %v", err)})
		}
	}
	if got.ContentType == "" {
		for _, k := range []string{"contentType", "content-type", "Content-Type"} {
			if s, ok := meta[k].(string); ok {
				got.ContentType = s
				break
			}
		}
	} else if _, ok := meta["contentType"]; !ok {
		meta["contentType"] = got.ContentType
	}
	mis, err := m.match(ctx, p, in, expected, got, meta)
	if err != nil {
		return nil, err
	}
	return append(bad, mis...), nil
}

// decodeMessageMetadata reads the Pact-Message-Metadata header: base64 (standard, or URL-safe
// as some providers write it) of a JSON object.
func decodeMessageMetadata(h string, into *map[string]any) error {
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		if raw, err = base64.URLEncoding.DecodeString(h); err != nil {
			return err
		}
	}
	return json.Unmarshal(raw, into)
}

func preview(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
