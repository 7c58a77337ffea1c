// Package demo locates the material `commbench demo` runs on (the repository's testdata: the shop
// scenario, its consumer contracts, schemas and payload templates) and gives the environment the
// shop scenario reads its target addresses from, for a running example system (package
// demo/shop).
package demo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/runner"
	"github.com/commbench/commbench/scenario"
)

// Scenario is the shop scenario, relative to the repository root.
const Scenario = "testdata/scenarios/shop.yaml"

// Environment variables the shop scenario reads its targets from (with defaults for a shop
// started elsewhere: REST :8080, gRPC :50051, Kafka :9092, RabbitMQ :5672).
const (
	EnvREST  = "SHOP_REST_URL"
	EnvGRPC  = "SHOP_GRPC_ADDR"
	EnvKafka = "SHOP_KAFKA_BROKERS"
	EnvAMQP  = "COMMBENCH_AMQP_URL"
	// EnvKafkaBrokers, when set, makes the demo's shop publish to that Kafka cluster instead of
	// an embedded one.
	EnvKafkaBrokers = "COMMBENCH_KAFKA_BROKERS"
)

// DefaultAMQPURL is the RabbitMQ the demo publishes to when COMMBENCH_AMQP_URL is unset.
const DefaultAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"

// ErrNoRepository is returned by Root outside a clone of the repository.
var ErrNoRepository = errors.New("no commbench repository here")

// Root returns the repository root: the nearest folder at or above dir holding go.mod and the
// shop scenario. Outside a clone it returns an error wrapping ErrNoRepository that says what to do.
func Root(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, filepath.FromSlash(Scenario))); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("%w: the demo reads %s from a clone of the commbench repository, and none was found at or above %s: "+
		"run it from the clone (make demo, or go run ./cmd/commbench demo)", ErrNoRepository, Scenario, abs)
}

// Env returns the variables the shop scenario reads for the running system sys: the REST base
// URL, the gRPC address, the Kafka brokers and, when AMQP is on, the RabbitMQ URL.
func Env(sys *shop.System) map[string]string {
	env := map[string]string{EnvREST: sys.RESTURL, EnvGRPC: sys.GRPCAddr, EnvKafka: sys.KafkaBrokers}
	if sys.AMQPURL != "" {
		env[EnvAMQP] = sys.AMQPURL
	}
	return env
}

// LoadScenario loads the shop scenario of the repository at root to run against sys: input
// paths resolved, the outputs in the folder out (created: report.html, junit.xml, results.json,
// report.md), every workload's duration d (0: the scenario's). skip names the targets the run
// must skip, with why (runner.Options.Skip): the AMQP ones when sys has no RabbitMQ.
func LoadScenario(root, out string, d time.Duration, sys *shop.System) (s *scenario.Scenario, skip map[string]string, err error) {
	path := filepath.Join(root, filepath.FromSlash(Scenario))
	if s, err = scenario.Load(path, nil); err != nil {
		return nil, nil, err
	}
	s.ResolvePaths(filepath.Dir(path))
	s.Outputs = scenario.Outputs{HTML: filepath.Join(out, "report.html"), JUnit: filepath.Join(out, "junit.xml"),
		JSON: filepath.Join(out, "results.json"), MD: filepath.Join(out, "report.md")}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, err
	}
	skip = map[string]string{}
	for i, t := range s.Targets {
		if t.Driver == "amqp" && sys.AMQPErr != nil {
			skip[t.Name] = runner.SkipReason(s.Targets[i], sys.AMQPErr)
		}
	}
	if d > 0 {
		for i := range s.Workloads {
			s.Workloads[i].Duration = scenario.Duration(d)
		}
	}
	return s, skip, nil
}
