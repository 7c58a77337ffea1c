// Package protobuf is the Protobuf codec: schemas from .proto source compiled at run time
// (github.com/bufbuild/protocompile) or from FileDescriptorSets (protoc -o, base64 in Pact files),
// messages as google.golang.org/protobuf/types/dynamicpb, no generated code.
//
// The value model is the JSON data model of package formats with the .proto field names as keys
// (as the Pact protobuf plugin writes its matching-rule paths, e.g. $.shipping_address.city):
// integers as exact json.Number, enums as names, bytes as base64 strings and well-known types
// (Timestamp, Duration, Struct, wrappers, Any...) as protojson writes them.
package protobuf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Compile compiles .proto source files with protocompile and returns them with all their imports
// (transitively, well-known types included). importPaths are protoc's -I folders; when empty, the
// folder of each file is its import path. A file given by a path inside an import path is compiled
// under its name relative to that import path, as protoc does.
//
// Errors: a syntax or link error carries file:line:col (protocompile's reporter); an unreadable
// file names the path.
func Compile(ctx context.Context, files []string, importPaths []string) (*protoregistry.Files, error) {
	if len(files) == 0 {
		return nil, errors.New("protobuf: no .proto file to compile")
	}
	paths := append([]string(nil), importPaths...)
	names := make([]string, 0, len(files))
	for _, f := range files {
		name, ok := relativeTo(f, paths)
		if !ok {
			dir := filepath.Dir(f)
			paths = append(paths, dir)
			name = filepath.ToSlash(filepath.Base(f))
		}
		names = append(names, name)
	}
	return compile(ctx, &protocompile.SourceResolver{ImportPaths: paths}, names, strings.Join(files, ", "))
}

// CompileSources compiles .proto sources held in memory (e.g. fetched from a schema registry):
// sources maps import paths ("shop/v1/money.proto") to file text, files names the ones to compile;
// well-known types are available. Errors carry file:line:col.
func CompileSources(ctx context.Context, sources map[string]string, files []string) (*protoregistry.Files, error) {
	if len(files) == 0 {
		return nil, errors.New("protobuf: no .proto file to compile")
	}
	r := &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(sources)}
	return compile(ctx, r, files, strings.Join(files, ", "))
}

