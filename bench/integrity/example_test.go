package integrity_test

import (
	"fmt"
	"time"

	"github.com/commbench/commbench/bench/integrity"
)

// A producer stamps three messages, the broker acknowledges them, and the consumer receives the
// third before the second and the first twice.
func ExampleTracker() {
	tr, _ := integrity.New("run-42")
	p := tr.Producer(0)
	var sent []map[string][]string
	for range 3 {
		st := p.Next(time.Now(), -1)
		h := map[string][]string{"content-type": {"application/json"}}
		st.Apply(h) // commbench-run, commbench-producer, commbench-seq, commbench-sent
		p.Acked(st.Seq)
		sent = append(sent, h)
	}
	q := tr.Stream("consumer-0")
	for _, i := range []int{0, 2, 1, 0} {
		fmt.Println(q.Observe(sent[i], time.Now()))
	}
	r := tr.Reconcile()
	fmt.Printf("acknowledged %d, received %d, lost %d, duplicates %d, out of order %d\n",
		r.Integrity.Acknowledged, r.Integrity.Received, r.Integrity.Lost, r.Integrity.Duplicates, r.Integrity.OutOfOrder)
	// Output:
	// delivered
	// delivered
	// out-of-order
	// duplicate
	// acknowledged 3, received 4, lost 0, duplicates 1, out of order 1
}
