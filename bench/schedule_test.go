package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"5000/s", 5000, ""},
		{"5000", 5000, ""},
		{"300/m", 5, ""},
		{"300/min", 5, ""},
		{"7200/h", 2, ""},
		{"0/s", 0, "above 0"},
		{"-1/s", 0, "negative"},
		{"fast", 0, "want a number"},
		{"10/d", 0, `unknown unit "d"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseStages(t *testing.T) {
	st, err := ParseStages("30s:1000, 60s:5000/s,30s:0")
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{30 * time.Second, 1000}, {60 * time.Second, 5000}, {30 * time.Second, 0}}
	if len(st) != len(want) {
		t.Fatalf("got %v", st)
	}
	for i := range want {
		if st[i] != want[i] {
			t.Fatalf("stage %d: got %v want %v", i, st[i], want[i])
		}
	}
	for _, tc := range []struct{ in, err string }{
		{"", "empty"},
		{"30s", "stage 1"},
		{"30s:1000,xx:5", `stage 2 "xx:5": duration`},
		{"30s:1000,5s:fast", "stage 2"},
		{"0s:100", "total duration is 0"},
	} {
		if _, err := ParseStages(tc.in); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseStages(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		name   string
		stages []Stage
		total  float64
		checks map[uint64]float64 // send index -> intended seconds
	}{
		{"constant 100/s for 2s", []Stage{{0, 100}, {2 * time.Second, 100}}, 200,
			map[uint64]float64{0: 0, 1: 0.01, 100: 1, 199: 1.99}},
		// Ramp 0 -> 100/s over 2 s: N(t) = 25 t^2, so send n is at sqrt(n/25).
		{"ramp up", []Stage{{2 * time.Second, 100}}, 100,
			map[uint64]float64{0: 0, 25: 1, 99: math.Sqrt(99.0 / 25)}},
		// Ramp down 100 -> 0 over 2 s after a step: N(t) = 100 t - 25 t^2.
		{"step then ramp down", []Stage{{0, 100}, {2 * time.Second, 0}}, 100,
			map[uint64]float64{0: 0, 75: 1}},
		{"ramp, hold, ramp", []Stage{{time.Second, 10}, {time.Second, 10}, {time.Second, 0}}, 20,
			map[uint64]float64{5: 1, 10: 1.5, 15: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSchedule(tt.stages)
			if math.Abs(s.total-tt.total) > 1e-9 {
				t.Fatalf("total %v, want %v", s.total, tt.total)
			}
			for i, want := range tt.checks {
				got, ok := s.at(i)
				if !ok || math.Abs(got-want) > 1e-9 {
					t.Errorf("at(%d) = %v, %v; want %v", i, got, ok, want)
				}
				if n := s.countBy(want + 1e-9); n < float64(i+1) {
					t.Errorf("countBy(%v) = %v, want at least %d", want, n, i+1)
				}
			}
			if _, ok := s.at(uint64(tt.total)); ok {
				t.Errorf("at(%v) is inside the schedule, want past its end", tt.total)
			}
			// Intended times never go backwards.
			prev := -1.0
			for i := uint64(0); i < uint64(tt.total); i++ {
				x, _ := s.at(i)
				if x < prev {
					t.Fatalf("at(%d) = %v before at(%d) = %v", i, x, i-1, prev)
				}
				prev = x
			}
		})
	}
}

func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"30s:1000,60s:5000,30s:0", "1m:10/s", "0s:5,1s:5", ":", "1s:1e309", "1s:-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStages(s)
		if err != nil {
			return
		}
		if err := (Config{Stages: st}).Validate(); err != nil {
			t.Fatalf("parsed stages %v do not validate: %v", st, err)
		}
		sc := newSchedule(st)
		prev := 0.0
		for i := uint64(0); i < 100; i++ {
			x, ok := sc.at(i)
			if !ok {
				break
			}
			if x < prev-1e-9 || math.IsNaN(x) {
				t.Fatalf("at(%d) = %v after %v", i, x, prev)
			}
			prev = x
		}
	})
}
