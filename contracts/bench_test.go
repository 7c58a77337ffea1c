package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/commbench/commbench/contracts/matching"
)

// cpuTime is the process's user+system CPU time. The benchmarks report per-op CPU time besides
// wall time, since on a shared machine wall time includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchBody builds a JSON document of about 2 KB and 20 body rules covering it.
func benchBody() (string, string) {
	var b bytes.Buffer
	b.WriteString(`{"order":{"id":123456789012,"customer":{"name":"Ada Lovelace","email":"ada@example.com","since":"2015-06-10"},"status":"PAID","items":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"SKU-%04d","name":"item number %d","qty":%d,"price":%d.99,"tags":["a","b"],"ok":true}`, i, i, i+1, i+10)
	}
	b.WriteString(`],"total":1234.56,"currency":"EUR","created":"2024-02-29T12:00:00","meta":{"v":"1.2.3","trace":"0af7651916cd43dd8448eb211c80319c"}}}`)
	rules := `{
	"$.order.id": {"matchers": [{"match": "integer"}]},
	"$.order.customer.name": {"matchers": [{"match": "type"}]},
	"$.order.customer.email": {"matchers": [{"match": "regex", "regex": "[^@]+@[^@]+"}]},
	"$.order.customer.since": {"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]},
	"$.order.status": {"matchers": [{"match": "regex", "regex": "PAID|OPEN|CANCELLED"}]},
	"$.order.items": {"matchers": [{"match": "type", "min": 1}]},
	"$.order.items[*].sku": {"matchers": [{"match": "regex", "regex": "SKU-\\d{4}"}]},
	"$.order.items[*].name": {"matchers": [{"match": "notEmpty"}]},
	"$.order.items[*].qty": {"matchers": [{"match": "integer"}]},
	"$.order.items[*].price": {"matchers": [{"match": "decimal"}]},
	"$.order.items[*].tags": {"matchers": [{"match": "type", "max": 5}]},
	"$.order.items[*].tags[*]": {"matchers": [{"match": "type"}]},
	"$.order.items[*].ok": {"matchers": [{"match": "boolean"}]},
	"$.order.total": {"matchers": [{"match": "number"}]},
	"$.order.currency": {"matchers": [{"match": "include", "value": "EU"}]},
	"$.order.created": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss"}]},
	"$.order.meta": {"matchers": [{"match": "type"}]},
	"$.order.meta.v": {"matchers": [{"match": "semver"}]},
	"$.order.meta.trace": {"matchers": [{"match": "regex", "regex": "[0-9a-f]{32}"}]},
	"$.order.customer": {"matchers": [{"match": "type"}]}
	}`
	return b.String(), rules
}

func benchFixture(b *testing.B) (*Message, []byte) {
	body, rules := benchBody()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"type":"Asynchronous/Messages","description":"order","contents":{"contentType":"application/json","encoded":false,"content":` +
		body + `},"matchingRules":{"body":` + rules + `}}],"metadata":{"pactSpecification":{"version":"4.0"}}}`
	p, err := Parse([]byte(doc), "bench.json")
	if err != nil {
		b.Fatal(err)
	}
	m := p.Interactions[0].Message
	if n := len(m.Rules.Get("body").Entries); n != 20 {
		b.Fatalf("%d rules, want 20", n)
	}
	actual := bytes.ReplaceAll([]byte(body), []byte("item number"), []byte("article no."))
	if len(actual) < 2000 || len(actual) > 2300 {
		b.Fatalf("body is %d bytes, want about 2 KB", len(actual))
	}
	return m, actual
}

// BenchmarkMatchJSON2KB20Rules: one comparison = match a 2 KB actual JSON body (bytes) against
// the contract's body with 20 rules (the work per verified message). A matching body goes through
// the expected body's matching.JSONPlan (a byte walk, no decoding); TestJSONBytes* hold it to the
// tree walk's verdicts.
func BenchmarkMatchJSON2KB20Rules(b *testing.B) {
	m, actual := benchFixture(b)
	ab := Body{State: BodyPresent, ContentType: "application/json", Content: actual}
	if mis := MatchMessage(m, ab, nil); len(mis) != 0 {
		b.Fatalf("fixture does not match: %+v", mis)
	}
	b.SetBytes(int64(len(actual)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		body := Body{State: BodyPresent, ContentType: "application/json", Content: actual}
		if mis := MatchMessage(m, body, nil); len(mis) != 0 {
			b.Fatal(mis)
		}
	}
	reportCPU(b, c0)
}

func reportCPU(b *testing.B, c0 time.Duration) {
	cpu := (cpuTime() - c0).Seconds()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comparisons/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "comparisons/cpu-s")
	}
}

// BenchmarkMatchDecoded2KB20Rules: the same comparison on an already decoded value (codec path).
func BenchmarkMatchDecoded2KB20Rules(b *testing.B) {
	m, actual := benchFixture(b)
	av, err := decodeJSON(actual)
	if err != nil {
		b.Fatal(err)
	}
	ev, _ := m.Contents.JSON()
	cat := m.Rules.Get("body")
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if mis := matching.MatchValue(ev, av, cat, matching.Options{AllowUnexpectedKeys: true}); len(mis) != 0 {
			b.Fatal(mis)
		}
	}
	reportCPU(b, c0)
}

// BenchmarkLoad1000Interactions: parsing a V4 pact with 1,000 HTTP interactions.
func BenchmarkLoad1000Interactions(b *testing.B) {
	var ints []any
	for i := 0; i < 1000; i++ {
		ints = append(ints, map[string]any{
			"type": "Synchronous/HTTP", "description": fmt.Sprintf("get order %d", i), "key": fmt.Sprint(i),
			"providerStates": []any{map[string]any{"name": "order exists", "params": map[string]any{"id": i}}},
			"request": map[string]any{"method": "GET", "path": fmt.Sprintf("/orders/%d", i), "headers": map[string]any{"Accept": []any{"application/json"}},
				"matchingRules": map[string]any{"path": map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": "/orders/\\d+"}}}}},
			"response": map[string]any{"status": 200, "headers": map[string]any{"Content-Type": []any{"application/json"}},
				"body": map[string]any{"contentType": "application/json", "encoded": false, "content": map[string]any{"id": i, "status": "PAID", "items": []any{map[string]any{"sku": "A", "qty": 1}}}},
				"matchingRules": map[string]any{"body": map[string]any{
					"$.id":           map[string]any{"matchers": []any{map[string]any{"match": "integer"}}},
					"$.status":       map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": "PAID|OPEN"}}},
					"$.items":        map[string]any{"matchers": []any{map[string]any{"match": "type", "min": 1}}},
					"$.items[*].qty": map[string]any{"matchers": []any{map[string]any{"match": "integer"}}},
				}}},
		})
	}
	doc, err := json.Marshal(map[string]any{"consumer": map[string]any{"name": "c"}, "provider": map[string]any{"name": "p"}, "interactions": ints,
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": "4.0"}}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		p, err := Parse(doc, "big.json")
		if err != nil || len(p.Interactions) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/load")
	b.ReportMetric((cpuTime()-c0).Seconds()*1000/float64(b.N), "cpu-ms/load")
}
