package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestLoadScenario: the shop scenario with the outputs in the folder given, the workloads'
// duration replaced, and the AMQP targets skipped (with how to start RabbitMQ) when the shop has
// no broker.
func TestLoadScenario(t *testing.T) {
	out := filepath.Join(t.TempDir(), "reports")
	s, skip, err := LoadScenario(testenv.ModuleRoot(t), out, 1500*time.Millisecond, &shop.System{AMQPErr: errors.New("connection refused")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Outputs.HTML != filepath.Join(out, "report.html") || s.Outputs.JSON != filepath.Join(out, "results.json") {
		t.Errorf("outputs %+v", s.Outputs)
	}
	if fi, err := os.Stat(out); err != nil || !fi.IsDir() {
		t.Errorf("the output folder was not created: %v", err)
	}
	var amqpTargets int
	for _, tg := range s.Targets {
		if tg.Driver == "amqp" {
			amqpTargets++
			if !strings.Contains(skip[tg.Name], "connection refused") || !strings.Contains(skip[tg.Name], "docker") {
				t.Errorf("target %s: skip reason %q", tg.Name, skip[tg.Name])
			}
		}
	}
	if amqpTargets == 0 || len(skip) != amqpTargets {
		t.Errorf("%d AMQP targets, skip %v", amqpTargets, skip)
	}
	for _, w := range s.Workloads {
		if w.Duration.Std() != 1500*time.Millisecond {
			t.Errorf("workload %s lasts %s", w.Name, w.Duration.Std())
		}
	}
	if _, skip, _ := LoadScenario(testenv.ModuleRoot(t), out, 0, &shop.System{}); len(skip) != 0 {
		t.Errorf("with RabbitMQ, skip %v", skip)
	}
}
