package verifier

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/commbench/commbench/contracts"
	"github.com/commbench/commbench/contracts/matching"
	"github.com/commbench/commbench/drivers"
	grpcdriver "github.com/commbench/commbench/drivers/grpc"
	"github.com/commbench/commbench/formats/protobuf"
	"github.com/commbench/commbench/results"
)

// verifyGRPC verifies a gRPC interaction recorded by Pact's protobuf plugin (V4
// Synchronous/Messages with pluginConfiguration.protobuf), natively, with no plugin binary: the
// descriptors come from the pact's metadata.plugins[].configuration[descriptorKey].protoDescriptors
// (or Config.GRPCFiles), the method from pluginConfiguration.protobuf.service ("Service/Method"),
// the request from the base64 contents. The response is decoded with the method's output
// descriptor and matched with the body rules on .proto field names; the metadata rules apply to
// the response headers and trailers plus grpc-status (code name, e.g. NOT_FOUND) and grpc-message.
func (cfg *Config) verifyGRPC(ctx context.Context, p *contracts.Pact, in *contracts.Interaction, _ map[string]any) ([]results.Mismatch, error) {
	if in.SyncRequest == nil || len(in.SyncResponses) == 0 {
		return nil, errorf("gRPC interaction %q has no request or response", in.Description)
	}
	pb, _ := in.PluginConfiguration["protobuf"].(map[string]any)
	service, _ := pb["service"].(string)
	if service == "" {
		return nil, errorf("gRPC interaction %q: pluginConfiguration.protobuf.service is missing", in.Description)
	}
	files, err := cfg.descriptors(p, pb)
	if err != nil {
		return nil, err
	}
	method, err := grpcdriver.FindMethod(files, service)
	if err != nil {
		return nil, errorf("gRPC interaction %q: %w", in.Description, err)
	}
	req := &drivers.Message{
		Route:   grpcdriver.MethodPath(method),
		Body:    in.SyncRequest.Contents.Content,
		Headers: requestMetadata(in.SyncRequest.Metadata),
	}
	resp, err := cfg.GRPC.Request(ctx, req)
	if err != nil {
		return nil, err
	}
	expected := in.SyncResponses[0]
	actualMeta := matching.HeadersToMetadata(resp.Headers)
	for k, v := range matching.HeadersToMetadata(resp.Trailers) {
		actualMeta[k] = v
	}
	actualMeta["grpc-status"] = codeName(codes.Code(resp.Status))
	actualMeta["grpc-message"] = resp.StatusMessage
	wantMeta := map[string]any{}
	for k, v := range expected.Metadata {
		if !strings.EqualFold(k, "contentType") && !strings.EqualFold(k, "content-type") {
			wantMeta[k] = v
		}
	}
	var mismatches []results.Mismatch
	if _, ok := wantMeta["grpc-status"]; !ok && resp.Status != int(codes.OK) {
		mismatches = append(mismatches, results.Mismatch{
			Category: "metadata", Path: "grpc-status", Expected: "OK", Actual: codeName(codes.Code(resp.Status)),
			Message: fmt.Sprintf("expected gRPC status OK but got %s: %s", codeName(codes.Code(resp.Status)), resp.StatusMessage),
		})
	}
	mismatches = append(mismatches, matching.MatchMetadata(wantMeta, actualMeta, expected.Rules.Get("metadata"))...)
	if resp.Status != int(codes.OK) {
		return mismatches, nil // an error status carries no response message to compare
	}
	out := method.Output()
	wantValue, err := decodePresent(out, expected.Contents.Content)
	if err != nil {
		return nil, errorf("gRPC interaction %q: expected response contents: %w", in.Description, err)
	}
	gotValue, err := decode(out, resp.Body)
	if err != nil {
		return append(mismatches, results.Mismatch{
			Category: "body", Path: "$", Expected: string(out.FullName()), Actual: fmt.Sprintf("%d bytes", len(resp.Body)),
			Message: fmt.Sprintf("response is not a valid %s message: %v", out.FullName(), err),
		}), nil
	}
	body, err := contracts.MatchDecoded(expected, wantValue, gotValue)
	if err != nil {
		return nil, err
	}
	return append(mismatches, body...), nil
}

