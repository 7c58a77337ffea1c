package runner

import (
	"context"
	"fmt"

	"github.com/commbench/commbench/results"
)

// BenchRepeated runs one workload n times in a row (n >= 1; the first run is as Bench's) and
// returns one results file holding the n runs as workloads of the same name, numbered by
// results.Workload.Repeat (1..n), so that `report compare` sees the noise between runs. It stops
// at the first run that returns an error (bad input, unavailable target, cancelled context) and
// returns the runs so far with that error; a breached threshold does not stop it.
func BenchRepeated(ctx context.Context, w Workload, o Options, n int) (*results.File, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: repeat %d: want at least 1 run", ErrInvalid, n)
	}
	var file *results.File
	for i := 1; i <= n; i++ {
		f, err := Bench(ctx, w, o)
		if f == nil {
			if file != nil {
				o.stopped(file, nil, err, ctx.Err() != nil)
			}
			return file, err
		}
		if n > 1 {
			for j := range f.Workloads {
				f.Workloads[j].Repeat = i
			}
		}
		if file == nil {
			file = f
		} else {
			file.Workloads = append(file.Workloads, f.Workloads...)
			file.Run.Ended, file.Run.Interrupted, file.Run.Error = f.Run.Ended, f.Run.Interrupted, f.Run.Error
		}
		if err != nil {
			return file, err
		}
	}
	return file, nil
}
