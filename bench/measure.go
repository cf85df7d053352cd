package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/actioncache"
	"github.com/sysfence/seccomp/tables"
)

// measuredNrs is the range of x86_64 numbers the means run over: 0 to the
// largest number of the table, known or not.
const measuredNrs = 472

// Result is what the benchmark measures of one program. Every contender's
// program goes through the same code, whoever made it.
type Result struct {
	Contender, Policy string
	Note              string
	Err               error

	Len      int
	Mean     float64 // instructions run, mean over x86_64 numbers 0..471, arguments zero
	Max      int     // the largest of those
	Mix      float64 // weighted by serverMix
	Longest  int     // longest path for any input
	Complete bool    // Longest is exact, not a lower bound
	// Cached counts the calls of the x86_64 table the kernel's action
	// cache allows without running the program, CacheWant those the
	// policy allows whatever the arguments.
	Cached, CacheWant int
	Diffs, Probes     int    // decisions that differ from Policy.Decide, of inputs tried
	FirstDiff         string // the first input that differs
	Probe             map[string]int

	Compile time.Duration // median
	Allocs  float64       // per compile (Go heap only)

	prog []filter.Instruction
}

// namedProbe is one call whose instructions run the table shows.
type namedProbe struct {
	label string
	name  string
	args  [6]uint64
}

var dockerProbes = []namedProbe{
	{"clone", "clone", [6]uint64{}},
	{"socket(AF_INET)", "socket", [6]uint64{2}},
	{"personality(0)", "personality", [6]uint64{}},
}

// measure compiles p with c and measures the program.
func measure(c Contender, p *Policy, probes []namedProbe, runs int) Result {
	r := Result{Contender: c.Name, Policy: p.Name}
	compile, note, err := c.Prepare(p)
	r.Note = note
	if err != nil {
		r.Err = err
		return r
	}
	prog, err := compile()
	if err != nil {
		r.Err = err
		return r
	}
	if err := filter.Verify(prog); err != nil {
		r.Err = fmt.Errorf("program fails verification: %w", err)
		return r
	}
	r.prog = prog
	r.Len = len(prog)
	r.Compile, r.Allocs = timeCompile(compile, runs)

	abi := tables.X86_64
	total := 0
	for nr := range uint32(measuredNrs) {
		n := steps(prog, abi, nr, [6]uint64{})
		total += n
		r.Max = max(r.Max, n)
	}
	r.Mean = float64(total) / measuredNrs
	wsum, wtotal := 0, 0
	for _, m := range serverMix {
		nr, ok := abi.Number(m.name)
		if !ok {
			continue
		}
		wsum += m.weight * steps(prog, abi, nr, [6]uint64{})
		wtotal += m.weight
	}
	r.Mix = float64(wsum) / float64(wtotal)
	r.Longest, r.Complete = longestPath(prog)
	st, err := filter.Analyze(prog, abi)
	if err != nil {
		r.Err = err
		return r
	}
	r.Cached = st.CacheAllowed
	for _, sc := range abi.Syscalls() {
		if cacheable(p, sc.Name) || actioncache.Exempt(abi, sc.Name) {
			r.CacheWant++
		}
	}
	r.Probe = make(map[string]int)
	for _, pr := range probes {
		nr, _ := abi.Number(pr.name)
		r.Probe[pr.label] = steps(prog, abi, nr, pr.args)
	}
	r.Diffs, r.Probes, r.FirstDiff = diffs(prog, p)
	return r
}

// cacheable reports whether p allows the named call whatever its
// arguments.
func cacheable(p *Policy, name string) bool {
	for _, r := range p.Rules {
		if r.Name == name {
			return len(r.Args) == 0 && r.Action == filter.Allow
		}
	}
	return p.Default == filter.Allow
}

