package grpc

import (
	"context"
	"strings"
	"testing"

	"github.com/commbench/commbench/formats/protobuf"
)

// FuzzMethodNames feeds method names and routes to FindMethod and fullMethod: errors, never
// panics, and whatever resolves must name a method of the descriptors.
func FuzzMethodNames(f *testing.F) {
	files, err := protobuf.CompileSources(context.Background(), map[string]string{"a.proto": `syntax = "proto3";
package p.q; message M {} service S { rpc Do(M) returns (M); rpc Go(stream M) returns (stream M); }
service T { rpc Do(M) returns (M); }`}, []string{"a.proto"})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"/p.q.S/Do", "S/Go", ".p.q.T/Do", "p.q.S.Do", "/", "//", "S/", "/S", "q.S/Do", "...", "S/Do/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if md, err := FindMethod(files, name); err == nil {
			if !strings.HasSuffix(name, string(md.Name())) {
				t.Fatalf("%q resolved to %s", name, MethodPath(md))
			}
		}
		if route, err := fullMethod(name); err == nil && (!strings.HasPrefix(route, "/") || strings.Count(route, "/") != 2) {
			t.Fatalf("%q gave route %q", name, route)
		}
	})
}
