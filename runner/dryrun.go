package runner

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/scenario"
)

// WriteOutputList writes where the outputs of o went, one "what: path" line each (none for an
// unset output or "-", stdout).
func WriteOutputList(w io.Writer, o scenario.Outputs) {
	for _, f := range []struct{ what, path string }{{"HTML report", o.HTML}, {"JUnit XML", o.JUnit}, {"results JSON", o.JSON}, {"Markdown", o.MD}} {
		if f.path != "" && f.path != "-" {
			fmt.Fprintf(w, "%-13s %s\n", f.what+":", f.path)
		}
	}
}

// DryRun is a run that verifies and loads nothing: it loads and checks every input file the run
// would read (Validate: ErrInvalid naming the file), writes the plan to w (targets with whether
// they answer, contracts, workloads in order, outputs) and checks that every target the run
// would use answers (Check). It returns nil when they all do (an optional target may not answer
// at all: it would be skipped), else ErrUnavailable naming the targets that do not answer or
// cannot be used (an optional one that answers but refuses, for credentials, TLS or protocol).
func (p *Plan) DryRun(ctx context.Context, w io.Writer) error {
	if err := p.Validate(ctx); err != nil {
		return err
	}
	s := p.Scenario
	name := s.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "Scenario %s: %d targets, %d contracts, %d workloads\n\nTargets:\n", name, len(s.Targets), len(s.Contracts), len(s.Workloads))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var down []string
	for _, t := range p.Targets {
		status := "not used"
		if t.Used {
			status = "answers"
			if err := p.Check(ctx, t); err != nil {
				status = "DOES NOT ANSWER: " + err.Error()
				switch {
				case t.Optional && NotAnswering(ctx, t.Target, err):
					status = "does not answer (optional: would be skipped): " + err.Error()
				case t.Optional:
					status = "ANSWERS BUT CANNOT BE USED (optional, the run would fail): " + err.Error()
					down = append(down, t.Name)
				default:
					down = append(down, t.Name)
				}
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Driver, scenario.RedactURL(t.Address), status)
	}
	_ = tw.Flush()
	if len(s.Contracts) > 0 {
		fmt.Fprintln(w, "\nContracts (verified first):")
	}
	for i, c := range s.Contracts {
		var via []string
		for _, p := range []struct{ k, v string }{{"http", c.HTTP}, {"grpc", c.GRPC}, {"kafka", c.Kafka}, {"amqp", c.AMQP}} {
			if p.v != "" {
				via = append(via, p.k+"="+p.v)
			}
		}
		pacts := make([]string, len(c.Pacts))
		for j, p := range c.Pacts {
			pacts[j] = scenario.RedactURL(p)
		}
		fmt.Fprintf(w, "  %d. %s via %s\n", i+1, strings.Join(pacts, ", "), strings.Join(via, " "))
	}
	if len(p.Workloads) > 0 {
		fmt.Fprintln(w, "\nWorkloads (in order):")
	}
	for i, wl := range p.Workloads {
		fmt.Fprintf(tw, "  %d. %s\t%s %s\ton %s\t%s\n", i+1, wl.Workload.Name, wl.Workload.Operation, wl.Format(), wl.Workload.Target, wl.Describe())
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	WriteOutputList(w, s.Outputs)
	if len(down) > 0 {
		return exitcode.Unavailablef("dry run: %s did not answer or cannot be used", strings.Join(down, ", "))
	}
	fmt.Fprintln(w, "dry run: every target answers")
	return nil
}
