package testenv

import (
	"fmt"
	"testing"
	"time"
)

// Growth benchmarks how the cost of work grows with the size of its
// input: it times work(n) for n = base, 10·base, … (steps sizes in all),
// each for long enough to measure, and reports, beside the time of the
// largest, the ratio of each size's time to the base's as "t(10n)/t(n)",
// "t(100n)/t(n)", …. A linear cost gives ratios near 10, 100; n log n
// somewhat more; a quadratic one 100, 10000. Ratios, unlike times, mean
// the same on a loaded machine, since all sizes run in one benchmark.
//
// setup(n) returns the work for size n, which b does not time.
func Growth(b *testing.B, base, steps int, setup func(n int) func()) {
	b.Helper()
	times := make([]float64, steps)
	for b.Loop() {
		for i := range times {
			n := base
			for range i {
				n *= 10
			}
			times[i] = perOp(setup(n))
		}
	}
	factor := 1
	for i := 1; i < steps; i++ {
		factor *= 10
		b.ReportMetric(times[i]/times[0], fmt.Sprintf("t(%dn)/t(n)", factor))
	}
	b.ReportMetric(times[steps-1]/1e6, "ms-largest")
}

// perOp returns the mean time in nanoseconds of work, run at least
// twice and for at least 100 ms.
func perOp(work func()) float64 {
	n := 0
	start := time.Now()
	for n < 2 || time.Since(start) < 100*time.Millisecond {
		work()
		n++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
