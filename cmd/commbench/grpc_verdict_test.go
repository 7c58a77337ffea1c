package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/internal/testenv"
)

// TestVerdictGRPCHangingAndFailing: an in-process gRPC server whose GetOrder never answers (the
// run ends at duration + drain, the 3 calls in flight are canceled, as many as the server had)
// or always answers UNAVAILABLE (the run fails on the default thresholds, the latency figures are
// of the failures only).
func TestVerdictGRPCHangingAndFailing(t *testing.T) {
	proto := filepath.Join(testenv.ModuleRoot(t), "testdata", "schemas", "shop.proto")
	files, err := protobuf.LoadSchema(context.Background(), formats.Options{Schema: proto})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"hanging", "failing"} {
		t.Run(mode, func(t *testing.T) {
			var inflight, peak atomic.Int64
			srv := grpctest.Start(t, files, map[string]grpctest.Handler{"shop.v1.OrderService/GetOrder": func(s *grpctest.Stream) error {
				if _, err := s.Recv(); err != nil {
					return err
				}
				if mode == "failing" {
					return status.Error(codes.Unavailable, "down for maintenance")
				}
				peak.Store(max(peak.Load(), inflight.Add(1)))
				defer inflight.Add(-1)
				<-s.Context().Done()
				return s.Context().Err()
			}}, grpctest.Options{})
			out := filepath.Join(t.TempDir(), "r.json")
			began := time.Now()
			code, stdout, stderr := runCLI(t, nil, "bench", "grpc", "--address", srv.Addr, "--proto", proto, "--method", "shop.v1.OrderService/GetOrder",
				"-c", "3", "-d", "500ms", "--drain", "300ms", "-q", "--out", out)
			if took := time.Since(began); took > 6*time.Second {
				t.Fatalf("run took %v, want about 0.8 s", took)
			}
			if code != exitcode.Failed || !strings.Contains(stderr, "succeeded>0") {
				t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
			}
			w := resultsOf(t, out).Workloads[0]
			if w.Latency != nil || w.Totals.Succeeded != 0 {
				t.Fatalf("latency %+v totals %+v, want no success", w.Latency, w.Totals)
			}
			switch mode {
			case "hanging":
				if peak.Load() != 3 || w.Totals.Canceled != 3 || w.Totals.Requests != 3 {
					t.Fatalf("server had %d in flight; totals %+v errors %v", peak.Load(), w.Totals, w.Errors)
				}
			case "failing":
				if w.Errors["grpc_UNAVAILABLE"] == 0 || w.FailedLatency == nil || w.FailedLatency.Count != w.Totals.Errors {
					t.Fatalf("errors %v failed latency %+v", w.Errors, w.FailedLatency)
				}
			}
		})
	}
}
