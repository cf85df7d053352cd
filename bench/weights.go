package main

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// The recorded workload: the calls of a shell pipeline (find, sort,
// xargs, gzip, wc) as
//
//	sysfence learn --names-only --counts testdata/workload.counts -o testdata/workload.allow -- \
//		bash -c 'find /usr/share/doc -name "*.gz" | sort | head -n 200 | xargs -n 20 gzip -dc | wc -l'
//
// recorded them: its learned allowlist and how often it made each call.
var (
	//go:embed testdata/workload.counts
	workloadCounts string
	//go:embed testdata/workload.allow
	workloadAllow string
)

// parseCounts reads NAME COUNT lines, skipping # comments and other
// ABIs' calls (ABI:NAME).
func parseCounts(text string) (map[string]uint64, error) {
	counts := make(map[string]uint64)
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.Contains(f[0], ":") {
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("counts: %q: want NAME COUNT", line)
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("counts: %q: %v", line, err)
		}
		counts[f[0]] = n
	}
	return counts, nil
}

// weightsTable measures what weights from real use do: each policy's
// *mix* with the default weights and with serverMix's counts as
// Policy.Weights, and the recorded workload's mean under its own learned
// allowlist, with the default weights and with its counts. Both in the
// same run, through the same simulator as every other table.
func weightsTable(w io.Writer, policies []*Policy) error {
	mix := make(map[string]uint64)
	for _, m := range serverMix {
		mix[m.name] = uint64(m.weight)
	}
	counts, err := parseCounts(workloadCounts)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "### Weights from real use: mean instructions run for a workload's calls, default weights against the workload's own")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "sysfence compiles each policy with the default weights of its search and with the workload's call counts as Policy.Weights (compile --weights): *mix* is the server mix above; the recorded pipeline's counts and allowlist are testdata/workload.*, from sysfence learn --counts. The decisions are checked to be the same.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| policy | workload | default weights | own weights | length default | length own |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|")
	row := func(p *Policy, workload string, weights map[string]uint64) error {
		var means [2]float64
		var lens [2]int
		for i, ws := range []map[string]uint64{nil, weights} {
			compile, _, err := prepareWeighted(p, ws)
			if err != nil {
				return err
			}
			prog, err := compile()
			if err != nil {
				return fmt.Errorf("%s: %w", p.Name, err)
			}
			if d, n, first := diffs(prog, p); d > 0 {
				return fmt.Errorf("%s with weights: %d of %d decisions differ from the policy, first %s", p.Name, d, n, first)
			}
			var sum, total uint64
			for name, n := range weights {
				nr, ok := tables.X86_64.Number(name)
				if !ok {
					continue
				}
				sum += n * uint64(steps(prog, tables.X86_64, nr, [6]uint64{}))
				total += n
			}
			means[i], lens[i] = float64(sum)/float64(total), len(prog)
		}
		fmt.Fprintf(w, "| %s | %s | %.2f | %.2f | %d | %d |\n", p.Name, workload, means[0], means[1], lens[0], lens[1])
		return nil
	}
	for _, p := range policies {
		if err := row(p, "*mix*", mix); err != nil {
			return err
		}
	}
	learned := allowlistPolicy("learned allowlist (recorded)", strings.Split(strings.TrimSpace(workloadAllow), ","))
	if err := row(learned, "recorded pipeline", counts); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return nil
}
