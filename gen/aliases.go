package main

import (
	"bufio"
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// aliasesFile lists the aliases the uapi headers define, per ABI, for the
// tables gen reads from x/sys (see aliases.txt).
//
//go:embed aliases.txt
var aliasesFile []byte

// fileAliases returns the aliases aliases.txt lists for the ABI abi.
func fileAliases(abi string) ([]alias, error) {
	var out []alias
	sc := bufio.NewScanner(bytes.NewReader(aliasesFile))
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		switch {
		case len(f) == 0:
			continue
		case len(f) != 3 || !isSyscallName(f[1]) || !isSyscallName(f[2]) || targetIndex(f[0]) < 0:
			return nil, fmt.Errorf("aliases.txt:%d: want \"<ABI> <alias> <call>\", have %q", line, strings.TrimSpace(text))
		case f[0] == abi:
			out = append(out, alias{name: f[1], call: f[2]})
		}
	}
	return out, sc.Err()
}

// resolveAliases numbers the aliases by the calls they name, which
// syscalls must hold, directly or through another alias. It returns them
// sorted by name.
func resolveAliases(syscalls []entry, aliases []alias) ([]entry, error) {
	nr := make(map[string]uint32, len(syscalls))
	for _, e := range syscalls {
		nr[e.name] = e.nr
	}
	calls := make(map[string]string, len(aliases))
	for _, a := range aliases {
		calls[a.name] = a.call
	}
	var out []entry
	for _, a := range aliases {
		call := a.call
		for range len(aliases) {
			next, ok := calls[call]
			if !ok {
				break
			}
			call = next
		}
		n, ok := nr[call]
		if !ok {
			return nil, fmt.Errorf("alias %s names %s, which is no system call of the table", a.name, a.call)
		}
		if _, ok := nr[a.name]; ok {
			return nil, fmt.Errorf("alias %s is also a system call of its own", a.name)
		}
		out = append(out, entry{a.name, n})
	}
	slices.SortFunc(out, func(a, b entry) int { return cmp.Compare(a.name, b.name) })
	for i := 1; i < len(out); i++ {
		if out[i].name == out[i-1].name {
			return nil, fmt.Errorf("alias %s is defined twice", out[i].name)
		}
	}
	return out, nil
}