// decode turns protobuf bytes into the JSON data model with .proto field names.
func decode(md protoreflect.MessageDescriptor, b []byte) (any, error) {
	m := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, err
	}
	return protobuf.ToValue(m)
}

// decodePresent decodes the expected message keeping only the fields present on the wire, as
// Pact's protobuf plugin compares: a field the consumer did not set is not expected.
func decodePresent(md protoreflect.MessageDescriptor, b []byte) (any, error) {
	m := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, err
	}
	v, err := protobuf.ToValue(m)
	if err != nil {
		return nil, err
	}
	prune(m, v)
	return v, nil
}

// prune removes from v (the ToValue of m) the fields m does not have, recursively.
func prune(m protoreflect.Message, v any) {
	obj, ok := v.(map[string]any)
	if !ok || m.Descriptor().FullName().Parent() == "google.protobuf" {
		return
	}
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		name := string(fd.Name())
		if !m.Has(fd) {
			delete(obj, name)
			continue
		}
		if fd.Message() == nil || fd.IsMap() {
			continue
		}
		if fd.IsList() {
			list := m.Get(fd).List()
			items, _ := obj[name].([]any)
			for j := 0; j < list.Len() && j < len(items); j++ {
				prune(list.Get(j).Message(), items[j])
			}
			continue
		}
		prune(m.Get(fd).Message(), obj[name])
	}
}

// requestMetadata turns the pact's request metadata into gRPC metadata, leaving out the
// contentType the plugin records there.
func requestMetadata(md map[string]any) map[string][]string {
	h := map[string][]string{}
	for k, v := range md {
		if strings.EqualFold(k, "contentType") || strings.EqualFold(k, "content-type") {
			continue
		}
		switch x := v.(type) {
		case string:
			h[strings.ToLower(k)] = []string{x}
		case []any:
			for _, e := range x {
				h[strings.ToLower(k)] = append(h[strings.ToLower(k)], fmt.Sprint(e))
			}
		default:
			h[strings.ToLower(k)] = []string{fmt.Sprint(x)}
		}
	}
	return h
}

var descCache sync.Map // key: pact source + descriptor key -> *protoregistry.Files

// descriptors returns the FileDescriptorSet the pact's protobuf plugin configuration names, or
// Config.GRPCFiles when the pact carries none.
func (cfg *Config) descriptors(p *contracts.Pact, pb map[string]any) (*protoregistry.Files, error) {
	key, _ := pb["descriptorKey"].(string)
	if key != "" {
		cacheKey := p.Source + "\x00" + key
		if f, ok := descCache.Load(cacheKey); ok {
			return f.(*protoregistry.Files), nil
		}
		plugins, _ := p.Metadata["plugins"].([]any)
		for _, pl := range plugins {
			conf, _ := pl.(map[string]any)["configuration"].(map[string]any)
			entry, _ := conf[key].(map[string]any)
			enc, _ := entry["protoDescriptors"].(string)
			if enc == "" {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return nil, errorf("%s: metadata.plugins configuration %s: protoDescriptors is not base64: %w", p.Source, key, err)
			}
			files, err := protobuf.LoadDescriptorSet(raw)
			if err != nil {
				return nil, errorf("%s: metadata.plugins configuration %s: %w", p.Source, key, err)
			}
			descCache.Store(cacheKey, files)
			return files, nil
		}
	}
	if cfg.GRPCFiles != nil {
		return cfg.GRPCFiles, nil
	}
	return nil, errorf("%s: no protobuf descriptors for key %q in metadata.plugins, and no --proto given", p.Source, key)
}

// codeName returns the canonical gRPC status code name (NOT_FOUND), as the protobuf plugin
// records grpc-status.
func codeName(c codes.Code) string {
	if c <= codes.Unauthenticated {
		return codeNames[c]
	}
	return fmt.Sprintf("CODE_%d", uint32(c))
}

var codeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
	"PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}
