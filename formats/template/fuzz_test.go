package template

import "testing"

// FuzzCompile feeds arbitrary template text to the compiler: errors, no panic, and what compiles
// generates payloads for other sequence numbers without panicking (pick may mix JSON kinds, so
// only sequence 0 is checked to be JSON, by Compile).
func FuzzCompile(f *testing.F) {
	f.Add(orderTemplate)
	f.Add(`{"a": {{randDecimal -5 5 3}}, "b": [{{randInt -9223372036854775808 9223372036854775807}}]}`)
	f.Add(`{"a": "{{randString 0}}"}`)
	f.Fuzz(func(t *testing.T, text string) {
		tmpl, err := Compile("fuzz", text, Options{})
		if err != nil {
			return
		}
		for seq := uint64(1); seq < 4; seq++ {
			if _, err := tmpl.Generate(seq); err != nil {
				t.Fatalf("seq %d: %v", seq, err)
			}
		}
	})
}
