package results

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Merge combines results files written by several machines (or several parts of one run) into
// one, exactly where the data allow it:
//
//   - workloads with the same name merge: totals, error classes and integrity counts add; latency
//     histograms (Latency, ServiceTime, ScheduleDelay, EndToEnd) are decoded, added and re-encoded
//     and every percentile is recomputed from the merged histogram (hdrhistogram-go Merge);
//     throughput, error rate and integrity rates are recomputed from the summed counts; the
//     measured duration is the longest of parts that overlap in time and the sum over parts that
//     do not; the target arrival rate and concurrency add;
//   - time series align by timestamp (whole seconds): throughput, errors and bytes add; per-second
//     p50/p99 become the largest of the parts, an upper bound of the merged percentile (a
//     mixture's quantile lies between its parts' quantiles);
//   - thresholds with the same expression are evaluated again on the merged figures; one whose
//     metric is unknown keeps its parts' verdict (passed only if all passed);
//   - verification interactions are concatenated and the summary recounted;
//   - the run spans the earliest start to the latest end, is interrupted if any part was, and
//     keeps the first part's id, command, configuration and environment (host names joined).
//
// It returns an error when files is empty, when a latency with recorded values has no encoded
// histogram (the merge could not be exact), or when a histogram does not decode; errors name the
// part by its position (1-based) and the workload.
func Merge(files ...*File) (*File, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("merge: no results files")
	}
	out := &File{Schema: Schema, Run: files[0].Run}
	out.Run.Config = files[0].Run.Config
	var hosts, errs, commands []string
	for i, f := range files {
		r := f.Run
		if !slices.Contains(commands, r.Command) {
			commands = append(commands, r.Command)
		}
		if i > 0 {
			if r.Started.Before(out.Run.Started) && !r.Started.IsZero() {
				out.Run.Started = r.Started
			}
			if r.Ended.After(out.Run.Ended) {
				out.Run.Ended = r.Ended
			}
			out.Run.Interrupted = out.Run.Interrupted || r.Interrupted
		}
		if h := r.Environment.Hostname; h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
		if r.Error != "" && !slices.Contains(errs, r.Error) {
			errs = append(errs, r.Error)
		}
	}
	out.Run.Environment.Hostname = strings.Join(hosts, ",")
	out.Run.Error = strings.Join(errs, "; ")
	if len(files) > 1 {
		// The merged file describes every part: "merge of verify+bench", with its own run id.
		out.Run.Command = "merge of " + strings.Join(commands, "+")
		out.Run.ID = fmt.Sprintf("merge-%d-files-%s", len(files), files[0].Run.ID)
	}

	for _, f := range files {
		if f.Verification == nil {
			continue
		}
		if out.Verification == nil {
			out.Verification = &Verification{}
		}
		out.Verification.Interactions = append(out.Verification.Interactions, f.Verification.Interactions...)
	}
	if out.Verification != nil {
		out.Verification.Summary = Summarize(out.Verification.Interactions)
	}

	var order []string
	parts := map[string][]partRef{}
	for i, f := range files {
		for j := range f.Workloads {
			name := f.Workloads[j].Name
			if _, ok := parts[name]; !ok {
				order = append(order, name)
			}
			parts[name] = append(parts[name], partRef{file: i + 1, w: &f.Workloads[j]})
		}
	}
	for _, name := range order {
		w, err := mergeWorkload(parts[name])
		if err != nil {
			return nil, err
		}
		out.Workloads = append(out.Workloads, *w)
	}
	// A workload skipped in one part but run in another is not skipped in the whole.
	for _, f := range files {
		for _, sw := range f.SkippedWorkloads {
			_, ran := parts[sw.Name]
			if !ran && !slices.ContainsFunc(out.SkippedWorkloads, func(x SkippedWorkload) bool { return x.Name == sw.Name }) {
				out.SkippedWorkloads = append(out.SkippedWorkloads, sw)
			}
		}
	}
	return out, nil
}

// Summarize counts interactions by status; a pending interaction that failed or errored counts
// in PendingFailed only.
func Summarize(interactions []Interaction) Summary {
	var s Summary
	for _, in := range interactions {
		s.Add(in)
	}
	return s
}

