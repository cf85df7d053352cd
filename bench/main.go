// Command bench measures this module's policy compiler against
// libseccomp (through cgo), gVisor's pkg/seccomp and
// elastic/go-seccomp-bpf on the same policies, with one measurement code
// path for every program. It prints Markdown tables and writes a plot of
// the allowlist sweep.
//
// Run it from the repository root with
//
//	go run -C bench .
//
// as root for the kernel measurements (-kernel=false skips them). It
// writes no file unless asked: -svg PATH writes the plot there (a relative
// PATH is relative to bench/ under -C bench). README.md says how the
// committed tables and plot are refreshed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if js := os.Getenv(envChild); js != "" {
		if err := kernelChild(js); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	kernel := fs.Bool("kernel", true, "measure on the real kernel (needs seccomp; runs child processes)")
	svg := fs.String("svg", "", "write the sweep plot to this `file` (default: no plot)")
	runs := fs.Int("runs", 9, "compiles per measurement, at least (more while they take under 200 ms)")
	only := fs.String("only", "", "measure only contenders whose name contains this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cs := contenders
	if *only != "" {
		cs = nil
		for _, c := range contenders {
			if strings.Contains(c.Name, *only) {
				cs = append(cs, c)
			}
		}
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	header(w, *runs)

	docker, err := dockerPolicy()
	if err != nil {
		return err
	}
	type named struct {
		p      *Policy
		probes []namedProbe
	}
	var all []Result
	var dockerResults []Result
	policies := []named{
		{denylistPolicy(), nil},
		{docker, dockerProbes},
		{allowlistPolicy("allowlist (60)", serverAllowlist), nil},
		{allowlistPolicy("allowlist (10)", tinyAllowlist), nil},
	}
	for _, np := range policies {
		var rs []Result
		for _, c := range cs {
			rs = append(rs, measure(c, np.p, np.probes, *runs))
		}
		policyTable(w, np.p, rs, np.probes)
		all = append(all, rs...)
		if np.p == docker {
			dockerResults = rs
		}
	}
	if slices.ContainsFunc(cs, func(c Contender) bool { return c.Name == "sysfence" }) {
		var ps []*Policy
		for _, np := range policies {
			ps = append(ps, np.p)
		}
		if err := weightsTable(w, ps); err != nil {
			return err
		}
	}
	steps, compile := sweep(w, cs, *runs)
	if *svg != "" {
		f, err := os.Create(*svg)
		if err != nil {
			return err
		}
		if err := writeSVG(f, sweepSizes, steps, compile); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *kernel {
		kernelTable(w, dockerResults)
	}
	targets(w, all, steps, compile)
	return nil
}

// header says when, where and with what the numbers were measured.
func header(w io.Writer, runs int) {
	var u unix.Utsname
	unix.Uname(&u)
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	fmt.Fprintf(w, "Measured %s on %s (%d CPUs), Linux %s, %s.\n", time.Now().UTC().Format("2006-01-02"), cpu, runtime.NumCPU(), unix.ByteSliceToString(u.Release[:]), runtime.Version())
	var vers []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "gvisor.dev/gvisor", "github.com/elastic/go-seccomp-bpf", "github.com/moby/profiles/seccomp":
				vers = append(vers, d.Path+" "+d.Version)
			}
		}
	}
	vers = append(vers, "libseccomp "+libseccompVersion()+" (cgo)")
	fmt.Fprintf(w, "Contenders: %s.\n\n", strings.Join(vers, ", "))
	fmt.Fprintf(w, "Instructions run are counted by this module's simulator (filter.Run) for x86_64 calls with all arguments zero; *mean* and *max* over the numbers 0..471, *mix* weighted by the calls a server makes most; *longest* is the longest path any input can take; *cached* counts the x86_64 calls the kernel's action cache allows without running the filter, of those the policy allows whatever the arguments; *diffs* counts inputs (every number of the x86_64, i386 and x32 tables, foreign arches, negative numbers, argument values around every constant) whose decision differs from the policy. Compile time is the median CPU time of the compiling thread over at least %d compiles from the contender's own policy types (time.Now would count the other load of a shared machine); allocations count the Go heap only (libseccomp allocates in C).\n", runs)
	fmt.Fprintln(w)
}

