package demo

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/internal/exitcode"
)

// Addresses are where a served shop listens (host:port): the orders API (REST), the
// OrderService (gRPC) and the embedded Kafka broker (loopback only).
type Addresses struct{ REST, GRPC, Kafka string }

// DefaultAddresses are the shop scenario's default target addresses (testdata/scenarios/shop.yaml).
var DefaultAddresses = Addresses{REST: "127.0.0.1:8080", GRPC: "127.0.0.1:50051", Kafka: "127.0.0.1:9092"}

// Check checks that every address of a is free (by listening on it briefly) and returns the
// Kafka port. The errors are usage errors (internal/exitcode) naming the `commbench demo --serve`
// flag of each address: a Kafka address not on 127.0.0.1 or localhost, or with no valid port;
// every address in use, in one error.
func (a Addresses) Check() (kafkaPort int, err error) {
	host, port, err := net.SplitHostPort(a.Kafka)
	if err != nil || (host != "127.0.0.1" && host != "localhost") {
		return 0, exitcode.Usagef("--kafka-addr %q: want 127.0.0.1:PORT (the embedded Kafka listens on the loopback only)", a.Kafka)
	}
	if kafkaPort, err = strconv.Atoi(port); err != nil || kafkaPort < 1 || kafkaPort > 65535 {
		return 0, exitcode.Usagef("--kafka-addr %q: %q is not a port", a.Kafka, port)
	}
	var busy []string
	for _, c := range []struct{ what, flag, addr string }{
		{"REST (orders API)", "--rest-addr", a.REST}, {"gRPC (OrderService)", "--grpc-addr", a.GRPC}, {"Kafka", "--kafka-addr", "127.0.0.1:" + port},
	} {
		ln, err := net.Listen("tcp", c.addr)
		if err != nil {
			reason := "in use"
			if !strings.Contains(err.Error(), "address already in use") {
				reason = err.Error()
			}
			busy = append(busy, fmt.Sprintf("%s %s is %s (%s)", c.what, c.addr, reason, c.flag))
			continue
		}
		ln.Close()
	}
	if len(busy) > 0 {
		sort.Strings(busy)
		return 0, exitcode.Usagef("cannot serve the shop: %s; stop what listens there or choose other addresses with --rest-addr, --grpc-addr and --kafka-addr", strings.Join(busy, "; "))
	}
	return kafkaPort, nil
}

// RunCommand is the command line that runs the shop scenario against sys from the repository:
// "commbench run testdata/scenarios/shop.yaml", preceded by the variables of Env (but the
// RabbitMQ URL) when the shop does not listen on DefaultAddresses.
func (a Addresses) RunCommand(sys *shop.System) string {
	run := "commbench run " + Scenario
	if a == DefaultAddresses {
		return run
	}
	var env []string
	for k, v := range Env(sys) {
		if k != EnvAMQP {
			env = append(env, k+"="+v)
		}
	}
	sort.Strings(env)
	return strings.Join(env, " ") + " " + run
}
