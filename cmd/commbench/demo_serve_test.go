package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers/drivertest"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// freeAddr is a loopback address nobody listens on (drivertest.ClosedPort).
func freeAddr(t *testing.T) string { return drivertest.ClosedPort(t) }

// TestDemoServeAddresses: demo --serve listens where --rest-addr, --grpc-addr and --kafka-addr
// say and names every address and the command to run against it; with addresses in use it names
// every busy one with its flag (exit 2), and no internal package name.
func TestDemoServeAddresses(t *testing.T) {
	busy1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy1.Close()
	busy2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy2.Close()
	code, _, errOut := runCLI(t, nil, "demo", "--serve", "--rest-addr", busy1.Addr().String(), "--grpc-addr", busy2.Addr().String(), "--kafka-addr", freeAddr(t))
	for _, want := range []string{"REST (orders API) " + busy1.Addr().String() + " is in use (--rest-addr)", "gRPC (OrderService) " + busy2.Addr().String() + " is in use (--grpc-addr)"} {
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("busy ports: exit %d, stderr lacks %q:\n%s", code, want, errOut)
		}
	}
	for _, leak := range []string{"grpctest", "kafkatest", "kfake", "commbench: shop:"} {
		if strings.Contains(errOut, leak) {
			t.Errorf("stderr names %q:\n%s", leak, errOut)
		}
	}

	rest, grpcAddr, kafka := freeAddr(t), freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb lockedBuf
	done := make(chan int)
	go func() {
		done <- Execute(ctx, []string{"demo", "--serve", "--rest-addr", rest, "--grpc-addr", grpcAddr, "--kafka-addr", kafka},
			[]string{"COMMBENCH_AMQP_URL=amqp://guest:guest@127.0.0.1:1/"}, strings.NewReader(""), &out, &errb)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "Serving until interrupted") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"http://" + rest, grpcAddr, kafka, "SHOP_REST_URL=http://" + rest, "commbench run testdata/scenarios/shop.yaml"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve output lacks %q:\n%s", want, out.String())
		}
	}
}