// steps returns the instructions prog runs for call nr of abi.
func steps(prog []filter.Instruction, abi *tables.ABI, nr uint32, args [6]uint64) int {
	d := filter.SeccompData{Nr: int32(nr), Arch: abi.Audit, Args: args}
	res, err := filter.Run(prog, &d, abi.ByteOrder())
	if err != nil {
		panic(err) // verified before
	}
	return res.Steps
}

// timeCompile returns the median CPU time of one compile, as the
// compiling thread's clock counts it (CLOCK_THREAD_CPUTIME_ID: what
// other processes on a shared machine do does not count), and the mean
// Go heap allocations per compile, over runs compiles (at least 5, and as
// many more as fit in about 200 ms).
func timeCompile(compile func() ([]filter.Instruction, error), runs int) (time.Duration, float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := func() time.Duration {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
			panic(err)
		}
		return time.Duration(ts.Nano())
	}
	var times []time.Duration
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	for i := 0; i < runs || (i < 50*runs && time.Since(start) < 200*time.Millisecond); i++ {
		t := cpu()
		if _, err := compile(); err != nil {
			panic(err)
		}
		times = append(times, cpu()-t)
	}
	runtime.ReadMemStats(&ms1)
	slices.Sort(times)
	return times[len(times)/2], float64(ms1.Mallocs-ms0.Mallocs) / float64(len(times))
}

// diffs runs prog on inputs chosen to cross every decision of p and
// counts those where prog and p.Decide disagree: every number of each
// x86 ABI's table and one past it, with x32 and i386 numbers also for a
// policy that does not cover them, a foreign arch, numbers with bit 31
// set, and for the calls with argument rules, argument values on both
// sides of each constant.
func diffs(prog []filter.Instruction, p *Policy) (n, tried int, first string) {
	check := func(d filter.SeccompData, order binary.ByteOrder) {
		tried++
		res, err := filter.Run(prog, &d, order)
		if err != nil {
			panic(err)
		}
		if want := p.Decide(&d); res.Ret != want {
			if n == 0 {
				first = fmt.Sprintf("arch %#x nr %#x args %#x: program %v, policy %v", d.Arch, uint32(d.Nr), d.Args, res.Ret, want)
			}
			n++
		}
	}
	for _, abi := range []*tables.ABI{tables.X86_64, tables.I386, tables.X32} {
		last := abi.At(abi.Len() - 1).Nr
		for nr := abi.NrBit; nr <= last+1; nr++ {
			for _, args := range argProbes(p, abi, nr) {
				check(filter.SeccompData{Nr: int32(nr), Arch: abi.Audit, Args: args}, abi.ByteOrder())
			}
		}
	}
	le := binary.LittleEndian
	check(filter.SeccompData{Nr: 0, Arch: tables.X86_64.Audit ^ 0x1}, le)
	for _, nr := range []uint32{0x80000000, 0xffffffff, 0x40000000 | 0x80000000, 0x3fffffff} {
		check(filter.SeccompData{Nr: int32(nr), Arch: tables.X86_64.Audit}, le)
		check(filter.SeccompData{Nr: int32(nr), Arch: tables.I386.Audit}, le)
	}
	return n, tried, first
}

// argProbes returns the argument vectors worth trying for call nr of abi:
// zero, and for every condition of its rules the values around the
// constant, with the high word set or not.
func argProbes(p *Policy, abi *tables.ABI, nr uint32) [][6]uint64 {
	out := [][6]uint64{{}}
	name, ok := abi.SyscallName(nr)
	if !ok {
		return out
	}
	for _, r := range p.Rules {
		if r.Name != name {
			continue
		}
		for _, c := range r.Args {
			vals := []uint64{c.Value, c.Value - 1, c.Value + 1, c.Value | 1<<32, math.MaxUint64, c.Value ^ c.Mask, c.Mask, c.Value | ^c.Mask}
			for _, v := range vals {
				if abi.WordSize == 4 {
					v = uint64(uint32(v))
				}
				var args [6]uint64
				args[c.Arg] = v
				out = append(out, args)
				// The other conditions of the rule met, where one value does.
				for _, o := range r.Args {
					if o.Arg != c.Arg && (o.Op == Eq || o.Op == MaskedEq) {
						args[o.Arg] = o.Value
					}
				}
				out = append(out, args)
			}
		}
	}
	return out
}

