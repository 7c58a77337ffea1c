package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/commbench/commbench/contracts"
	cgrpc "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/internal/exitcode"
)

// Validate loads and checks every input file the plan's run would read, connecting to nothing
// (a pact URL is fetched): the contracts' pacts and .proto files, and per workload its payload
// (schema .proto or .avsc, template, data file) and, for gRPC, its target's .proto files and
// method. It follows Options.Only. The first problem is returned as an error wrapping ErrInvalid
// (exit 2) that names the contract or workload and the file.
func (p *Plan) Validate(ctx context.Context) error {
	if p.opts.Only != "bench" {
		for i, c := range p.Scenario.Contracts {
			what := fmt.Sprintf("contract %d (%s)", i+1, strings.Join(c.Pacts, ", "))
			rc, err := p.contract(c)
			if err != nil {
				return exitcode.Usagef("%s: %w", what, err)
			}
			for _, src := range rc.Pacts {
				if _, err := contracts.Load(ctx, src, contracts.LoadOptions{Getenv: p.opts.getenv}); err != nil {
					return exitcode.Usagef("%s: %w", what, err)
				}
			}
			if len(rc.Proto) > 0 {
				if _, err := protobuf.LoadSchema(ctx, formats.Options{Schema: rc.Proto[0], SchemaFiles: rc.Proto[1:], ImportPaths: rc.ImportPaths}); err != nil {
					return exitcode.Usagef("%s: proto %s: %w", what, strings.Join(rc.Proto, ", "), err)
				}
			}
		}
	}
	if p.opts.Only == "verify" {
		return nil
	}
	for _, w := range p.Workloads {
		if err := validateWorkload(ctx, w); err != nil {
			return exitcode.Usagef("workload %q: %w", w.Workload.Name, err)
		}
	}
	return nil
}

// validateWorkload loads w's payload files (and, for gRPC, its target's protos and method) as
// opening it would, without connecting.
func validateWorkload(ctx context.Context, w Workload) error {
	t, wl := w.Target, w.Workload
	if t.Driver == "grpc" {
		if wl.Method == "" || len(t.Proto) == 0 {
			return fmt.Errorf("a grpc workload needs method (pkg.Service/Method) and its target's proto files")
		}
		files, err := protobuf.LoadSchema(ctx, formats.Options{Schema: t.Proto[0], SchemaFiles: t.Proto[1:], ImportPaths: t.ImportPaths})
		if err != nil {
			return fmt.Errorf("target %q proto: %w", t.Name, err)
		}
		md, err := cgrpc.FindMethod(files, wl.Method)
		if err != nil {
			return fmt.Errorf("method: %w", err)
		}
		_, err = payloadSource(wl.Payload, protobuf.NewCodec(md.Input(), files))
		return err
	}
	codec, err := payloadCodec(wl.Payload)
	if err != nil {
		return err
	}
	_, err = payloadSource(wl.Payload, codec)
	return err
}
