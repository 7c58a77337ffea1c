package reports

import (
	"fmt"
	"iter"
	"slices"

	"github.com/commbench/commbench/results"
)

// contractGroup is the interactions of one consumer and provider pair, in file order. It holds
// their positions in the verification, not copies, so a report of 100,000 interactions does not
// hold them twice.
type contractGroup struct {
	Consumer, Provider string
	Summary            results.Summary
	// First is the 0-based position of the group's first interaction in the report's order
	// (groups in first-seen order, each in file order).
	First int
	all   []results.Interaction
	idx   []int
}

// Failed reports whether the group has a non-pending failure or error.
func (g contractGroup) Failed() bool { return g.Summary.Failed > 0 || g.Summary.Errors > 0 }

// Interactions yields the group's interactions as every report shows them (shownInteraction),
// in file order.
func (g contractGroup) Interactions() iter.Seq[results.Interaction] {
	return func(yield func(results.Interaction) bool) {
		for _, i := range g.idx {
			if !yield(shownInteraction(g.all[i])) {
				return
			}
		}
	}
}

// groupInteractions groups interactions by consumer and provider, keeping first-seen order.
func groupInteractions(v *results.Verification) []contractGroup {
	if v == nil {
		return nil
	}
	var out []contractGroup
	idx := map[[2]string]int{}
	for n, in := range v.Interactions {
		key := [2]string{in.Consumer, in.Provider}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, contractGroup{Consumer: in.Consumer, Provider: in.Provider, all: v.Interactions})
		}
		out[i].idx = append(out[i].idx, n)
		out[i].Summary.Add(in)
	}
	first := 0
	for i := range out {
		out[i].First = first
		first += len(out[i].idx)
	}
	return out
}

// interactionFailed reports whether an interaction did not pass and was not skipped.
func interactionFailed(in results.Interaction) bool {
	return in.Status == results.StatusFailed || in.Status == results.StatusError
}

// thresholdCounts returns how many thresholds there are over all workloads and how many failed.
func thresholdCounts(f *results.File) (total, failed int) {
	for _, w := range f.Workloads {
		for _, t := range w.Thresholds {
			total++
			if !t.Passed {
				failed++
			}
		}
	}
	return
}

// failedInteractions returns the interactions that failed or errored, pending ones included.
func failedInteractions(v *results.Verification) []results.Interaction {
	var out []results.Interaction
	for _, in := range v.Interactions {
		if interactionFailed(in) {
			out = append(out, in)
		}
	}
	return out
}

// failureNotes returns the one-line notes explaining a failed interaction for the terminal and
// Markdown summaries: its reason, then at most limit mismatches and "… and N more".
func failureNotes(in results.Interaction, limit int) []string {
	var notes []string
	in = shownInteraction(in)
	if in.Reason != "" {
		notes = append(notes, oneLine(in.Reason))
	}
	for i, m := range in.Mismatches {
		if i == limit {
			notes = append(notes, fmt.Sprintf("… and %d more", len(in.Mismatches)-i))
			break
		}
		notes = append(notes, mismatchLine(m))
	}
	return notes
}

// maxShownBytes bounds what every report shows of one mismatch's expected value, actual value
// and message, and of an interaction's reason: 4 KiB, then "… (N bytes in all)" (results.Cut).
// The results file keeps up to results.MaxMismatchValueBytes.
const maxShownBytes = 4 << 10

// shownInteraction is in as every renderer shows it: reason and mismatch values cut to
// maxShownBytes. The one cut of long values for the text, Markdown, JUnit and HTML reports.
func shownInteraction(in results.Interaction) results.Interaction {
	in.Reason = results.Cut(in.Reason, maxShownBytes)
	long := func(m results.Mismatch) bool {
		return len(m.Expected) > maxShownBytes || len(m.Actual) > maxShownBytes || len(m.Message) > maxShownBytes
	}
	if !slices.ContainsFunc(in.Mismatches, long) {
		return in
	}
	ms := make([]results.Mismatch, len(in.Mismatches)) // a copy: the results stay as they are
	for i, m := range in.Mismatches {
		m.Expected = results.Cut(m.Expected, maxShownBytes)
		m.Actual = results.Cut(m.Actual, maxShownBytes)
		m.Message = results.Cut(m.Message, maxShownBytes)
		ms[i] = m
	}
	in.Mismatches = ms
	return in
}