// floorMean is the mean instructions run over x86_64 numbers 0..471 of
// the cheapest program of the plain shape: load and check the arch (2),
// load the number (1), a search over the runs of numbers with equal
// decisions, return (1). The search is the best alphabetic binary tree
// over the runs, each weighted by how many of the measured numbers it
// holds (the runs past them, up to x32's numbers and those with bit 31
// set, weigh nothing but must still be told apart); comparisons are
// "nr >= k".
// Decisions that depend on arguments count as one decision.
func floorMean(p *Policy) float64 {
	abi := tables.X86_64
	type run struct {
		w   int
		key string
	}
	var runs []run
	add := func(key string, w int) {
		if len(runs) > 0 && runs[len(runs)-1].key == key {
			runs[len(runs)-1].w += w
			return
		}
		runs = append(runs, run{w, key})
	}
	for nr := uint32(0); nr <= abi.At(abi.Len()-1).Nr+1; nr++ {
		w := 0
		if nr < measuredNrs {
			w = 1
		}
		add(decisionKey(p, abi, nr), w)
	}
	// The rest of the number space, which the search must tell apart too
	// but the mean does not measure: x32 numbers and those with bit 31.
	if p.covers(tables.X32) {
		x32 := tables.X32
		for nr := x32.NrBit; nr <= x32.At(x32.Len()-1).Nr+1; nr++ {
			add("x32 "+decisionKey(p, x32, nr), 0)
		}
	} else {
		add("x32 not covered", 0)
	}
	add(fmt.Sprint(p.Default), 0) // 0x80000000 and up: unknown numbers
	w := make([]int, len(runs))
	for i, r := range runs {
		w[i] = r.w
	}
	return 4 + float64(optimalAlphabetic(w))/measuredNrs
}

// decisionKey names what p does with call nr of abi.
func decisionKey(p *Policy, abi *tables.ABI, nr uint32) string {
	name, ok := abi.SyscallName(nr)
	if !ok {
		return fmt.Sprint(p.Default)
	}
	var key string
	for _, r := range p.Rules {
		if r.Name == name {
			key += fmt.Sprint(r.Action, r.Args, ";")
		}
	}
	if key == "" {
		return fmt.Sprint(p.Default)
	}
	if !slices.ContainsFunc(p.Rules, func(r Rule) bool { return r.Name == name && len(r.Args) == 0 }) {
		key += fmt.Sprint(p.Default)
	}
	return key
}

// optimalAlphabetic returns the least total weighted depth of a binary
// search tree whose leaves, in order, have weights w (Knuth's O(n²)
// dynamic program for optimal alphabetic trees).
func optimalAlphabetic(w []int) int {
	n := len(w)
	pre := make([]int, n+1)
	for i, x := range w {
		pre[i+1] = pre[i] + x
	}
	cost := make([][]int, n)
	root := make([][]int, n)
	for i := range cost {
		cost[i] = make([]int, n)
		root[i] = make([]int, n)
		root[i][i] = i
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			best, arg := math.MaxInt, 0
			lo, hi := max(root[i][j-1], i+1), min(root[i+1][j]+1, j)
			if length == 2 {
				lo, hi = i+1, j
			}
			for k := lo; k <= hi; k++ { // left i..k-1, right k..j
				c := cost[i][k-1] + cost[k][j]
				if c < best {
					best, arg = c, k
				}
			}
			cost[i][j] = best + pre[j+1] - pre[i]
			root[i][j] = arg
		}
	}
	return cost[0][n-1]
}
