package bench

import "time"

// Intended returns the intended send time of the send c completes: the schedule's time in the
// open model, the claim time in the closed model (wall clock). Messaging workloads stamp it in
// the message so that end-to-end latency is coordinated-omission free too. A zero Completion
// returns the zero time.
//
// (Added by the messaging workloads, bench/messaging; kept apart from the engine's files.)
func (c Completion) Intended() time.Time {
	if c.e == nil {
		return time.Time{}
	}
	return c.e.clk.wall(c.intended)
}
