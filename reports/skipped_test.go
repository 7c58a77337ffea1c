package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/commbench/commbench/results"
)

func TestSkippedWorkloadsAreShownEverywhere(t *testing.T) {
	f := &results.File{Schema: results.Schema, Run: results.Run{ID: "r1", Command: "run"},
		SkippedWorkloads: []results.SkippedWorkload{{Name: "amqp-orders", Driver: "amqp", Operation: "publish-consume",
			Reason: "no AMQP broker answers at 127.0.0.1:5672: start one with rabbitmq-server -detached"}}}
	renders := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return Text(b, f, false) },
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, f) },
		"html":     func(b *bytes.Buffer) error { return HTML(b, f) },
		"junit":    func(b *bytes.Buffer) error { return JUnit(b, f) },
	}
	for name, render := range renders {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"amqp-orders", "rabbitmq-server -detached"} {
				if !strings.Contains(b.String(), want) {
					t.Fatalf("%s lacks %q:\n%s", name, want, b.String())
				}
			}
		})
	}
	var doc JUnitSuites
	var b bytes.Buffer
	if err := JUnit(&b, f); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Skipped != 1 {
		t.Fatalf("junit suites %+v, want one suite counting 1 skipped", doc.Suites)
	}
}

func TestMergeDropsASkipThatRanElsewhere(t *testing.T) {
	skipped := &results.File{Schema: results.Schema, SkippedWorkloads: []results.SkippedWorkload{{Name: "w"}, {Name: "only-skipped"}}}
	ran := &results.File{Schema: results.Schema, Workloads: []results.Workload{{Name: "w", Driver: "amqp"}}}
	m, err := results.Merge(skipped, ran)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Workloads) != 1 || len(m.SkippedWorkloads) != 1 || m.SkippedWorkloads[0].Name != "only-skipped" {
		t.Fatalf("merged: %d workloads, skipped %+v", len(m.Workloads), m.SkippedWorkloads)
	}
}

func TestStreamMessageCountsAreShown(t *testing.T) {
	f := &results.File{Schema: results.Schema, Run: results.Run{ID: "r1", Command: "bench"},
		Workloads: []results.Workload{{Name: "bidi", Driver: "grpc", Operation: "bidi-stream", Model: "closed",
			Totals: results.Totals{Requests: 30, Succeeded: 30, MessagesSent: 150, MessagesReceived: 149}}}}
	for name, render := range map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return Text(b, f, false) },
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, f) },
		"html":     func(b *bytes.Buffer) error { return HTML(b, f) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "150") || !strings.Contains(b.String(), "149") {
			t.Errorf("%s lacks the stream message counts:\n%s", name, b.String())
		}
	}
}
