package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// count records one call of name on abi.
func (l *learned) count(abi *tables.ABI, name string) {
	if l.counts == nil {
		l.counts = make(map[*tables.ABI]map[string]uint64)
	}
	if l.counts[abi] == nil {
		l.counts[abi] = make(map[string]uint64)
	}
	l.counts[abi][name]++
}

// countsText writes the counts as readWeights reads them: NAME COUNT a
// line, the native ABI's in order of name, then each other ABI's as
// ABI:NAME.
func (l *learned) countsText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# system calls made, by name (learn --counts; compile --weights reads it)\n")
	abis := []*tables.ABI{l.native}
	for abi := range l.counts {
		if abi != l.native {
			abis = append(abis, abi)
		}
	}
	slices.SortFunc(abis[1:], func(a, b *tables.ABI) int { return strings.Compare(a.Name, b.Name) })
	for i, abi := range abis {
		prefix := ""
		if i > 0 {
			prefix = abi.Name + ":"
		}
		names := make([]string, 0, len(l.counts[abi]))
		for n := range l.counts[abi] {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			fmt.Fprintf(&b, "%s%s %d\n", prefix, n, l.counts[abi][n])
		}
	}
	return b.String()
}

// readWeights reads the counts of file ("" for none): NAME COUNT a line,
// blank lines and # comments ignored; lines for another ABI (ABI:NAME)
// are skipped, since a program covers the native ABI's calls.
func readWeights(file string) (map[string]uint64, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, runtimeError{err}
	}
	w := make(map[string]uint64)
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("--weights %s: line %d", file, i+1)
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, usagef("%s: %q: want NAME COUNT", where, line)
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return nil, usagef("%s: count %q is not a number", where, f[1])
		}
		if strings.Contains(f[0], ":") {
			continue
		}
		if !tables.Known(f[0]) {
			return nil, fmt.Errorf("%s: %w", where, unknownName(f[0], "any ABI"))
		}
		w[f[0]] += n
	}
	return w, nil
}
