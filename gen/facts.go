package main

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Neither golang.org/x/sys nor a derivation gives the tables of m68k, sh
// and parisc: Go has no port to them. Their numbers are facts read once
// from Debian's uapi headers (linux-libc-dev-<arch>-cross, Linux 6.1) and
// kept in gen/facts, so that "go generate" stays offline and gives the
// same bytes on every machine. TestFactsMatchDebianHeaders compares each
// file with the headers it came from and, run with -update, rewrites it
// from them; "go run ./gen -linux DIR" reads a newer Linux instead.
//
// A file holds, one a line ('#' starts a comment):
//
//	kernel <Linux version the numbers reflect>
//	source <where they were read>
//	syscall <number> <name>
//	errno <number> <name>

//go:embed facts/*.txt
var factsFiles embed.FS

// readFacts reads the table of t from gen/facts/<t.facts>.txt.
func readFacts(t *target) (*table, error) {
	name := "facts/" + t.facts + ".txt"
	data, err := factsFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	tab, err := parseFacts(data, t)
	if err != nil {
		return nil, fmt.Errorf("gen/%s%w", name, err)
	}
	return tab, nil
}

// parseFacts reads a facts file; its errors start with ":<line>: ".
func parseFacts(data []byte, t *target) (*table, error) {
	tab := &table{t: t}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		bad := func(want string) error {
			return fmt.Errorf(":%d: want %q, have %q", line, want, strings.TrimSpace(text))
		}
		switch f[0] {
		case "kernel", "source":
			if len(f) < 2 {
				return nil, bad(f[0] + " <text>")
			}
			value := strings.Join(f[1:], " ")
			if f[0] == "kernel" {
				tab.kernel = value
			} else {
				tab.source = value
			}
		case "syscall":
			n, err := strconv.ParseUint(fieldAt(f, 1), 10, 32)
			if err != nil || len(f) != 3 || !isSyscallName(f[2]) {
				return nil, bad("syscall <number> <name>")
			}
			tab.syscalls = append(tab.syscalls, entry{f[2], uint32(n)})
		case "errno":
			n, err := strconv.ParseUint(fieldAt(f, 1), 10, 16)
			if err != nil || n == 0 || len(f) != 3 || !isErrnoName(f[2]) {
				return nil, bad("errno <number> <name>")
			}
			tab.errnos = append(tab.errnos, errnoEntry{f[2], uint16(n)})
		default:
			return nil, bad("kernel, source, syscall or errno line")
		}
	}
	switch {
	case tab.kernel == "" || tab.source == "":
		return nil, fmt.Errorf(": no kernel or source line")
	case len(tab.syscalls) == 0 || len(tab.errnos) == 0:
		return nil, fmt.Errorf(": no syscall or errno lines")
	}
	return tab, nil
}

func fieldAt(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// formatFacts writes tab as a facts file, headed by comment lines.
func formatFacts(tab *table, comment []string) []byte {
	var b bytes.Buffer
	for _, c := range comment {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	fmt.Fprintf(&b, "kernel %s\nsource %s\n", tab.kernel, tab.source)
	for _, e := range tab.syscalls {
		fmt.Fprintf(&b, "syscall %d %s\n", e.nr, e.name)
	}
	for _, e := range tab.errnos {
		fmt.Fprintf(&b, "errno %d %s\n", e.num, e.name)
	}
	return b.Bytes()
}

// removedSince are the calls of gen/facts that a later kernel took from an
// ABI: Linux commit da3680f564bd ("parisc: _llseek syscall is only
// available for 32-bit userspace") made _llseek (140) "32" in
// arch/parisc/kernel/syscalls/syscall.tbl.
var removedSince = map[string][]string{
	"parisc64": {"_llseek"},
}

// addGenericTail adds to a table read from gen/facts the system calls
// newer than its facts that every table read from golang.org/x/sys
// numbers alike (relative to its base): since Linux 5.1 a new call takes
// one number on every architecture (Documentation/process/adding-syscalls.rst),
// and the few that an architecture does not wire up (clone3 on sh,
// memfd_secret on most) are missing from some x/sys table and so left
// out. The table then reflects x/sys's kernel, less removedSince.
func addGenericTail(tab *table, xsysTables []*table) {
	var last uint32
	for _, e := range tab.syscalls {
		last = max(last, e.nr)
	}
	var refs []*table
	for _, x := range xsysTables {
		if x.t.xsys != "" {
			refs = append(refs, x)
		}
	}
	if len(refs) == 0 {
		return
	}
	count := map[entry]int{}
	for _, x := range refs {
		for _, e := range x.syscalls {
			if off := e.nr - x.t.base; e.nr >= x.t.base && off > last && off >= genericStart {
				count[entry{e.name, off}]++
			}
		}
	}
	var tail []entry
	for e, n := range count {
		if n == len(refs) {
			tail = append(tail, e)
		}
	}
	if len(tail) == 0 {
		return
	}
	tab.syscalls = slices.DeleteFunc(tab.syscalls, func(e entry) bool {
		return slices.Contains(removedSince[tab.t.name], e.name)
	})
	tab.syscalls = append(tab.syscalls, tail...) // normalize sorts them
	tab.kernel = refs[0].kernel
	tab.source += fmt.Sprintf(", and from %d on the calls every %s table numbers alike", last+1, refs[0].source)
}
