package threshold_test

import (
	"fmt"

	"github.com/commbench/commbench/bench/threshold"
	"github.com/commbench/commbench/results"
)

func Example() {
	ts, err := threshold.ParseAll([]string{"p99<25ms", "error_rate<0.1%"})
	if err != nil {
		panic(err)
	}
	w := &results.Workload{Latency: &results.Latency{Count: 1200, P99MS: 31.5}, Totals: results.Totals{Requests: 1200, Succeeded: 1200}}
	fmt.Println(threshold.Evaluate(ts, w))
	for _, t := range w.Thresholds {
		fmt.Println(t.Expr, t.Passed, t.Actual)
	}
	// Output:
	// false
	// p99<25ms false 31.5
	// error_rate<0.1% true 0
	// succeeded>0 true 1200
}
