// Package results is the versioned results file that `verify`, `bench` and `run` write and that
// `report` reads: schema "commbench.results/v1". Results are data, reports are views: every report
// is rebuilt from this file, and files from several machines merge exactly (HDR histograms are
// stored encoded).
//
// Units: durations in milliseconds (fields ending in _ms), sizes in bytes, rates per second (_per_s),
// ratios as fractions (0.001 = 0.1%).
package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Schema is the value of File.Schema for this version.
const Schema = "commbench.results/v1"

// File is one results file.
type File struct {
	Schema       string        `json:"schema"`
	Run          Run           `json:"run"`
	Verification *Verification `json:"verification,omitempty"`
	Workloads    []Workload    `json:"workloads,omitempty"`
	// SkippedWorkloads did not run (e.g. their optional target did not answer): no figures.
	SkippedWorkloads []SkippedWorkload `json:"skipped_workloads,omitempty"`
}

// SkippedWorkload is a workload that did not run, and why.
type SkippedWorkload struct {
	Name      string `json:"name"`
	Driver    string `json:"driver"`
	Operation string `json:"operation"`
	Reason    string `json:"reason"`
}

// Run describes the run that wrote the file.
type Run struct {
	ID          string      `json:"id"`
	Command     string      `json:"command"` // "verify", "bench", "run", "demo"
	Started     time.Time   `json:"started"`
	Ended       time.Time   `json:"ended"`
	Interrupted bool        `json:"interrupted,omitempty"` // stopped by Ctrl-C or an error; figures are partial
	Error       string      `json:"error,omitempty"`       // what stopped the run, if anything
	Environment Environment `json:"environment"`
	// Config echoes the configuration with secrets redacted ("***").
	Config map[string]any `json:"config,omitempty"`
}

// Environment is where the run happened.
type Environment struct {
	CommbenchVersion string `json:"commbench_version"`
	GoVersion        string `json:"go_version"`
	OS               string `json:"os"`
	Arch             string `json:"arch"`
	CPUs             int    `json:"cpus"`
	Hostname         string `json:"hostname,omitempty"`
}

// Verification holds contract verification results.
type Verification struct {
	Interactions []Interaction `json:"interactions"`
	Summary      Summary       `json:"summary"`
	// Pacts lists the pacts fetched from a Pact Broker, in the order verified; empty for pact files.
	Pacts []BrokerPact `json:"broker_pacts,omitempty"`
}

// BrokerPact is one pact a Pact Broker selected for verification: where it came from, why, and
// whether the results were published.
type BrokerPact struct {
	Consumer string `json:"consumer"`
	Provider string `json:"provider"`
	// URL is the pact's broker URL, credentials removed.
	URL string `json:"url"`
	// Pending: failures do not fail the run (a pact the provider has not yet verified from its
	// branch); WIP: a work-in-progress pact, included by --include-wip-pacts-since (always pending).
	Pending bool `json:"pending,omitempty"`
	WIP     bool `json:"wip,omitempty"`
	// Notices are the broker's messages for this pact (when: "before_verification",
	// "after_verification:success_true_published_false"...), printed before verification.
	Notices []Notice `json:"notices,omitempty"`
	// Published: verification results were published to the broker; PublishError says why not
	// when publishing was asked and failed.
	Published    bool   `json:"published,omitempty"`
	PublishError string `json:"publish_error,omitempty"`
}

// Notice is one message from the Pact Broker about a pact.
type Notice struct {
	When string `json:"when"`
	Text string `json:"text"`
}

// Summary counts interactions by status. Failed excludes pending interactions that failed
// (counted in PendingFailed), since they do not fail the run.
type Summary struct {
	Total         int `json:"total"`
	Passed        int `json:"passed"`
	Failed        int `json:"failed"`
	PendingFailed int `json:"pending_failed"`
	Skipped       int `json:"skipped"`
	Errors        int `json:"errors"`
}

// Interaction statuses.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not verified (no target for its transport, filtered); Reason says why
	StatusError   = "error"   // could not be verified (provider state call failed, broker refused)
)

