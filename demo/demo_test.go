package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/internal/testenv"
)

func TestRoot(t *testing.T) {
	repo := testenv.ModuleRoot(t)
	// A folder with a go.mod but no shop scenario is not the repository.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
		err             error
	}{
		{"repository root", repo, repo, nil},
		{"deep inside", filepath.Join(repo, "cmd", "commbench"), repo, nil},
		{"outside", t.TempDir(), "", ErrNoRepository},
		{"another module", other, "", ErrNoRepository},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Root(tt.dir)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Root(%s) = %q, %v; want %q, %v", tt.dir, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	sys, err := shop.Start(context.Background(), shop.Options{Root: testenv.ModuleRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	env := Env(sys)
	if env[EnvREST] != sys.RESTURL || env[EnvGRPC] != sys.GRPCAddr || env[EnvKafka] != sys.KafkaBrokers {
		t.Fatalf("env %v does not name the system's addresses", env)
	}
	if _, ok := env[EnvAMQP]; ok || sys.AMQPErr == nil {
		t.Fatalf("AMQP off, yet env %v / AMQPErr %v", env, sys.AMQPErr)
	}
}
