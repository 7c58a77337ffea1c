package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/testenv"
	"github.com/commbench/commbench/results"
)

// ordersProvider is an in-process REST provider for testdata/pacts/verify: correct, or broken
// (total as a string, no items, 200 for a missing order, no Location header). It records the
// provider state calls it receives.
type ordersProvider struct {
	broken bool
	mu     sync.Mutex
	states []string
}

func (p *ordersProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/_pact/state":
		var sc struct {
			State  string         `json:"state"`
			Params map[string]any `json:"params"`
			Action string         `json:"action"`
		}
		_ = json.NewDecoder(r.Body).Decode(&sc)
		p.mu.Lock()
		p.states = append(p.states, sc.Action+":"+sc.State)
		p.mu.Unlock()
		fmt.Fprint(w, `{"id":"o-1"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/orders/o-1":
		if p.broken {
			fmt.Fprint(w, `{"id":"o-1","status":"PLACED","total":"25.50"}`)
			return
		}
		fmt.Fprint(w, `{"id":"o-1","status":"PAID","total":99.95,"items":[{"sku":"SKU-9","qty":1},{"sku":"SKU-1","qty":3}]}`)
	case r.Method == http.MethodGet && r.URL.Path == "/orders/missing":
		if p.broken {
			fmt.Fprint(w, `{"error":"gone"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"order missing not found"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/orders":
		body, _ := io.ReadAll(r.Body)
		if !json.Valid(body) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if !p.broken {
			w.Header().Set("Location", "/orders/o-7")
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"o-7","status":"PLACED"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func pactPath(t *testing.T, name string) string {
	return filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", "verify", name)
}

func TestVerifyHTTP(t *testing.T) {
	good := &ordersProvider{}
	goodSrv := httptest.NewServer(good)
	defer goodSrv.Close()
	badSrv := httptest.NewServer(&ordersProvider{broken: true})
	defer badSrv.Close()
	pact := pactPath(t, "web-orders-api.json")

	t.Run("correct provider passes", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "results.json")
		code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--provider-base-url", goodSrv.URL,
			"--state-change-url", goodSrv.URL+"/_pact/state", "--state-teardown", "--json", out, "--no-color")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		f, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if s := f.Verification.Summary; s.Passed != 3 || s.Failed != 0 {
			t.Fatalf("summary %+v", s)
		}
		good.mu.Lock()
		defer good.mu.Unlock()
		// "place an order" has no provider state: state "" is set up and torn down, as Pact does
		want := "setup:an order exists,teardown:an order exists,setup:no order exists,teardown:no order exists,setup:,teardown:"
		if got := strings.Join(good.states, ","); got != want {
			t.Fatalf("state calls %s, want %s", got, want)
		}
	})
	t.Run("broken provider fails with paths", func(t *testing.T) {
		dir := t.TempDir()
		out, junit := filepath.Join(dir, "results.json"), filepath.Join(dir, "junit.xml")
		code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--provider-base-url", badSrv.URL, "--json", out, "--junit", junit)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{"$.total", "missing the key(s) items", "Expected status 404", "Location"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks a mismatch on %s:\n%s", want, stdout)
			}
		}
		f, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if s := f.Verification.Summary; s.Failed != 3 {
			t.Fatalf("summary %+v, want 3 failed", s)
		}
		for _, r := range f.Verification.Interactions {
			for _, m := range r.Mismatches {
				if m.Path == "$.total" && (m.Expected == "" || m.Actual == "") {
					t.Errorf("mismatch without expected/actual: %+v", m)
				}
			}
		}
		if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), "<failure") {
			t.Fatalf("junit: %v %s", err, b)
		}
	})
	t.Run("filters", func(t *testing.T) {
		code, stdout, _ := runCLI(t, nil, "verify", "--pact", pact, "--provider-base-url", badSrv.URL, "--description", "^place")
		if code != 1 || strings.Contains(stdout, "get an order") || !strings.Contains(stdout, "place an order") {
			t.Fatalf("exit %d\n%s", code, stdout)
		}
		code, _, _ = runCLI(t, nil, "verify", "--pact", pact, "--provider-base-url", badSrv.URL, "--consumer", "nobody")
		if code != 0 {
			t.Fatalf("no interaction selected: exit %d, want 0", code)
		}
	})
	t.Run("failing pending interaction does not fail the run", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pactPath(t, "web-orders-api-pending.json"), "--provider-base-url", goodSrv.URL)
		if code != 0 || !strings.Contains(stdout, "pending") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