// Add counts one interaction in s (see Summary).
func (s *Summary) Add(in Interaction) {
	s.Total++
	switch {
	case in.Status == StatusPassed:
		s.Passed++
	case in.Status == StatusSkipped:
		s.Skipped++
	case in.Pending && (in.Status == StatusFailed || in.Status == StatusError):
		s.PendingFailed++
	case in.Status == StatusFailed:
		s.Failed++
	case in.Status == StatusError:
		s.Errors++
	}
}

type partRef struct {
	file int // 1-based position in Merge's arguments
	w    *Workload
}

func mergeWorkload(parts []partRef) (*Workload, error) {
	first := *parts[0].w
	w := first
	w.Totals = Totals{}
	w.Errors = nil
	w.StatusCodes = nil
	w.Series = nil
	w.Integrity = nil
	w.Thresholds = nil
	w.RatePerS, w.Concurrency = 0, 0
	for i, p := range parts {
		x := p.w
		if i > 0 {
			if x.Started.Before(w.Started) {
				w.Started = x.Started
			}
			if x.Ended.After(w.Ended) {
				w.Ended = x.Ended
			}
			w.Interrupted = w.Interrupted || x.Interrupted
			w.FellBehind = w.FellBehind || x.FellBehind
		}
		w.RatePerS += x.RatePerS
		w.Concurrency += x.Concurrency
		t := &w.Totals
		t.Requests += x.Totals.Requests
		t.Succeeded += x.Totals.Succeeded
		t.Errors += x.Totals.Errors
		t.Canceled += x.Totals.Canceled
		t.Intended += x.Totals.Intended
		t.Bytes += x.Totals.Bytes
		t.Late += x.Totals.Late
		t.Dropped += x.Totals.Dropped
		t.MessagesSent += x.Totals.MessagesSent
		t.MessagesReceived += x.Totals.MessagesReceived
		for class, n := range x.Errors {
			if w.Errors == nil {
				w.Errors = map[string]int64{}
			}
			w.Errors[class] += n
		}
		for code, n := range x.StatusCodes {
			if w.StatusCodes == nil {
				w.StatusCodes = map[string]int64{}
			}
			w.StatusCodes[code] += n
		}
		if x.Integrity != nil {
			if w.Integrity == nil {
				w.Integrity = &Integrity{}
			}
			addIntegrity(w.Integrity, x.Integrity)
		}
	}
	w.DurationS = mergedDuration(parts)
	if w.DurationS > 0 {
		w.Totals.ThroughputPerS = float64(w.Totals.Succeeded) / w.DurationS
	}
	if w.Totals.Requests > 0 {
		w.Totals.ErrorRate = float64(w.Totals.Errors) / float64(w.Totals.Requests)
	}
	if w.Integrity != nil {
		w.Integrity.recomputeRates()
	}
	for _, l := range []struct {
		name string
		get  func(*Workload) *Latency
		set  func(*Latency)
	}{
		{"latency", func(x *Workload) *Latency { return x.Latency }, func(l *Latency) { w.Latency = l }},
		{"failed_latency", func(x *Workload) *Latency { return x.FailedLatency }, func(l *Latency) { w.FailedLatency = l }},
		{"service_time", func(x *Workload) *Latency { return x.ServiceTime }, func(l *Latency) { w.ServiceTime = l }},
		{"schedule_delay", func(x *Workload) *Latency { return x.ScheduleDelay }, func(l *Latency) { w.ScheduleDelay = l }},
		{"end_to_end", func(x *Workload) *Latency { return x.EndToEnd }, func(l *Latency) { w.EndToEnd = l }},
	} {
		merged, err := mergeLatency(parts, l.name, l.get)
		if err != nil {
			return nil, err
		}
		l.set(merged)
	}
	w.Series = mergeSeries(parts)
	w.Thresholds = mergeThresholds(&w, parts)
	return &w, nil
}

