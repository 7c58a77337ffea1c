package bench_test

import (
	"context"
	"fmt"
	"time"

	"github.com/commbench/commbench/bench"
)

// An open-model run at 200 sends per second for half a second with an operation that takes no
// time: 100 sends, none late or dropped.
func Example() {
	op := bench.OperationFunc(func(ctx context.Context, worker int, seq uint64) (int, error) {
		return 64, nil // bytes moved
	})
	e, err := bench.New(bench.Config{Rate: 200, Duration: 500 * time.Millisecond, Workers: 4}, op)
	if err != nil {
		panic(err)
	}
	w, err := e.Run(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(w.Model, w.Totals.Requests, w.Totals.Bytes, w.Totals.Dropped)
	// Output: open 100 6400 0
}

func ExampleParseStages() {
	st, err := bench.ParseStages("30s:1000,60s:5000/s,30s:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(st)
	// Output: [{30s 1000} {1m0s 5000} {30s 0}]
}
