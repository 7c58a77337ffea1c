package scenario

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/invopop/jsonschema"
)

var update = flag.Bool("update", false, "rewrite scenario.schema.json")

const valid = `name: shop
targets:
  - name: orders-api
    driver: rest
    address: http://127.0.0.1:8080
    headers:
      Authorization: Bearer ${TOKEN}
  - name: events
    driver: kafka
    address: 127.0.0.1:9092
contracts:
  - pacts: [testdata/pacts]
    http: orders-api
    kafka: events
    message_routes: ["OrderPlaced=kafka://orders"]
workloads:
  - name: get-order
    target: orders-api
    operation: request
    method: GET
    path: /orders/1
    rate: 100/s
    duration: 2s
    thresholds: ["p99<25ms"]
outputs:
  html: out/report.html
`

func TestParseValid(t *testing.T) {
	s, err := Parse([]byte(valid), "shop.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 2 || s.Workloads[0].Duration.Std().Seconds() != 2 || s.Outputs.HTML != "out/report.html" {
		t.Fatalf("decoded wrong: %+v", s)
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"typo in field", strings.Replace(valid, "    path: /orders/1", "    pth: /orders/1", 1), `shop.yaml:21: workloads.0.pth: unknown field "pth"; did you mean path?`},
		{"typo far from any field", strings.Replace(valid, "    path: /orders/1", "    xyzzy: 1", 1), `shop.yaml:21: workloads.0.xyzzy: unknown field "xyzzy"; known fields: name, target, operation`},
		{"concurrency misspelt", strings.Replace(valid, "    path: /orders/1", "    concurreny: 4", 1), "did you mean concurrency?"},
		{"wrong type", strings.Replace(valid, "    method: GET", "    concurrency: many", 1), `shop.yaml:20: workloads.0.concurrency: want a whole number, got "many"`},
		{"list wanted", strings.Replace(valid, `thresholds: ["p99<25ms"]`, `thresholds: "p99<25ms"`, 1), `shop.yaml:24: workloads.0.thresholds: want a list`},
		{"bool wanted", strings.Replace(valid, "    path: /orders/1", "    integrity: sure", 1), `workloads.0.integrity: want true or false, got "sure"`},
		{"bad duration", strings.Replace(valid, "duration: 2s", "duration: soon", 1), `shop.yaml:23: workloads.0.duration: invalid duration "soon"`},
		{"bad threshold", strings.Replace(valid, `["p99<25ms"]`, `["p99<25ms", "p99 under 5"]`, 1), `shop.yaml:24: workloads.0.thresholds.1: `},
		{"bad rate", strings.Replace(valid, "rate: 100/s", "rate: fast", 1), `shop.yaml:22: workloads.0.rate: `},
		{"unclosed list", strings.Replace(valid, `["p99<25ms"]`, `["p99<25ms"`, 1), `shop.yaml:24: the [ opened on this line is not closed with ]`},
		{"unknown driver", strings.Replace(valid, "driver: kafka", "driver: mqtt", 1), `shop.yaml:9: targets.1.driver: unknown driver "mqtt"`},
		{"dangling target", strings.Replace(valid, "    target: orders-api", "    target: nope", 1), `shop.yaml:18: workloads.0.target: no target named "nope"`},
		{"wrong driver for role", strings.Replace(valid, "    kafka: events", "    kafka: orders-api", 1), "target \"orders-api\" uses driver rest, want kafka"},
		{"bad yaml", "targets: [", "shop.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "shop.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	s, err := Parse([]byte(valid), "shop.yaml", []string{"workloads.get-order.rate=250/s", "workloads.0.warmup=1s", "targets.events.address=127.0.0.1:9999"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Workloads[0].Rate != "250/s" || s.Workloads[0].Warmup.Std().Seconds() != 1 || s.Targets[1].Address != "127.0.0.1:9999" {
		t.Fatalf("overrides not applied: %+v %+v", s.Workloads[0], s.Targets[1])
	}
	for _, bad := range []string{"noequals", "workloads.9.rate=1/s", "nothing.here=1"} {
		if _, err := Parse([]byte(valid), "shop.yaml", []string{bad}); err == nil {
			t.Errorf("override %q accepted", bad)
		}
	}
}

func TestExpandEnvAndRedact(t *testing.T) {
	s, err := Parse([]byte(valid), "shop.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) {
		if k == "TOKEN" {
			return "s3cret", true
		}
		return "", false
	}
	got, err := s.Targets[0].ExpandEnv(env)
	if err != nil || got.Headers["Authorization"] != "Bearer s3cret" {
		t.Fatalf("expand: %v %v", got.Headers, err)
	}
	if s.Targets[0].Headers["Authorization"] != "Bearer ${TOKEN}" {
		t.Fatal("ExpandEnv changed the original")
	}
	if _, err := s.Targets[0].ExpandEnv(func(string) (string, bool) { return "", false }); err == nil || !strings.Contains(err.Error(), "TOKEN") {
		t.Fatalf("missing variable not reported: %v", err)
	}
	s.Targets[1].Address = "amqp://guest:pw@127.0.0.1:5672/"
	s.Targets[1].Password = "pw"
	r := s.Redacted()
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), "pw") || strings.Contains(string(b), "${TOKEN}") && !strings.Contains(string(b), "***") {
		t.Fatalf("secret left in redacted config: %s", b)
	}
	if s.Targets[1].Password != "pw" {
		t.Fatal("Redacted changed the original")
	}
}

func TestSchemaIsCurrent(t *testing.T) {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", RequiredFromJSONSchemaTags: true}
	r.Mapper = func(t reflect.Type) *jsonschema.Schema {
		if t == reflect.TypeOf(Duration(0)) || t == reflect.TypeOf(time.Duration(0)) {
			return &jsonschema.Schema{Type: "string", Pattern: `^([0-9.]+(ns|us|µs|ms|s|m|h))+$`, Description: "a Go duration, e.g. 500ms, 10s, 1m30s"}
		}
		return nil
	}
	sch := r.Reflect(&Scenario{})
	sch.ID = "https://github.com/commbench/commbench/scenario/scenario.schema.json"
	sch.Title = "commbench scenario"
	want, err := json.MarshalIndent(sch, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile("scenario.schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("scenario.schema.json is stale: run go test ./scenario -update")
	}
	if !strings.Contains(string(got), `"workloads"`) || !strings.Contains(string(got), `"thresholds"`) {
		t.Fatal("schema lacks fields")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(valid), "workloads.0.rate=1/s")
	f.Add([]byte("targets: []"), "")
	f.Add([]byte("a: [1, {b: c}]"), "a.0=2")
	f.Fuzz(func(t *testing.T, data []byte, override string) {
		var ov []string
		if override != "" {
			ov = []string{override}
		}
		_, _ = Parse(data, "fuzz.yaml", ov)
	})
}

func TestExpandEnvDollarEscape(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "PW" {
			return "p$w${x}", true // a secret holding '$' is taken as it is, never expanded again
		}
		return "", false
	}
	tg := Target{Name: "mq", Address: "amqp://u:${PW}@127.0.0.1:5672/", Headers: map[string]string{"X-Cost": "$$5"}}
	got, err := tg.ExpandEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	if got.Address != "amqp://u:p$w${x}@127.0.0.1:5672/" || got.Headers["X-Cost"] != "$5" {
		t.Fatalf("expanded %q and %q", got.Address, got.Headers["X-Cost"])
	}
}
