package kafka

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commbench/commbench/drivers"
)

// receiveOnly are the properties a received message carries that are ignored when it is
// published again.
var receiveOnly = []string{"topic", "offset"}

// toRecord maps m onto a record; see the package doc for properties and headers.
func (c *Conn) toRecord(m *drivers.Message) (*kgo.Record, error) {
	r := &kgo.Record{Topic: m.Route, Key: m.Key, Value: m.Body}
	n := 0
	for _, vs := range m.Headers {
		n += len(vs)
	}
	if n > 0 || m.ContentType != "" {
		r.Headers = make([]kgo.RecordHeader, 0, n+1)
		hasCT := false
		for k, vs := range m.Headers {
			hasCT = hasCT || strings.EqualFold(k, "content-type") || k == "contentType"
			for _, v := range vs {
				r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
			}
		}
		if m.ContentType != "" && !hasCT {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: "content-type", Value: []byte(m.ContentType)})
		}
	}
	for k, v := range m.Properties {
		switch k {
		case "partition":
			p, err := strconv.ParseInt(v, 10, 32)
			if err != nil || p < 0 {
				return nil, fmt.Errorf("kafka: message property partition=%q: expected a partition number", v)
			}
			if c.opts.partitioner != "manual" {
				if _, received := m.Properties["offset"]; received {
					continue // a received message published again
				}
				return nil, fmt.Errorf("kafka: message property partition needs option partitioner=manual")
			}
			r.Partition = int32(p)
		case "timestamp":
			ts, err := parseTime(v)
			if err != nil {
				return nil, fmt.Errorf("kafka: message property timestamp=%q: expected an RFC 3339 time or Unix milliseconds", v)
			}
			r.Timestamp = ts
		case "reply_topic":
		default:
			if !slices.Contains(receiveOnly, k) {
				return nil, fmt.Errorf("kafka: unknown message property %q (known: partition, timestamp, reply_topic)", k)
			}
		}
	}
	return r, nil
}

func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(n), nil
	}
	return time.Parse(time.RFC3339Nano, v)
}

// fromRecord maps a received record onto a Message.
func fromRecord(r *kgo.Record) *drivers.Message {
	m := &drivers.Message{
		Route: r.Topic, Key: r.Key, Body: r.Value, Time: r.Timestamp,
		Properties: map[string]string{
			"topic":     r.Topic,
			"partition": strconv.Itoa(int(r.Partition)),
			"offset":    strconv.FormatInt(r.Offset, 10),
		},
	}
	if len(r.Headers) > 0 {
		m.Headers = make(map[string][]string, len(r.Headers))
		for _, h := range r.Headers {
			m.Headers[h.Key] = append(m.Headers[h.Key], string(h.Value))
			if m.ContentType == "" && (strings.EqualFold(h.Key, "content-type") || h.Key == "contentType") {
				m.ContentType = string(h.Value)
			}
		}
	}
	return m
}
