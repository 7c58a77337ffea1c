package integrity

import (
	"errors"
	"strings"
	"testing"
)

func TestStampRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		st   Stamp
	}{
		{"zero seq", Stamp{Run: "r1", Producer: 0, Seq: 0, Sent: 0, Partition: -1}},
		{"max values", Stamp{Run: strings.Repeat("x", MaxRunIDLen), Producer: 1<<32 - 1, Seq: 1<<64 - 1, Sent: -1 << 63, Partition: 1<<31 - 1}},
		{"uuid run with partition", Stamp{Run: "0b8f4c52-5d0e-4f44-9d7a-1e2f3a4b5c6d", Producer: 7, Seq: 42, Sent: 1_763_000_000_123_456_789, Partition: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string][]string{"other": {"kept"}}
			tc.st.Apply(h)
			got, err := Parse(h)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.st {
				t.Fatalf("Parse = %+v, want %+v", got, tc.st)
			}
			if h["other"][0] != "kept" {
				t.Fatal("Apply clobbered another header")
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := func() map[string][]string {
		return map[string][]string{HeaderRun: {"r"}, HeaderProducer: {"1"}, HeaderSeq: {"2"}, HeaderSent: {"3"}}
	}
	cases := []struct {
		name   string
		edit   func(h map[string][]string)
		noSt   bool
		substr string
	}{
		{"no stamp", func(h map[string][]string) { clear(h); h["content-type"] = []string{"x"} }, true, ""},
		{"missing seq", func(h map[string][]string) { delete(h, HeaderSeq) }, false, "commbench-seq missing"},
		{"bad seq", func(h map[string][]string) { h[HeaderSeq] = []string{"-1"} }, false, `commbench-seq: want unsigned decimal integer, got "-1"`},
		{"producer overflow", func(h map[string][]string) { h[HeaderProducer] = []string{"4294967296"} }, false, "below 2^32"},
		{"bad sent", func(h map[string][]string) { h[HeaderSent] = []string{"1.5"} }, false, "commbench-sent: want Unix nanoseconds"},
		{"empty run", func(h map[string][]string) { h[HeaderRun] = []string{""} }, false, "want 1 to 128 bytes, got 0"},
		{"empty header slice", func(h map[string][]string) { h[HeaderRun] = nil }, false, "want 1 to 128 bytes"},
		{"run with space", func(h map[string][]string) { h[HeaderRun] = []string{"a b"} }, false, "byte 0x20 at position 1"},
		{"negative partition", func(h map[string][]string) { h[HeaderPartition] = []string{"-2"} }, false, "commbench-partition"},
		{"long value clipped", func(h map[string][]string) { h[HeaderSeq] = []string{strings.Repeat("9", 100)} }, false, `..."`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := good()
			tc.edit(h)
			_, err := Parse(h)
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if got := errors.Is(err, ErrNoStamp); got != tc.noSt {
				t.Fatalf("errors.Is(ErrNoStamp) = %v for %v", got, err)
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("error %q lacks %q", err, tc.substr)
			}
		})
	}
}

func TestParseCaseInsensitive(t *testing.T) {
	h := map[string][]string{"Commbench-Run": {"r"}, "COMMBENCH-PRODUCER": {"1"}, "commbench-seq": {"2"}, "Commbench-Sent": {"3"}}
	st, err := Parse(h)
	if err != nil {
		t.Fatal(err)
	}
	if st.Run != "r" || st.Producer != 1 || st.Seq != 2 || st.Sent != 3 || st.Partition != -1 {
		t.Fatalf("got %+v", st)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("r1", "0", "0", "0", "", false)
	f.Add("0b8f4c52-5d0e", "4294967295", "18446744073709551615", "-9223372036854775808", "7", true)
	f.Add("", "x", "-1", "1e9", "-1", true)
	f.Fuzz(func(t *testing.T, run, prod, seq, sent, part string, withPart bool) {
		h := map[string][]string{HeaderRun: {run}, HeaderProducer: {prod}, HeaderSeq: {seq}, HeaderSent: {sent}}
		if withPart {
			h[HeaderPartition] = []string{part}
		}
		st, err := Parse(h)
		if err != nil {
			return
		}
		h2 := map[string][]string{}
		st.Apply(h2)
		st2, err := Parse(h2)
		if err != nil || st2 != st {
			t.Fatalf("round trip of %+v: %+v, %v", st, st2, err)
		}
	})
}