func policyTable(w io.Writer, p *Policy, rs []Result, probes []namedProbe) {
	abis := make([]string, len(p.ABIs))
	for i, a := range p.ABIs {
		abis[i] = a.Name
	}
	fmt.Fprintf(w, "### %s: %d rules, %s (floor of the mean: %.2f)\n\n", p.Name, len(p.Rules), strings.Join(abis, " + "), floorMean(p))
	fmt.Fprint(w, "| contender | length | mean | max | mix | longest |")
	for _, pr := range probes {
		fmt.Fprintf(w, " %s |", pr.label)
	}
	fmt.Fprintln(w, " cached | diffs | compile | allocs |")
	fmt.Fprint(w, "|---|--:|--:|--:|--:|--:|")
	for range probes {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w, "--:|--:|--:|--:|")
	var notes []string
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | error: %v |\n", r.Contender, strings.ReplaceAll(r.Err.Error(), "\n", " "))
			continue
		}
		longest := fmt.Sprint(r.Longest)
		if !r.Complete {
			longest = "≥" + longest
		}
		name := r.Contender
		if r.Note != "" {
			notes = append(notes, r.Note)
			name += fmt.Sprintf(" [%d]", len(notes))
		}
		fmt.Fprintf(w, "| %s | %d | %.2f | %d | %.2f | %s |", name, r.Len, r.Mean, r.Max, r.Mix, longest)
		for _, pr := range probes {
			fmt.Fprintf(w, " %d |", r.Probe[pr.label])
		}
		fmt.Fprintf(w, " %d/%d | %d/%d | %s | %.0f |\n", r.Cached, r.CacheWant, r.Diffs, r.Probes, fmtDur(r.Compile), r.Allocs)
	}
	fmt.Fprintln(w)
	for i, n := range notes {
		fmt.Fprintf(w, "[%d] %s  \n", i+1, n)
	}
	for _, r := range rs {
		if r.Diffs > 0 {
			fmt.Fprintf(w, "%s, first diff: %s  \n", r.Contender, r.FirstDiff)
		}
	}
	fmt.Fprintln(w)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}

// sweep measures allowlists of growing N and prints mean instructions
// and compile times with the floor.
func sweep(w io.Writer, cs []Contender, runs int) (steps, compile []series) {
	floor := series{name: "floor", color: palette["floor"], dashed: true}
	for _, c := range cs {
		steps = append(steps, series{name: c.Name, color: palette[c.Name]})
		compile = append(compile, series{name: c.Name, color: palette[c.Name]})
	}
	results := make([][]Result, len(sweepSizes))
	for i, n := range sweepSizes {
		p := randomAllowlist(n)
		floor.y = append(floor.y, floorMean(p))
		for j, c := range cs {
			r := measure(c, p, nil, runs)
			results[i] = append(results[i], r)
			y, t := math.NaN(), math.NaN()
			if r.Err == nil {
				y, t = r.Mean, float64(r.Compile)/1e3
			}
			steps[j].y = append(steps[j].y, y)
			compile[j].y = append(compile[j].y, t)
		}
	}
	fmt.Fprintf(w, "### Allowlists of N random x86_64 calls (seed %d): mean instructions run / length / compile time\n\n", sweepSeed)
	fmt.Fprint(w, "| N | floor |")
	for _, c := range cs {
		fmt.Fprintf(w, " %s |", c.Name)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "|--:|--:|")
	for range cs {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w)
	for i, n := range sweepSizes {
		fmt.Fprintf(w, "| %d | %.2f |", n, floor.y[i])
		for _, r := range results[i] {
			if r.Err != nil {
				fmt.Fprint(w, " error |")
				continue
			}
			diff := ""
			if r.Diffs > 0 {
				diff = fmt.Sprintf(", %d diffs", r.Diffs)
			}
			fmt.Fprintf(w, " %.2f / %d / %s%s |", r.Mean, r.Len, fmtDur(r.Compile), diff)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	return append([]series{floor}, steps...), compile
}

// kernelTable measures the Docker programs on the real kernel.
func kernelTable(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "### Docker default on the kernel: time of a call under the filter / without one, same child")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| program |")
	for _, kc := range kernelCases {
		fmt.Fprintf(w, " %s |", kc.label)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "|---|")
	for range kernelCases {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w)
	row := func(name string, prog []byte, r *Result) {
		fmt.Fprintf(w, "| %s |", name)
		for _, kc := range kernelCases {
			var ratio float64
			var err error
			if r != nil {
				ratio, err = kernelRatio(r.prog, kc)
			} else {
				ratio, err = kernelRatio(nil, kc)
			}
			if err != nil {
				fmt.Fprintf(w, " error: %v |", err)
				continue
			}
			fmt.Fprintf(w, " %.2f |", ratio)
		}
		fmt.Fprintln(w)
	}
	row("none (the cache-defeating filter alone, where used)", nil, nil)
	for i := range rs {
		if rs[i].Err == nil {
			row(rs[i].Contender, nil, &rs[i])
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The cache is defeated by installing, before the program, a two-instruction filter that loads an argument: the first row is its own cost.")
	fmt.Fprintln(w)
}
