package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stage is one step of an open-model load profile: the arrival rate moves linearly from the
// previous stage's target (0 for the first stage) to Target over Duration, as k6's
// ramping-arrival-rate executor does. A stage with Duration 0 jumps to Target at once, so
// "0s:1000,60s:1000" is a step to 1000/s held for a minute.
type Stage struct {
	Duration time.Duration
	Target   float64 // arrival rate at the end of the stage, per second
}

// ParseRate parses an arrival rate: "5000/s", "5000" (per second), "300/m" or "300/min", "10/h".
// It returns the rate per second; zero, negative or malformed rates are errors.
func ParseRate(s string) (float64, error) {
	v, err := parseRate(s)
	if err == nil && v <= 0 {
		err = fmt.Errorf("rate %q: must be above 0", s)
	}
	return v, err
}

// parseRate parses a rate of zero or more per second.
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("rate %q: want a number per unit, e.g. 5000/s", s)
	}
	per := 1.0
	switch strings.TrimSpace(unit) {
	case "", "s", "1s":
		per = 1
	case "m", "min", "1m":
		per = 60
	case "h", "1h":
		per = 3600
	default:
		return 0, fmt.Errorf("rate %q: unknown unit %q, want /s, /m or /h", s, unit)
	}
	if v < 0 {
		return 0, fmt.Errorf("rate %q: must not be negative", s)
	}
	return v / per, nil
}

// ParseStages parses "30s:1000,60s:5000,30s:0": comma-separated DURATION:RATE pairs, the rate
// as ParseRate accepts it (a target of 0 is allowed, to ramp down). Errors name the position.
func ParseStages(s string) ([]Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("stages: empty, want DURATION:RATE[,DURATION:RATE...], e.g. 30s:1000,60s:5000")
	}
	parts := strings.Split(s, ",")
	out := make([]Stage, 0, len(parts))
	var total time.Duration
	for i, p := range parts {
		ds, rs, ok := strings.Cut(strings.TrimSpace(p), ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want DURATION:RATE, e.g. 30s:1000", i+1, p)
		}
		d, err := time.ParseDuration(strings.TrimSpace(ds))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("stage %d %q: duration %q: want e.g. 30s or 1m30s", i+1, p, ds)
		}
		r, err := parseRate(rs)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %w", i+1, err)
		}
		total += d
		out = append(out, Stage{Duration: d, Target: r})
	}
	if total <= 0 {
		return nil, fmt.Errorf("stages %q: total duration is 0", s)
	}
	return out, nil
}

// segment is a piece of the schedule where the rate moves linearly from r0 to r1 (per second).
type segment struct {
	start, dur float64 // seconds from the schedule start; dur may be +Inf
	r0, r1     float64
	cum        float64 // sends intended before this segment
	count      float64 // sends intended within it (may be +Inf)
}

// schedule maps the index of an intended send to its intended time, from a piecewise-linear
// arrival rate. It is immutable, so workers share it without locks.
type schedule struct {
	segs  []segment
	total float64 // number of sends (may be +Inf)
	end   float64 // seconds (may be +Inf)
}

func newSchedule(stages []Stage) *schedule {
	s := &schedule{}
	prev, at, cum := 0.0, 0.0, 0.0
	for _, st := range stages {
		d := st.Duration.Seconds()
		if st.Duration == time.Duration(math.MaxInt64) {
			d = math.Inf(1)
		}
		if d == 0 {
			prev = st.Target
			continue
		}
		seg := segment{start: at, dur: d, r0: prev, r1: st.Target, cum: cum}
		if math.IsInf(d, 1) {
			seg.r1 = seg.r0
			if seg.r0 > 0 {
				seg.count = math.Inf(1)
			}
		} else {
			seg.count = (seg.r0 + seg.r1) / 2 * d
		}
		s.segs = append(s.segs, seg)
		cum += seg.count
		at += d
		prev = st.Target
	}
	s.total, s.end = cum, at
	return s
}

// at returns the intended time in seconds of send i (0-based), or ok false after the schedule.
func (s *schedule) at(i uint64) (float64, bool) {
	n := float64(i)
	for k := range s.segs {
		g := &s.segs[k]
		if n >= g.cum+g.count {
			continue
		}
		m := n - g.cum
		// Cumulative sends in the segment: N(t) = r0 t + a t^2 with a = (r1-r0)/(2 dur); solve
		// N(t) = m in the cancellation-free form t = 2m / (r0 + sqrt(r0^2 + 4 a m)).
		a := 0.0
		if !math.IsInf(g.dur, 1) {
			a = (g.r1 - g.r0) / (2 * g.dur)
		}
		disc := g.r0*g.r0 + 4*a*m
		if disc < 0 {
			disc = 0
		}
		den := g.r0 + math.Sqrt(disc)
		if den <= 0 {
			return g.start, true
		}
		return g.start + 2*m/den, true
	}
	return 0, false
}

// countBy returns how many sends are intended at or before t seconds.
func (s *schedule) countBy(t float64) float64 {
	for k := range s.segs {
		g := &s.segs[k]
		if t >= g.start+g.dur {
			continue
		}
		x := t - g.start
		if x < 0 {
			return g.cum
		}
		a := 0.0
		if !math.IsInf(g.dur, 1) {
			a = (g.r1 - g.r0) / (2 * g.dur)
		}
		return g.cum + math.Floor(g.r0*x+a*x*x) + 1
	}
	return s.total
}
