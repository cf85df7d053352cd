package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// targets prints where this module's default output stands against the
// targets of the issue that asked for this benchmark.
func targets(w io.Writer, all []Result, steps, times []series) {
	find := func(contender, policy string) *Result {
		for i := range all {
			if all[i].Contender == contender && strings.HasPrefix(all[i].Policy, policy) && all[i].Err == nil {
				return &all[i]
			}
		}
		return nil
	}
	type target struct {
		what string
		got  string
		ok   bool
	}
	var ts []target
	add := func(what string, got string, ok bool) { ts = append(ts, target{what, got, ok}) }
	if d := find("sysfence", "Docker"); d != nil {
		add("Docker: length ≤ 350", fmt.Sprint(d.Len), d.Len <= 350)
		add("Docker: longest path ≤ 40", fmt.Sprint(d.Longest), d.Longest <= 40 && d.Complete)
		if g := find("gVisor", "Docker"); g != nil {
			for _, pr := range dockerProbes {
				add("Docker: "+pr.label+" ≤ gVisor", fmt.Sprintf("%d (gVisor %d)", d.Probe[pr.label], g.Probe[pr.label]), d.Probe[pr.label] <= g.Probe[pr.label])
			}
		}
		add("Docker: mean ≤ 9.5", fmt.Sprintf("%.2f", d.Mean), d.Mean <= 9.5)
		add("Docker: Policy.Compile ≤ 100 µs", fmtDur(d.Compile), d.Compile <= 100*time.Microsecond)
		add("Docker: ≤ 500 allocations", fmt.Sprintf("%.0f", d.Allocs), d.Allocs <= 500)
		add("Docker: 0 decision diffs", fmt.Sprint(d.Diffs), d.Diffs == 0)
	}
	if d := find("sysfence", "sandbox"); d != nil {
		add("denylist: mean ≤ 7.5", fmt.Sprintf("%.2f", d.Mean), d.Mean <= 7.5)
	}
	if d := find("sysfence", "allowlist (60)"); d != nil {
		add("60-call allowlist: mean ≤ 8.8", fmt.Sprintf("%.2f", d.Mean), d.Mean <= 8.8)
	}
	if d := find("sysfence", "allowlist (10)"); d != nil {
		add("10-call allowlist: length ≤ 26", fmt.Sprint(d.Len), d.Len <= 26)
		add("10-call allowlist: longest ≤ 10", fmt.Sprint(d.Longest), d.Longest <= 10)
	}
	var floor, ours, compile []float64
	for _, s := range times {
		if s.name == "sysfence" {
			compile = s.y
		}
	}
	for _, s := range steps {
		switch s.name {
		case "floor":
			floor = s.y
		case "sysfence":
			ours = s.y
		}
	}
	if ours != nil {
		worst, at := math.Inf(-1), 0
		for i := range ours {
			if d := ours[i] - floor[i]; d > worst {
				worst, at = d, sweepSizes[i]
			}
		}
		add("sweep: mean within 0.8 of the floor at every N", fmt.Sprintf("worst +%.2f at N=%d", worst, at), worst <= 0.8)
	}
	if compile != nil {
		// t(N) ≤ t(8)·(N log N)/(8 log 8) at every N.
		worst, at := 0.0, 0
		base := compile[0] / (8 * 3)
		for i, n := range sweepSizes {
			r := compile[i] / (float64(n) * math.Log2(float64(n))) / base
			if r > worst {
				worst, at = r, n
			}
		}
		add("sweep: compile time no worse than N log N", fmt.Sprintf("t/(N log N) at most %.2f× that of N=8 (N=%d)", worst, at), worst <= 1)
	}
	fmt.Fprintln(w, "### Targets (this module's default output)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|--:|:-:|")
	for _, t := range ts {
		mark := "no"
		if t.ok {
			mark = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.what, t.got, mark)
	}
	fmt.Fprintln(w)
}