// Interaction is the verdict for one Pact interaction.
type Interaction struct {
	Consumer    string `json:"consumer"`
	Provider    string `json:"provider"`
	Description string `json:"description"`
	// Kind: "http", "message" (asynchronous), "sync-message".
	Kind string `json:"kind"`
	// Transport: "http", "grpc", "amqp", "kafka".
	Transport      string     `json:"transport"`
	ProviderStates []string   `json:"provider_states,omitempty"`
	Pending        bool       `json:"pending,omitempty"`
	Status         string     `json:"status"`
	Reason         string     `json:"reason,omitempty"`
	Mismatches     []Mismatch `json:"mismatches,omitempty"`
	DurationMS     float64    `json:"duration_ms"`
	Source         string     `json:"source,omitempty"` // pact file or URL
	// Comments are the V4 interaction's comments.text and TestName its comments.testname, as
	// Pact's verifier prints them.
	Comments []string `json:"comments,omitempty"`
	TestName string   `json:"test_name,omitempty"`
	// Warnings are what did not stop the verification but the user should know (e.g. a
	// ProviderState generator kept the pact's example value).
	Warnings []string `json:"warnings,omitempty"`
	// InteractionID is the interaction's "_id" in a pact served by a Pact Broker.
	InteractionID string `json:"interaction_id,omitempty"`
	// WIP: the interaction belongs to a work-in-progress pact from a Pact Broker (always pending).
	WIP bool `json:"wip,omitempty"`
	// Request is the request sent to the provider (HTTP interactions whose status is not
	// "passed"), for the reports of what failed.
	Request *SentRequest `json:"request,omitempty"`
}

// SentRequest is the request a verification sent: method, path with the query, headers (secret
// ones such as Authorization replaced by "***") and the body cut to a few KiB.
type SentRequest struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

// Mismatch is one difference between the contract and what the provider did. Expected, Actual
// and Message hold at most MaxMismatchValueBytes each (see Mismatch.Bounded).
type Mismatch struct {
	// Category: "method", "path", "query", "header", "status", "body", "body-type" (the body's
	// content type differs, Pact's BodyTypeMismatch), "metadata".
	Category string `json:"category"`
	Path     string `json:"path,omitempty"` // e.g. "$.items[0].qty" or a header name
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Message  string `json:"message"` // a human sentence
}

