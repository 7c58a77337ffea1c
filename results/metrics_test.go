package results

import "testing"

func TestMetricUnit(t *testing.T) {
	tests := []struct {
		name, unit string
		known      bool
	}{
		{"p99", UnitMS, true}, {"P999", UnitMS, true}, {"service_time.p50", UnitMS, true}, {"end_to_end.max", UnitMS, true},
		{"throughput", UnitPerS, true}, {"error_rate", UnitFraction, true}, {"loss_rate", UnitFraction, true},
		{"out_of_order_rate", UnitFraction, true}, {"lost", UnitCount, true}, {"bytes", UnitCount, true},
		{"requests", UnitCount, true}, {"p42", "", false}, {"queue.p99", "", false}, {"bogus_rate", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unit, known := MetricUnit(tt.name)
			if unit != tt.unit || known != tt.known {
				t.Fatalf("MetricUnit(%q) = %q, %v; want %q, %v", tt.name, unit, known, tt.unit, tt.known)
			}
			if _, hk := HigherIsBetter(tt.name); hk != tt.known {
				t.Fatalf("HigherIsBetter(%q) known %v, MetricUnit known %v: the vocabularies drifted", tt.name, hk, known)
			}
		})
	}
	for _, n := range MetricNames() {
		if _, known := MetricUnit(n); !known {
			t.Errorf("MetricNames lists %q, MetricUnit does not know it", n)
		}
	}
	if !IntegrityMetric("duplicates") || !IntegrityMetric("LOSS_RATE") || IntegrityMetric("errors") || IntegrityMetric("p99") {
		t.Error("IntegrityMetric wrong")
	}
}

// TestMergeAddsStreamMessages: the streaming message counts of two parts add up.
func TestMergeAddsStreamMessages(t *testing.T) {
	a := half(t, samples(1, 100), base, 2, nil)
	b := half(t, samples(2, 100), base.Add(2e9), 2, nil)
	a.Totals.MessagesSent, a.Totals.MessagesReceived = 10, 30
	b.Totals.MessagesSent, b.Totals.MessagesReceived = 5, 15
	m, err := Merge(&File{Schema: Schema, Workloads: []Workload{a}}, &File{Schema: Schema, Workloads: []Workload{b}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Workloads[0].Totals; got.MessagesSent != 15 || got.MessagesReceived != 45 {
		t.Fatalf("merged totals %+v, want 15 sent, 45 received", got)
	}
}
