package integrity

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names of the integrity stamp. They travel as AMQP headers-table entries and Kafka record
// headers, never in the body, so JSON, Protobuf and Avro payloads stay valid. Values are ASCII
// decimal.
const (
	// HeaderRun is the run id (printable ASCII, at most 128 bytes); messages of other runs are ignored.
	HeaderRun = "commbench-run"
	// HeaderProducer is the producer id within the run (uint32).
	HeaderProducer = "commbench-producer"
	// HeaderSeq is the producer's sequence number (uint64, from 0, consecutive per producer).
	HeaderSeq = "commbench-seq"
	// HeaderSent is the send time in Unix nanoseconds (int64).
	HeaderSent = "commbench-sent"
	// HeaderPartition is the Kafka partition the producer chose (int32); absent when the
	// partitioner chose it.
	HeaderPartition = "commbench-partition"
)

// MaxRunIDLen bounds the run id header.
const MaxRunIDLen = 128

// ErrNoStamp: the message carries none of the stamp headers (it was not sent by commbench).
var ErrNoStamp = errors.New("no commbench stamp")

// Stamp is what a producer writes into each message's headers.
type Stamp struct {
	Run      string
	Producer uint32
	Seq      uint64
	// Sent is the send time in Unix nanoseconds (the intended send time in the open model).
	Sent int64
	// Partition is the Kafka partition chosen by the producer, or -1.
	Partition int32
}

// SentTime returns Sent as a time.Time.
func (s Stamp) SentTime() time.Time { return time.Unix(0, s.Sent) }

// Apply writes the stamp into h (HTTP-style header map as drivers.Message.Headers), replacing any
// earlier stamp. h must not be nil.
func (s Stamp) Apply(h map[string][]string) {
	h[HeaderRun] = []string{s.Run}
	h[HeaderProducer] = []string{strconv.FormatUint(uint64(s.Producer), 10)}
	h[HeaderSeq] = []string{strconv.FormatUint(s.Seq, 10)}
	h[HeaderSent] = []string{strconv.FormatInt(s.Sent, 10)}
	if s.Partition >= 0 {
		h[HeaderPartition] = []string{strconv.FormatInt(int64(s.Partition), 10)}
	} else {
		delete(h, HeaderPartition)
	}
}

// header returns the first value of name: exact key first, then case-insensitively (AMQP and
// Kafka keep case, but a proxy may not).
func header(h map[string][]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		if len(v) == 0 {
			return "", true
		}
		return v[0], true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			if len(v) == 0 {
				return "", true
			}
			return v[0], true
		}
	}
	return "", false
}

// Parse reads a stamp from message headers. A message with none of the stamp headers yields an
// error wrapping ErrNoStamp; a missing or malformed field is an error naming the header and what
// was expected, e.g. `header commbench-seq: want unsigned decimal integer, got "x"`. It never
// panics (fuzzed).
func Parse(h map[string][]string) (Stamp, error) {
	st := Stamp{Partition: -1}
	run, okRun := header(h, HeaderRun)
	prod, okProd := header(h, HeaderProducer)
	seq, okSeq := header(h, HeaderSeq)
	sent, okSent := header(h, HeaderSent)
	if !okRun && !okProd && !okSeq && !okSent {
		return st, ErrNoStamp
	}
	switch {
	case !okRun:
		return st, fmt.Errorf("header %s missing", HeaderRun)
	case !okProd:
		return st, fmt.Errorf("header %s missing", HeaderProducer)
	case !okSeq:
		return st, fmt.Errorf("header %s missing", HeaderSeq)
	case !okSent:
		return st, fmt.Errorf("header %s missing", HeaderSent)
	}
	if run == "" || len(run) > MaxRunIDLen {
		return st, fmt.Errorf("header %s: want 1 to %d bytes, got %d", HeaderRun, MaxRunIDLen, len(run))
	}
	for i := 0; i < len(run); i++ {
		if run[i] < 0x21 || run[i] > 0x7e {
			return st, fmt.Errorf("header %s: want printable ASCII, got byte 0x%02x at position %d", HeaderRun, run[i], i)
		}
	}
	st.Run = run
	p, err := strconv.ParseUint(prod, 10, 32)
	if err != nil {
		return st, fmt.Errorf("header %s: want unsigned decimal integer below 2^32, got %q", HeaderProducer, clip(prod))
	}
	st.Producer = uint32(p)
	if st.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
		return st, fmt.Errorf("header %s: want unsigned decimal integer, got %q", HeaderSeq, clip(seq))
	}
	if st.Sent, err = strconv.ParseInt(sent, 10, 64); err != nil {
		return st, fmt.Errorf("header %s: want Unix nanoseconds as a decimal integer, got %q", HeaderSent, clip(sent))
	}
	// The optional partition header: a sender that kept the other names' case kept this one's,
	// so the case-insensitive scan runs only for senders that did not.
	part, ok := "", false
	if v, exact := h[HeaderPartition]; exact {
		ok = true
		if len(v) > 0 {
			part = v[0]
		}
	} else if _, canonical := h[HeaderRun]; !canonical {
		part, ok = header(h, HeaderPartition)
	}
	if ok {
		v, err := strconv.ParseInt(part, 10, 32)
		if err != nil || v < 0 {
			return st, fmt.Errorf("header %s: want partition number 0 to 2^31-1, got %q", HeaderPartition, clip(part))
		}
		st.Partition = int32(v)
	}
	return st, nil
}

// clip shortens a bad header value for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