// Workload holds one benchmark's figures.
type Workload struct {
	Name      string `json:"name"`
	Driver    string `json:"driver"`    // rest, grpc, amqp, kafka
	Operation string `json:"operation"` // request, unary, publish, consume, publish-consume, produce...
	Target    string `json:"target"`    // address, credentials removed
	Format    string `json:"format,omitempty"`
	// Model is "open" (arrival rate) or "closed" (concurrency).
	Model string `json:"model"`
	// RatePerS is the open model's target arrival rate (per second): the constant rate, or with
	// stages the mean planned rate over the measured period. The achieved throughput is
	// Totals.ThroughputPerS; see FellBehind.
	RatePerS float64 `json:"rate_per_s,omitempty"`
	// FellBehind: the open model did not keep up with its target rate (late or dropped sends, or
	// achieved throughput under BehindRatio of RatePerS); Behind says it in words.
	FellBehind  bool      `json:"fell_behind,omitempty"`
	Concurrency int       `json:"concurrency,omitempty"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	DurationS   float64   `json:"duration_s"` // measured, warm-up excluded
	Interrupted bool      `json:"interrupted,omitempty"`
	// Repeat numbers the runs of a workload repeated in one file (bench --repeat N: 1..N); 0 for
	// a workload run once.
	Repeat int `json:"repeat,omitempty"`

	Totals Totals `json:"totals"`
	// Latency is of the successful operations (a fast error is not a fast answer, as k6's
	// expected_response:true), from the intended send time in the open model
	// (coordinated-omission free); it equals ServiceTime in the closed model. FailedLatency is
	// the same measure for the failed operations (errors, canceled operations that returned).
	// ServiceTime is of successful operations too; ScheduleDelay of every send.
	Latency       *Latency `json:"latency,omitempty"`
	FailedLatency *Latency `json:"failed_latency,omitempty"`
	ServiceTime   *Latency `json:"service_time,omitempty"`
	ScheduleDelay *Latency `json:"schedule_delay,omitempty"`
	EndToEnd      *Latency `json:"end_to_end,omitempty"` // messaging: send time to receive

	Errors map[string]int64 `json:"errors,omitempty"` // class -> count, e.g. "timeout", "http_5xx", "grpc_UNAVAILABLE"
	// StatusCodes counts the failed operations that carried a protocol status, by exact status:
	// "HTTP 503", "gRPC UNAVAILABLE" (successes are Totals.Succeeded).
	StatusCodes map[string]int64 `json:"status_codes,omitempty"`
	Series      []Point          `json:"series,omitempty"`
	Integrity   *Integrity       `json:"integrity,omitempty"`
	Thresholds  []Threshold      `json:"thresholds,omitempty"`
}

// Totals over the measured period.
type Totals struct {
	// Requests: operations attempted (requests, published messages) = Succeeded + Errors.
	Requests  int64 `json:"requests"`
	Succeeded int64 `json:"succeeded"`
	// Errors: failed operations, Canceled included.
	Errors int64 `json:"errors"`
	// Canceled: operations still in flight when the drain period ended (or the run was
	// aborted), cancelled by the engine; counted in Errors too, class "canceled".
	Canceled int64 `json:"canceled,omitempty"`
	// Bytes: request and response body bytes of the successful operations.
	Bytes int64 `json:"bytes"`
	// ThroughputPerS is the achieved throughput: successful operations per second over the
	// time actually measured (DurationS), whatever the target rate.
	ThroughputPerS float64 `json:"throughput_per_s"`
	ErrorRate      float64 `json:"error_rate"` // Errors / Requests
	// Intended: open-model sends the schedule intended over the measured period (as far as the
	// run went); Late: sends that left more than one interval after their intended time;
	// Dropped: intended sends never made (no worker was free, or the run ended first).
	Intended int64 `json:"intended,omitempty"`
	Late     int64 `json:"late,omitempty"`
	Dropped  int64 `json:"dropped,omitempty"`
	// MessagesSent and MessagesReceived count the messages of streaming operations (gRPC
	// server-, client- and bidi-streaming calls, one operation per stream) that succeeded, as
	// Bytes does; 0 for other operations.
	MessagesSent     int64 `json:"messages_sent,omitempty"`
	MessagesReceived int64 `json:"messages_received,omitempty"`
}

// Latency is a distribution: percentiles in ms and the encoded HDR histogram (hdrhistogram-go
// Encode, values in µs, 1 µs to 60 s, 3 significant digits) for exact merges.
type Latency struct {
	Count     int64   `json:"count"`
	MinMS     float64 `json:"min_ms"`
	MeanMS    float64 `json:"mean_ms"`
	StdevMS   float64 `json:"stdev_ms"`
	P50MS     float64 `json:"p50_ms"`
	P90MS     float64 `json:"p90_ms"`
	P95MS     float64 `json:"p95_ms"`
	P99MS     float64 `json:"p99_ms"`
	P999MS    float64 `json:"p99_9_ms"`
	P9999MS   float64 `json:"p99_99_ms"`
	MaxMS     float64 `json:"max_ms"`
	Histogram string  `json:"histogram,omitempty"`
}

// Point is one second of a time series.
type Point struct {
	Time           time.Time `json:"t"`
	ThroughputPerS float64   `json:"throughput_per_s"`
	Errors         int64     `json:"errors"`
	P50MS          float64   `json:"p50_ms"`
	P99MS          float64   `json:"p99_ms"`
	Bytes          int64     `json:"bytes"`
}

// Integrity is the messaging reconciliation: lost = acknowledged but never received within the
// drain period; unconfirmed = sent but never acknowledged; unexpected = received but never sent by
// this run (in a consume-only run: unstamped, or of another run than the one checked); ignored =
// received from other runs (or unstamped), excluded from every other figure.
// Rates are fractions of Acknowledged.
type Integrity struct {
	Sent         int64 `json:"sent"`
	Acknowledged int64 `json:"acknowledged"`
	Unconfirmed  int64 `json:"unconfirmed"`
	Returned     int64 `json:"returned,omitempty"` // AMQP mandatory messages returned as unroutable
	Received     int64 `json:"received"`
	Lost         int64 `json:"lost"`
	Duplicates   int64 `json:"duplicates"`
	OutOfOrder   int64 `json:"out_of_order"`
	Unexpected   int64 `json:"unexpected"`
	Ignored      int64 `json:"ignored,omitempty"` // deliveries of other runs or without a valid stamp, in no other figure
	// Late: deliveries received after the drain grace period but before the consumers closed;
	// received, not lost (also in Received).
	Late int64 `json:"late,omitempty"`
	// Gaps (consume-only runs): sequence numbers of a producer missing between the lowest and
	// the highest received from it: messages not received, whether or not they were sent.
	Gaps int64 `json:"gaps,omitempty"`
	// ConnectionsLost: broker connections (producers' and consumers') lost during the run;
	// Reconnects: those re-established (with exponential backoff and jitter).
	ConnectionsLost int64   `json:"connections_lost,omitempty"`
	Reconnects      int64   `json:"reconnects,omitempty"`
	LossRate        float64 `json:"loss_rate"`
	DuplicateRate   float64 `json:"duplicate_rate"`
	OutOfOrderRate  float64 `json:"out_of_order_rate"`
}

// Threshold is one --threshold expression and its outcome.
type Threshold struct {
	Expr   string  `json:"expr"`   // as given, e.g. "p99<25ms"
	Metric string  `json:"metric"` // e.g. "p99"
	Op     string  `json:"op"`     // <, <=, >, >=, ==, !=
	Limit  float64 `json:"limit"`  // in the metric's unit (ms, per second, fraction, count)
	Actual float64 `json:"actual"`
	Passed bool    `json:"passed"`
	// Default: added by commbench, not given (error_rate<1% when no error_rate threshold was
	// given; succeeded>0 always; connections_lost==0 for messaging workloads).
	Default bool `json:"default,omitempty"`
}

// Failed reports whether the file records a failure that should exit 1: a non-pending interaction
// that failed or errored, or a breached threshold.
func (f *File) Failed() bool {
	if f.Verification != nil && (f.Verification.Summary.Failed > 0 || f.Verification.Summary.Errors > 0) {
		return true
	}
	for _, w := range f.Workloads {
		for _, t := range w.Thresholds {
			if !t.Passed {
				return true
			}
		}
	}
	return false
}

// Write writes f as indented JSON (two spaces, as encoding/json's Encoder with SetIndent writes
// it, byte for byte). The interactions of a verification are encoded one at a time, so writing
// the results of 100,000 interactions costs one interaction's encoding in memory, not the whole
// document twice (encoding then indenting).
func Write(w io.Writer, f *File) error {
	if f.Schema == "" {
		f.Schema = Schema
	}
	if f.Verification == nil || len(f.Verification.Interactions) == 0 {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	}
	// The file with an empty interaction list, then the interactions spliced in where it is.
	shell := *f
	v := *f.Verification
	v.Interactions = []Interaction{}
	shell.Verification = &v
	head, err := json.MarshalIndent(&shell, "", "  ")
	if err != nil {
		return err
	}
	const empty = "\n    \"interactions\": []"
	at := bytes.Index(head, []byte(empty))
	if at < 0 {
		return errors.New("results: no interaction list in the encoded verification")
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:at+len(empty)-1]) // up to and including "["
	for i := range f.Verification.Interactions {
		b, err := json.MarshalIndent(&f.Verification.Interactions[i], "      ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n      ")
		bw.Write(b)
	}
	bw.WriteString("\n    ]")
	bw.Write(head[at+len(empty):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// WriteFile writes f to path (0644).
func WriteFile(path string, f *File) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(out, f); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return out.Close()
}

// ReadFile reads a results file; a wrong or missing schema is an error naming the file.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: not a commbench results file: %w", path, err)
	}
	if f.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, f.Schema, Schema)
	}
	return &f, nil
}
