package template

import (
	"testing"

	"github.com/commbench/commbench/formats"
)

// FuzzCompile feeds arbitrary template text to the compiler: errors, no panic, and what compiles
// generates JSON for every sequence number (actions write JSON-safe output by construction, so
// random choices cannot break a payload that sequence 0 did not).
func FuzzCompile(f *testing.F) {
	f.Add(orderTemplate)
	f.Add(`{"a": {{randDecimal -5 5 3}}, "b": [{{randInt -9223372036854775808 9223372036854775807}}]}`)
	f.Add(`{"a": "{{randString 0}}"}`)
	f.Add(`{"a": {{pick "x\"" 1 true 0x10}}, "b": "{{pick "\\" 2.5}}", "c": [{{uuid}}, "{{now}}"]}`)
	f.Add(`{{pick "x" 1}}`)
	f.Fuzz(func(t *testing.T, text string) {
		tmpl, err := Compile("fuzz", text, Options{})
		if err != nil {
			return
		}
		for seq := uint64(1); seq < 16; seq++ {
			b, err := tmpl.Generate(seq)
			if err != nil {
				t.Fatalf("seq %d: %v", seq, err)
			}
			if _, err := formats.ParseJSON(b); err != nil {
				t.Fatalf("seq %d is not JSON: %v\n%s", seq, err, b)
			}
		}
	})
}