func mergeLatency(parts []partRef, field string, get func(*Workload) *Latency) (*Latency, error) {
	var sum *hdrhistogram.Histogram
	for _, p := range parts {
		l := get(p.w)
		if l == nil {
			continue
		}
		if l.Histogram == "" {
			if l.Count == 0 {
				continue
			}
			return nil, fmt.Errorf("merge: part %d, workload %q: %s has %d values but no encoded histogram, so it cannot be merged exactly", p.file, p.w.Name, field, l.Count)
		}
		h, err := l.DecodeHistogram()
		if err != nil {
			return nil, fmt.Errorf("merge: part %d, workload %q, %s: %w", p.file, p.w.Name, field, err)
		}
		if sum == nil {
			sum = h
			continue
		}
		if dropped := sum.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("merge: part %d, workload %q, %s: %d values outside the histogram range", p.file, p.w.Name, field, dropped)
		}
	}
	if sum == nil {
		return nil, nil
	}
	return NewLatency(sum)
}

// mergedDuration sums the measured durations of groups of parts that overlap in time, taking the
// longest within each group (parts run on several machines at once overlap; halves of a run
// do not).
func mergedDuration(parts []partRef) float64 {
	ps := slices.Clone(parts)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].w.Started.Before(ps[j].w.Started) })
	var total, groupMax float64
	var groupEnd time.Time
	for i, p := range ps {
		if i > 0 && !p.w.Started.Before(groupEnd) {
			total += groupMax
			groupMax = 0
		}
		groupMax = max(groupMax, p.w.DurationS)
		if p.w.Ended.After(groupEnd) {
			groupEnd = p.w.Ended
		}
	}
	return total + groupMax
}

func mergeSeries(parts []partRef) []Point {
	byTime := map[int64]*Point{}
	for _, p := range parts {
		for _, pt := range p.w.Series {
			key := pt.Time.Truncate(time.Second).UnixNano()
			m, ok := byTime[key]
			if !ok {
				cp := pt
				cp.Time = pt.Time.Truncate(time.Second)
				byTime[key] = &cp
				continue
			}
			m.ThroughputPerS += pt.ThroughputPerS
			m.Errors += pt.Errors
			m.Bytes += pt.Bytes
			m.P50MS = max(m.P50MS, pt.P50MS)
			m.P99MS = max(m.P99MS, pt.P99MS)
		}
	}
	if len(byTime) == 0 {
		return nil
	}
	out := make([]Point, 0, len(byTime))
	for _, p := range byTime {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func mergeThresholds(w *Workload, parts []partRef) []Threshold {
	var out []Threshold
	idx := map[string]int{}
	for _, p := range parts {
		for _, t := range p.w.Thresholds {
			i, seen := idx[t.Expr]
			if !seen {
				idx[t.Expr] = len(out)
				out = append(out, t)
				continue
			}
			out[i].Passed = out[i].Passed && t.Passed
		}
	}
	for i := range out {
		t := &out[i]
		if v, ok := w.Metric(t.Metric); ok {
			if pass, ok := CompareOp(v, t.Op, t.Limit); ok {
				t.Actual, t.Passed = v, pass
			}
		}
	}
	return out
}

// CompareOp evaluates "actual op limit" for op in <, <=, >, >=, ==, !=; ok is false for an unknown
// op.
func CompareOp(actual float64, op string, limit float64) (result, ok bool) {
	switch op {
	case "<":
		return actual < limit, true
	case "<=":
		return actual <= limit, true
	case ">":
		return actual > limit, true
	case ">=":
		return actual >= limit, true
	case "==":
		return actual == limit, true
	case "!=":
		return actual != limit, true
	}
	return false, false
}

func addIntegrity(dst, src *Integrity) {
	dst.Sent += src.Sent
	dst.Acknowledged += src.Acknowledged
	dst.Unconfirmed += src.Unconfirmed
	dst.Returned += src.Returned
	dst.Received += src.Received
	dst.Lost += src.Lost
	dst.Duplicates += src.Duplicates
	dst.OutOfOrder += src.OutOfOrder
	dst.Unexpected += src.Unexpected
	dst.Ignored += src.Ignored
	dst.Late += src.Late
	dst.Gaps += src.Gaps
	dst.ConnectionsLost += src.ConnectionsLost
	dst.Reconnects += src.Reconnects
}

func (i *Integrity) recomputeRates() {
	i.LossRate, i.DuplicateRate, i.OutOfOrderRate = 0, 0, 0
	if i.Acknowledged > 0 {
		a := float64(i.Acknowledged)
		i.LossRate = float64(i.Lost) / a
		i.DuplicateRate = float64(i.Duplicates) / a
		i.OutOfOrderRate = float64(i.OutOfOrder) / a
	}
}
