package reports

import (
	"math"
	"slices"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"
)

// compareAlpha is the significance level of the comparison, as benchstat's default.
const compareAlpha = 0.05

// shiftTest is the outcome of comparing two samples of one metric.
type shiftTest struct {
	N1, N2 int
	// P is the two-sided p-value of the Mann–Whitney U test (golang.org/x/perf/benchmath
	// AssumeNothing, as benchstat computes it); 1 when the test could not be made.
	P float64
	// Shift is the Hodges–Lehmann estimate of the location shift new - base (the median of every
	// pairwise difference), and Lo, Hi its 95% confidence interval (Bauer 1972: order statistics
	// of the pairwise differences at the U distribution's critical value); NaN when the samples
	// are too small for a bounded interval.
	Shift, Lo, Hi float64
	// BaseMedian and NewMedian are the samples' medians.
	BaseMedian, NewMedian float64
}

// Significant reports whether the test rejects "same distribution" at compareAlpha.
func (s shiftTest) Significant() bool { return s.P < compareAlpha }

// testShift compares base and cur (each at least one value; they are not modified).
func testShift(base, cur []float64) shiftTest {
	x, y := slices.Clone(base), slices.Clone(cur)
	slices.Sort(x)
	slices.Sort(y)
	t := shiftTest{N1: len(x), N2: len(y), P: 1, Lo: math.NaN(), Hi: math.NaN(),
		BaseMedian: median(x), NewMedian: median(y)}
	t.Shift = t.NewMedian - t.BaseMedian
	if len(x) < 2 || len(y) < 2 {
		return t
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = compareAlpha
	cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(x, &th), benchmath.NewSample(y, &th))
	t.P = cmp.P
	d := make([]float64, 0, len(x)*len(y))
	for _, b := range x {
		for _, c := range y {
			d = append(d, c-b)
		}
	}
	slices.Sort(d)
	t.Shift = median(d)
	if k := uCritical(len(x), len(y), compareAlpha); k >= 1 {
		t.Lo, t.Hi = d[k-1], d[len(d)-k]
	}
	return t
}

// uCritical returns the largest k with P(U <= k-1) <= alpha/2 under the null hypothesis (the
// exact U distribution, github.com/aclements/go-moremath/stats.UDist, for small samples; the
// normal approximation beyond 20 values a side), or 0 when even k = 1 is too likely: the
// confidence interval is then unbounded.
func uCritical(n1, n2 int, alpha float64) int {
	if n1 > 20 || n2 > 20 {
		mean := float64(n1*n2) / 2
		sd := math.Sqrt(float64(n1*n2*(n1+n2+1)) / 12)
		z := stats.NormalDist{Mu: 0, Sigma: 1}.InvCDF(1 - alpha/2)
		return max(0, int(math.Floor(mean-z*sd)))
	}
	u := stats.UDist{N1: n1, N2: n2}
	k := 0
	for k < n1*n2/2 && u.CDF(float64(k)) <= alpha/2 {
		k++
	}
	return k
}

// median of sorted values.
func median(s []float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