func compile(ctx context.Context, r protocompile.Resolver, names []string, label string) (*protoregistry.Files, error) {
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(r)}
	linked, err := c.Compile(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", label, err)
	}
	reg := new(protoregistry.Files)
	for _, fd := range linked {
		if err := registerWithImports(reg, fd); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// relativeTo returns file's slash path relative to the first import path that contains it.
func relativeTo(file string, importPaths []string) (string, bool) {
	absFile, err := filepath.Abs(file)
	if err != nil {
		return "", false
	}
	for _, ip := range importPaths {
		absIP, err := filepath.Abs(ip)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(absIP, absFile)
		if err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}

// registerWithImports registers fd and, first, every file it imports, each once.
func registerWithImports(reg *protoregistry.Files, fd protoreflect.FileDescriptor) error {
	if _, err := reg.FindFileByPath(fd.Path()); err == nil {
		return nil
	}
	imports := fd.Imports()
	for i := 0; i < imports.Len(); i++ {
		if err := registerWithImports(reg, imports.Get(i).FileDescriptor); err != nil {
			return err
		}
	}
	if err := reg.RegisterFile(fd); err != nil {
		return fmt.Errorf("register %s: %w", fd.Path(), err)
	}
	return nil
}

// LoadDescriptorSet builds a registry from serialized google.protobuf.FileDescriptorSet bytes
// (`protoc --include_imports -o`, or the base64-decoded protoDescriptors of a Pact file). Imports
// missing from the set are taken from the well-known types linked into this binary
// (protoregistry.GlobalFiles), so sets written without --include_imports load too.
//
// Errors: bytes that are not a FileDescriptorSet; a file whose import is neither in the set nor a
// well-known type; invalid descriptors (protodesc validation).
func LoadDescriptorSet(b []byte) (*protoregistry.Files, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("not a FileDescriptorSet: %w", err)
	}
	byPath := make(map[string]*descriptorpb.FileDescriptorProto, len(set.File))
	for i, f := range set.File {
		if f.GetName() == "" {
			return nil, fmt.Errorf("FileDescriptorSet file[%d] has no name", i)
		}
		if _, dup := byPath[f.GetName()]; dup {
			return nil, fmt.Errorf("FileDescriptorSet holds %s twice", f.GetName())
		}
		byPath[f.GetName()] = f
	}
	reg := new(protoregistry.Files)
	r := &setResolver{reg: reg}
	building := map[string]bool{}
	var build func(name string, from string) error
	build = func(name string, from string) error {
		if _, err := reg.FindFileByPath(name); err == nil {
			return nil
		}
		fdp, ok := byPath[name]
		if !ok {
			global, err := protoregistry.GlobalFiles.FindFileByPath(name)
			if err != nil {
				return fmt.Errorf("FileDescriptorSet: %s imports %s, which is neither in the set nor a well-known type", from, name)
			}
			return registerWithImports(reg, global)
		}
		if building[name] {
			return fmt.Errorf("FileDescriptorSet: import cycle through %s", name)
		}
		building[name] = true
		for _, dep := range fdp.GetDependency() {
			if err := build(dep, name); err != nil {
				return err
			}
		}
		fd, err := protodesc.NewFile(fdp, r)
		if err != nil {
			return fmt.Errorf("FileDescriptorSet: %s: %w", name, err)
		}
		if err := reg.RegisterFile(fd); err != nil {
			return fmt.Errorf("FileDescriptorSet: register %s: %w", name, err)
		}
		return nil
	}
	for _, f := range set.File {
		if err := build(f.GetName(), f.GetName()); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// setResolver resolves imports while a set is loaded: files already built, then the well-known
// types of protoregistry.GlobalFiles.
type setResolver struct{ reg *protoregistry.Files }

func (r *setResolver) FindFileByPath(p string) (protoreflect.FileDescriptor, error) {
	if fd, err := r.reg.FindFileByPath(p); err == nil {
		return fd, nil
	}
	return protoregistry.GlobalFiles.FindFileByPath(p)
}

func (r *setResolver) FindDescriptorByName(n protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := r.reg.FindDescriptorByName(n); err == nil {
		return d, nil
	}
	return protoregistry.GlobalFiles.FindDescriptorByName(n)
}

// LoadDescriptorSetFile reads a FileDescriptorSet file ("protoset") and loads it with
// LoadDescriptorSet. Errors name the path.
func LoadDescriptorSetFile(path string) (*protoregistry.Files, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files, err := LoadDescriptorSet(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return files, nil
}

// FindMessage returns the message named name: fully qualified ("shop.v1.Order"; a leading dot, as
// Pact content types write it, is accepted) or, when unambiguous, the short name ("Order").
// An unknown name is an error listing the messages available.
func FindMessage(files *protoregistry.Files, name string) (protoreflect.MessageDescriptor, error) {
	if files == nil {
		return nil, errors.New("protobuf: no schema loaded")
	}
	full := protoreflect.FullName(strings.TrimPrefix(name, "."))
	if d, err := files.FindDescriptorByName(full); err == nil {
		if md, ok := d.(protoreflect.MessageDescriptor); ok {
			return md, nil
		}
		return nil, fmt.Errorf("%s is a %s, not a message", name, kindOf(d))
	}
	all := Messages(files)
	var short []protoreflect.MessageDescriptor
	for _, md := range all {
		if string(md.Name()) == string(full) {
			short = append(short, md)
		}
	}
	if len(short) == 1 {
		return short[0], nil
	}
	names := make([]string, len(all))
	for i, md := range all {
		names[i] = string(md.FullName())
	}
	if len(short) > 1 {
		return nil, fmt.Errorf("message name %q is ambiguous: qualify it (available: %s)", name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("unknown message %q (available: %s)", name, strings.Join(names, ", "))
}

// Messages lists every message of files (nested ones included, map entries excluded), sorted by
// full name; files imported only as well-known types (google.protobuf.*) are left out.
func Messages(files *protoregistry.Files) []protoreflect.MessageDescriptor {
	var out []protoreflect.MessageDescriptor
	var walk func(protoreflect.MessageDescriptors)
	walk = func(mds protoreflect.MessageDescriptors) {
		for i := 0; i < mds.Len(); i++ {
			md := mds.Get(i)
			if md.IsMapEntry() {
				continue
			}
			out = append(out, md)
			walk(md.Messages())
		}
	}
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if fd.Package() != "google.protobuf" {
			walk(fd.Messages())
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	return out
}

func kindOf(d protoreflect.Descriptor) string {
	switch d.(type) {
	case protoreflect.EnumDescriptor:
		return "enum"
	case protoreflect.ServiceDescriptor:
		return "service"
	case protoreflect.MethodDescriptor:
		return "method"
	case protoreflect.FieldDescriptor:
		return "field"
	case protoreflect.FileDescriptor:
		return "file"
	}
	return "descriptor"
}
