package verifier

import (
	"context"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/results"
)

// Preparer is an optional interface of a MessageVerifier that must act before the provider
// states are set up: a provider often publishes the message while it sets up the state, so the
// subscription has to exist before the state change URL is called. Verify calls Prepare just
// before the state change calls and, when it returns a Prepared, completes the interaction with
// Prepared.Verify instead of VerifyMessage, then calls Prepared.Close (after any teardown).
//
// Prepare returns nil, nil when it has nothing to prepare (VerifyMessage is then used). An error
// fails the interaction without setting up its states (one wrapping drivers.ErrUnreachable or
// drivers.ErrAuth stops the run); ErrSkip skips it, also without setting up its states.
type Preparer interface {
	Prepare(ctx context.Context, p *contracts.Pact, in *contracts.Interaction) (Prepared, error)
}

// Prepared is a message verification begun before the provider states were set up (for example
// a subscription in place).
type Prepared interface {
	// Verify completes the verification once the provider states are set up; state holds their
	// values. Results and errors are as for MessageVerifier.VerifyMessage.
	Verify(ctx context.Context, state map[string]any) ([]results.Mismatch, error)
	// Close releases what Prepare holds. It is called once, whatever happened.
	Close() error
}

// prepare lets a Preparer message verifier start verifying in before its provider states are set
// up. It returns the function that completes the verification and the one that releases what was
// prepared; for other interactions and verifiers, verify itself and a no-op. A failed Prepare
// (a missing exchange, an unreachable broker) is returned as err so that the states are not set
// up (see setUpPrepared); so is ErrSkip (no route), which verifyOne reports as a skip.
func (cfg *Config) prepare(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, verify verifyFunc) (verifyFunc, func(), error) {
	pr, ok := cfg.Messages.(Preparer)
	if !ok || in.Kind == contracts.KindHTTP || transportOf(in) == "grpc" {
		return verify, func() {}, nil
	}
	prepared, err := pr.Prepare(ctx, p, in)
	switch {
	case err != nil:
		return verify, func() {}, err
	case prepared == nil:
		return verify, func() {}, nil
	}
	return func(ctx context.Context, _ *contracts.Pact, _ *contracts.Interaction, state map[string]any) ([]results.Mismatch, error) {
		return prepared.Verify(ctx, state)
	}, func() { _ = prepared.Close() }, nil
}

// setUpPrepared sets up the provider states of in, unless preparing failed (prepErr), which is
// then reported as a failed state setup would be: the interaction errs, and an unreachable broker
// stops the run.
func (cfg *Config) setUpPrepared(ctx context.Context, in *contracts.Interaction, prepErr error) (map[string]any, error) {
	if prepErr != nil {
		return nil, prepErr
	}
	return cfg.setUp(ctx, in)
}
