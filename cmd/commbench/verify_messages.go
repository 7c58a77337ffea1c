package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/commbench/commbench/contracts/verifier"
)

// messageFlags select how message interactions are verified (brokers, routes, Pact's HTTP
// message mode).
type messageFlags struct{}

func (m *messageFlags) register(fs *pflag.FlagSet) {}

// open returns the message verifier the flags ask for (nil when none), and a close function.
func (m *messageFlags) open(ctx context.Context, a *app, f *verifyFlags) (verifier.MessageVerifier, func() error, error) {
	return nil, func() error { return nil }, nil
}

func (m *messageFlags) echo(map[string]any) {}
