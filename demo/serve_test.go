package demo

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/internal/exitcode"
)

func TestAddressesCheck(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	a := Addresses{REST: busy.Addr().String(), GRPC: drivertest.ClosedPort(t), Kafka: drivertest.ClosedPort(t)}
	_, err = a.Check()
	if !errors.Is(err, exitcode.Kind(exitcode.Usage)) || !strings.Contains(err.Error(), "REST (orders API) "+a.REST+" is in use (--rest-addr)") || strings.Contains(err.Error(), "--grpc-addr)") {
		t.Errorf("busy REST: %v", err)
	}
	a.REST = drivertest.ClosedPort(t)
	port, err := a.Check()
	if err != nil || port <= 0 || !strings.HasSuffix(a.Kafka, ":"+strconv.Itoa(port)) {
		t.Errorf("free: %d %v", port, err)
	}
	for _, k := range []string{"10.0.0.1:9092", "127.0.0.1:x", "nonsense"} {
		if _, err := (Addresses{REST: a.REST, GRPC: a.GRPC, Kafka: k}).Check(); err == nil || !strings.Contains(err.Error(), "--kafka-addr") {
			t.Errorf("kafka %q: %v", k, err)
		}
	}
}

func TestRunCommand(t *testing.T) {
	sys := &shop.System{RESTURL: "http://127.0.0.1:1", GRPCAddr: "127.0.0.1:2", KafkaBrokers: "127.0.0.1:3", AMQPURL: "amqp://guest:guest@127.0.0.1:5672/"}
	if got := DefaultAddresses.RunCommand(sys); got != "commbench run "+Scenario {
		t.Errorf("default: %q", got)
	}
	want := EnvGRPC + "=127.0.0.1:2 " + EnvKafka + "=127.0.0.1:3 " + EnvREST + "=http://127.0.0.1:1 commbench run " + Scenario
	if got := (Addresses{REST: "127.0.0.1:1", GRPC: "127.0.0.1:2", Kafka: "127.0.0.1:3"}).RunCommand(sys); got != want {
		t.Errorf("custom: %q, want %q", got, want)
	}
}
