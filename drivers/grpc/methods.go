package grpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	encproto "google.golang.org/grpc/encoding/proto"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/commbench/commbench/formats/protobuf"
)

// MethodPath returns the gRPC route of md: "/pkg.Service/Method".
func MethodPath(md protoreflect.MethodDescriptor) string {
	return "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
}

// FindMethod returns the method called name in files. name is one of "/pkg.Service/Method",
// "pkg.Service/Method", ".pkg.Service/Method" (as Pact's protobuf plugin writes it),
// "pkg.Service.Method", or "Service/Method" with the service's short name (the form of the
// plugin's `service` field for a package-less reference), which must then be unique.
//
// Errors: a malformed name; an unknown service (naming the services files holds); a service
// name found in several packages; an unknown method (naming the service's methods).
func FindMethod(files *protoregistry.Files, name string) (protoreflect.MethodDescriptor, error) {
	if files == nil {
		return nil, errors.New("grpc method lookup: no descriptors")
	}
	n := strings.TrimPrefix(strings.TrimPrefix(name, "/"), ".")
	svcName, method, ok := strings.Cut(n, "/")
	if !ok {
		i := strings.LastIndexByte(n, '.')
		if i < 0 {
			return nil, fmt.Errorf("grpc method %q: want Service/Method or /package.Service/Method", name)
		}
		svcName, method = n[:i], n[i+1:]
	}
	if svcName == "" || method == "" || strings.Contains(method, "/") {
		return nil, fmt.Errorf("grpc method %q: want Service/Method or /package.Service/Method", name)
	}
	var svc protoreflect.ServiceDescriptor
	if d, err := files.FindDescriptorByName(protoreflect.FullName(svcName)); err == nil {
		svc, _ = d.(protoreflect.ServiceDescriptor)
	}
	if svc == nil {
		var matches []protoreflect.ServiceDescriptor
		for _, s := range services(files) {
			if string(s.Name()) == svcName || strings.HasSuffix(string(s.FullName()), "."+svcName) {
				matches = append(matches, s)
			}
		}
		switch len(matches) {
		case 0:
			known := make([]string, 0)
			for _, s := range services(files) {
				known = append(known, string(s.FullName()))
			}
			return nil, fmt.Errorf("grpc method %q: no service %s in the descriptors (services: %s)", name, svcName, strings.Join(known, ", "))
		case 1:
			svc = matches[0]
		default:
			names := make([]string, len(matches))
			for i, m := range matches {
				names[i] = string(m.FullName())
			}
			return nil, fmt.Errorf("grpc method %q: service %s is ambiguous (%s): give the package", name, svcName, strings.Join(names, ", "))
		}
	}
	md := svc.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		var known []string
		for i := 0; i < svc.Methods().Len(); i++ {
			known = append(known, string(svc.Methods().Get(i).Name()))
		}
		return nil, fmt.Errorf("grpc method %q: service %s has no method %s (methods: %s)", name, svc.FullName(), method, strings.Join(known, ", "))
	}
	return md, nil
}

// services lists every service in files, sorted by full name.
func services(files *protoregistry.Files) []protoreflect.ServiceDescriptor {
	var out []protoreflect.ServiceDescriptor
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			out = append(out, fd.Services().Get(i))
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	return out
}

// Reflect asks the server for the descriptors of every service it lists, with the gRPC server
// reflection protocol (grpc.reflection.v1.ServerReflection), and returns them with their imports.
// The reflection service itself is left out.
//
// Errors: the server has no reflection service (codes.Unimplemented, with a hint to use .proto
// files or a protoset); a reflection error response; descriptors that do not link
// (formats/protobuf.LoadDescriptorSet).
func (c *Conn) Reflect(ctx context.Context) (*protoregistry.Files, error) {
	ctx, cancel := context.WithTimeout(ctx, c.reqTimeout)
	defer cancel()
	ctx = c.outgoing(ctx, nil)
	stream, err := reflectionpb.NewServerReflectionClient(c.cc).ServerReflectionInfo(ctx, grpcProtoCodec())
	if err != nil {
		return nil, reflectErr(err)
	}
	defer stream.CloseSend()
	ask := func(req *reflectionpb.ServerReflectionRequest) (*reflectionpb.ServerReflectionResponse, error) {
		if err := stream.Send(req); err != nil {
			if err == io.EOF {
				_, err = stream.Recv()
			}
			return nil, reflectErr(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			return nil, reflectErr(err)
		}
		if e := resp.GetErrorResponse(); e != nil {
			return nil, fmt.Errorf("grpc reflection: %s (code %s)", e.GetErrorMessage(), codes.Code(e.GetErrorCode()))
		}
		return resp, nil
	}
	resp, err := ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
	if err != nil {
		return nil, err
	}
	files := map[string]*descriptorpb.FileDescriptorProto{}
	var order []string
	add := func(resp *reflectionpb.ServerReflectionResponse) error {
		for _, b := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
			fd := new(descriptorpb.FileDescriptorProto)
			if err := proto.Unmarshal(b, fd); err != nil {
				return fmt.Errorf("grpc reflection: a file descriptor does not decode: %w", err)
			}
			if _, seen := files[fd.GetName()]; !seen {
				files[fd.GetName()] = fd
				order = append(order, fd.GetName())
			}
		}
		return nil
	}
	for _, s := range resp.GetListServicesResponse().GetService() {
		if strings.HasPrefix(s.GetName(), "grpc.reflection.") {
			continue
		}
		r, err := ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: s.GetName()}})
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.GetName(), err)
		}
		if err := add(r); err != nil {
			return nil, err
		}
	}
	// Servers may leave out imports they sent earlier on the stream or never: ask for the missing
	// ones by file name (well-known types are resolved by LoadDescriptorSet anyway).
	for i := 0; i < len(order); i++ {
		for _, dep := range files[order[i]].GetDependency() {
			if _, ok := files[dep]; ok || strings.HasPrefix(dep, "google/protobuf/") {
				continue
			}
			r, err := ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileByFilename{FileByFilename: dep}})
			if err != nil {
				return nil, fmt.Errorf("import %s of %s: %w", dep, order[i], err)
			}
			if err := add(r); err != nil {
				return nil, err
			}
		}
	}
	set := &descriptorpb.FileDescriptorSet{}
	for _, name := range order {
		set.File = append(set.File, files[name])
	}
	b, err := proto.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("grpc reflection: %w", err)
	}
	reg, err := protobuf.LoadDescriptorSet(b)
	if err != nil {
		return nil, fmt.Errorf("grpc reflection descriptors: %w", err)
	}
	return reg, nil
}

func reflectErr(err error) error {
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("grpc reflection: the server does not offer reflection (give .proto files or a protoset instead): %w", err)
	}
	return fmt.Errorf("grpc reflection: %w", err)
}

// grpcProtoCodec selects grpc-go's protobuf codec for calls with generated messages (reflection),
// overriding the connection's pass-through codec.
func grpcProtoCodec() grpc.CallOption {
	return grpc.ForceCodecV2(encoding.GetCodecV2(encproto.Name))
}
