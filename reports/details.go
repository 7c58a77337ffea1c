package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/commbench/commbench/results"
)

// WorkloadDetails writes what the workload table of Text leaves out, as `commbench bench` prints it
// after the summary: for the open model, late and dropped sends and the service time and
// schedule delay beside the latency from the intended send time; for a streaming gRPC workload,
// the streams and the messages they moved.
func WorkloadDetails(out io.Writer, w *results.Workload) {
	if w.Model == "open" {
		openDetails(out, w)
	}
	if strings.HasSuffix(w.Operation, "-stream") {
		streamDetails(out, w)
	}
}

func openDetails(out io.Writer, w *results.Workload) {
	fmt.Fprintf(out, "\nOpen model (%s): late %d, dropped %d\n", oneLine(w.Name), w.Totals.Late, w.Totals.Dropped)
	for _, l := range []struct {
		name string
		l    *results.Latency
	}{{"latency (from intended send)", w.Latency}, {"service time", w.ServiceTime}, {"schedule delay", w.ScheduleDelay}} {
		if l.l != nil {
			fmt.Fprintf(out, "  %-29s p50 %.3g ms  p99 %.3g ms  p99.9 %.3g ms  max %.3g ms\n", l.name, l.l.P50MS, l.l.P99MS, l.l.P999MS, l.l.MaxMS)
		}
	}
}

// streamDetails says what a streaming workload moved: one operation is one whole stream.
func streamDetails(out io.Writer, w *results.Workload) {
	fmt.Fprintf(out, "\nStreams (%s, %s): %d succeeded, %d failed; messages sent %d, received %d; %d bytes (latency is per stream)\n",
		oneLine(w.Name), w.Operation, w.Totals.Succeeded, w.Totals.Errors, w.Totals.MessagesSent, w.Totals.MessagesReceived, w.Totals.Bytes)
}
