package results

import (
	"fmt"
	"strings"
)

// BehindRatio is the share of the target rate below which an open-model workload's achieved
// throughput counts as falling behind (95%, the and k6's dropped-iterations spirit).
const BehindRatio = 0.95

// IsBehind reports whether an open-model workload fell behind its target rate: late or dropped
// sends, or an achieved throughput (successful operations per second) under BehindRatio of
// RatePerS. A closed-model workload never falls behind.
func (w *Workload) IsBehind() bool {
	if w.Model != "open" || w.RatePerS <= 0 {
		return false
	}
	return w.Totals.Late > 0 || w.Totals.Dropped > 0 || w.Totals.ThroughputPerS < BehindRatio*w.RatePerS
}

// Behind returns a sentence saying how an open-model workload fell behind its target rate
// (as k6's dropped-iterations warning), or "" when it kept up (FellBehind false), e.g.
// "fell behind the target rate: achieved 79.6/s of 2000/s (4%); 5760 of 6000 intended sends
// dropped, 12 late".
func (w *Workload) Behind() string {
	if !w.FellBehind {
		return ""
	}
	pct := 0.0
	if w.RatePerS > 0 {
		pct = 100 * w.Totals.ThroughputPerS / w.RatePerS
	}
	s := fmt.Sprintf("fell behind the target rate: achieved %s/s of %s/s (%.0f%%)", fmtRate(w.Totals.ThroughputPerS), fmtRate(w.RatePerS), pct)
	var parts []string
	if w.Totals.Dropped > 0 {
		if w.Totals.Intended > 0 {
			parts = append(parts, fmt.Sprintf("%d of %d intended sends dropped", w.Totals.Dropped, w.Totals.Intended))
		} else {
			parts = append(parts, fmt.Sprintf("%d intended sends dropped", w.Totals.Dropped))
		}
	}
	if w.Totals.Late > 0 {
		parts = append(parts, fmt.Sprintf("%d sent late", w.Totals.Late))
	}
	if len(parts) > 0 {
		s += "; " + strings.Join(parts, ", ")
	}
	return s
}

func fmtRate(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