func TestVerifyExitCodes(t *testing.T) {
	srv := httptest.NewServer(&ordersProvider{})
	defer srv.Close()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"consumer\": {\"name\": \"web\"},\n  \"interactions\": [\n    {\"description\": }\n  ]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	closedAddr := drivertest.ClosedPort(t)
	closed := "http://" + closedAddr
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid pact", []string{"--pact", bad, "--provider-base-url", srv.URL}, 2, "bad.json:4:"},
		{"missing pact file", []string{"--pact", filepath.Join(dir, "nope.json"), "--provider-base-url", srv.URL}, 2, "nope.json"},
		{"no --pact", []string{"--provider-base-url", srv.URL}, 2, "pact"},
		{"bad regexp", []string{"--pact", pactPath(t, "web-orders-api.json"), "--provider-base-url", srv.URL, "--description", "("}, 2, "--description"},
		{"unreachable provider", []string{"--pact", pactPath(t, "web-orders-api.json"), "--provider-base-url", closed, "--connect-timeout", "1s"}, 3, closedAddr},
		{"nothing to verify with", []string{"--pact", pactPath(t, "web-orders-api.json")}, 2, "--provider-base-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append([]string{"verify"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestVerifyRealGRPCPact verifies ../shared/real-pacts/grpc-response-metadata.json (recorded by
// Pact's protobuf plugin) with no plugin binary, against in-process providers built from the
// descriptors inside the pact.
func TestVerifyRealGRPCPact(t *testing.T) {
	pact := testenv.SharedFile(t, "real-pacts", "grpc-response-metadata.json")
	files := pactDescriptors(t, pact)
	method := "/pactissue.Test/GetTest"
	outType := func(s *grpctest.Stream) *dynamicpb.Message { return dynamicpb.NewMessage(s.Method.Output()) }
	tests := []struct {
		name    string
		handler grpctest.Handler
		code    int
		want    string
	}{
		{"satisfies", func(s *grpctest.Stream) error {
			if _, err := s.Recv(); err != nil {
				return err
			}
			return status.Error(codes.NotFound, "not found")
		}, 0, "passed"},
		{"wrong status", func(s *grpctest.Stream) error {
			if _, err := s.Recv(); err != nil {
				return err
			}
			m := outType(s)
			m.Set(m.Descriptor().Fields().ByName("b"), protoreflect.ValueOfBool(true))
			return s.Send(m)
		}, 1, "grpc-status"},
		{"other error status", func(s *grpctest.Stream) error {
			if _, err := s.Recv(); err != nil {
				return err
			}
			return status.Error(codes.Unimplemented, "not yet")
		}, 1, "UNIMPLEMENTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := grpctest.Start(t, files, map[string]grpctest.Handler{method: tt.handler}, grpctest.Options{})
			code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--grpc-address", srv.Addr)
			if code != tt.code || !strings.Contains(stdout, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestVerifyGRPCShop verifies a protobuf-plugin style pact for shop.v1.OrderService/GetOrder,
// whose response body is compared on .proto field names.
func TestVerifyGRPCShop(t *testing.T) {
	files := grpctest.ShopFiles(t)
	// The checkout consumer's contract, built from shop.proto by demo/shop's TestGRPCPactIsCurrent.
	pact := filepath.Join(testenv.ModuleRoot(t), "testdata", "pacts", "shop", "checkout-order-service.json")
	good := grpctest.StartShop(t, grpctest.Options{})
	code, stdout, stderr := runCLI(t, nil, "verify", "--pact", pact, "--grpc-address", good.Addr)
	if code != 0 {
		t.Fatalf("correct provider: exit %d\n%s\n%s", code, stdout, stderr)
	}
	broken := grpctest.Shop()
	broken[grpctest.GetOrder] = func(s *grpctest.Stream) error {
		if _, err := s.Recv(); err != nil {
			return err
		}
		m := dynamicpb.NewMessage(s.Method.Output())
		m.Set(m.Descriptor().Fields().ByName("id"), protoreflect.ValueOfString("o-1"))
		m.Set(m.Descriptor().Fields().ByName("status"), protoreflect.ValueOfEnum(4)) // CANCELLED
		return s.Send(m)
	}
	bad := grpctest.Start(t, files, broken, grpctest.Options{})
	code, stdout, stderr = runCLI(t, nil, "verify", "--pact", pact, "--grpc-address", bad.Addr)
	if code != 1 || !strings.Contains(stdout, "$.status") || !strings.Contains(stdout, "$.customer_id") {
		t.Fatalf("broken provider: exit %d, want 1 with mismatches on $.status and $.customer_id\n%s\n%s", code, stdout, stderr)
	}
}

func pactDescriptors(t *testing.T, pact string) *protoregistry.Files {
	t.Helper()
	b, err := os.ReadFile(pact)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Metadata struct {
			Plugins []struct {
				Configuration map[string]struct {
					ProtoDescriptors string `json:"protoDescriptors"`
				} `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	for _, pl := range p.Metadata.Plugins {
		for _, c := range pl.Configuration {
			raw, err := base64.StdEncoding.DecodeString(c.ProtoDescriptors)
			if err != nil {
				t.Fatal(err)
			}
			files, err := protobuf.LoadDescriptorSet(raw)
			if err != nil {
				t.Fatal(err)
			}
			return files
		}
	}
	t.Fatal("no descriptors in pact")
	return nil
}
