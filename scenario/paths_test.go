package scenario

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestResolvePaths(t *testing.T) {
	s := Scenario{
		Targets:   []Target{{Name: "g", Proto: []string{"shop.proto", "/abs/x.proto"}, ImportPaths: []string{"."}}},
		Contracts: []Contract{{Pacts: []string{"pacts", "https://broker.test/pacts/x"}}},
		Workloads: []Workload{{Payload: Payload{Schema: "s.avsc", SchemaDeps: []string{"m.avsc"}, Template: "t.json", DataFile: ""}}},
		Outputs:   Outputs{HTML: "out/report.html"},
	}
	s.ResolvePaths("dir")
	want := Scenario{
		Targets:   []Target{{Name: "g", Proto: []string{filepath.Join("dir", "shop.proto"), "/abs/x.proto"}, ImportPaths: []string{"dir"}}},
		Contracts: []Contract{{Pacts: []string{filepath.Join("dir", "pacts"), "https://broker.test/pacts/x"}}},
		Workloads: []Workload{{Payload: Payload{Schema: filepath.Join("dir", "s.avsc"), SchemaDeps: []string{filepath.Join("dir", "m.avsc")}, Template: filepath.Join("dir", "t.json")}}},
		Outputs:   Outputs{HTML: "out/report.html"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got  %+v\nwant %+v", s, want)
	}
}

func TestExpandEnvDefaults(t *testing.T) {
	env := map[string]string{"SET": "http://set:1", "EMPTY": ""}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name, in, want, err string
	}{
		{"set", "${SET}", "http://set:1", ""},
		{"set with default", "${SET:-http://d:2}", "http://set:1", ""},
		{"unset with default", "${UNSET:-http://d:2}/x", "http://d:2/x", ""},
		{"empty with default", "${EMPTY:-amqp://g:g@h/}", "amqp://g:g@h/", ""},
		{"unset", "${UNSET}", "", "environment variable UNSET is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Target{Name: "x", Address: tt.in}.ExpandEnv(getenv)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Address != tt.want {
				t.Fatalf("got %q, %v; want %q", got.Address, err, tt.want)
			}
			c, err := Contract{StateChangeURL: tt.in}.ExpandEnv(getenv)
			if err != nil || c.StateChangeURL != tt.want {
				t.Fatalf("contract: got %q, %v; want %q", c.StateChangeURL, err, tt.want)
			}
		})
	}
}

func TestRedactedHidesWorkloadHeadersAndStateURLCredentials(t *testing.T) {
	s := Scenario{
		Contracts: []Contract{{StateChangeURL: "http://user:pw@h/_pact/state"}},
		Workloads: []Workload{{Headers: map[string]string{"Authorization": "Bearer t0k"}}},
	}
	r := s.Redacted()
	if r.Contracts[0].StateChangeURL != "http://***@h/_pact/state" || r.Workloads[0].Headers["Authorization"] != "***" {
		t.Fatalf("not redacted: %+v", r)
	}
	if s.Workloads[0].Headers["Authorization"] != "Bearer t0k" {
		t.Fatal("Redacted changed the original")
	}
}

// TestOverridesKeepFileLines: a mistake in the file is reported at its line in the file even
// when --set overrides re-encode the document (which drops comments and moves lines).
func TestOverridesKeepFileLines(t *testing.T) {
	doc := strings.Replace("# a comment\n\n# another\n"+valid, "    path: /orders/1", "    pth: /orders/1", 1)
	line := strings.Count(doc[:strings.Index(doc, "pth:")], "\n") + 1
	_, err := Parse([]byte(doc), "shop.yaml", []string{"workloads.get-order.rate=50/s"})
	want := "shop.yaml:" + strconv.Itoa(line) + `: workloads.0.pth: unknown field "pth"; did you mean path?`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v, want %q", err, want)
	}
	// A wrong type set by --set names the override and the field.
	_, err = Parse([]byte(valid), "shop.yaml", []string{"workloads.get-order.concurrency=lots"})
	if want := `--set workloads.get-order.concurrency=lots: workloads.0.concurrency: want a whole number, got "lots"`; err == nil || err.Error() != want {
		t.Fatalf("err %v, want %q", err, want)
	}
}

// FuzzExpandEnv: any address expands without panicking, and with every variable set to "v" no
// ${NAME} or ${NAME:-default} reference survives.
func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"${A}", "${A:-http://h:1/}x", "amqp://${U}:${P}@h/", "${", "${:-}", "$${A}", "${A:-${B}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Target{Name: "x", Address: s}.ExpandEnv(func(string) (string, bool) { return "v", true })
		if err != nil {
			t.Fatalf("all variables set, yet %v", err)
		}
		if envRef.MatchString(got.Address) && !envRef.MatchString(s) {
			t.Fatalf("%q expanded to %q, a new reference", s, got.Address)
		}
	})
}
