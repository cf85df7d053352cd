package testenv

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// Growth benchmarks how the cost of work grows with the size of its
// input: it takes the CPU time of work(n) for n = base, 10·base, …
// (steps sizes in all), each for long enough to measure, and reports,
// beside the time of the largest ("ms-largest", CPU), the ratio of each
// size's time to the base's as "t(10n)/t(n)",
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

// perOp returns the mean CPU time in nanoseconds of work (the process's
// user and system time, which other processes on a loaded machine do
// not inflate as they do the wall clock), run at least twice and for at
// least 100 ms of it.
func perOp(work func()) float64 {
	n := 0
	start := cpuTime()
	for n < 2 || cpuTime()-start < 100*time.Millisecond {
		work()
		n++
	}
	return float64(cpuTime()-start) / float64(n)
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
