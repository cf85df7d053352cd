package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

var syscallsCommand = &command{
	name:         "syscalls",
	summary:      "resolve system-call names and numbers, or print an ABI's table",
	interspersed: true,
	usage: `[--arch ABI|all] [NAME|NUMBER ...]
       sysfence syscalls [--arch ABI|all] --group @GROUP
       sysfence syscalls --groups

With names or numbers, print the number of each name and the name of each
number on the ABI, one a line. With --arch all, or with no names or
numbers, print CSV instead: a header line "arch,name,nr", then a row for
each call (of every ABI with --arch all; of the whole table with no
names). A name or number no ABI asked about knows fails the command
(exit status 1), after the others are printed.

--group prints the calls of a syscall group on the ABI, one a line
(as CSV with --arch all). A group stands for the calls of one purpose
that the ABI has, so @file-system has stat64 on x86 and not on aarch64;
@known is the whole table. --allow and --deny take groups as they take
names: --allow @basic-io,@file-system,read. --groups lists the groups.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", "to look up, or all for every ABI (default "+nativeName()+")")
		group := fs.String("group", "", "print the calls of syscall group `@GROUP` on the ABI")
		list := fs.Bool("groups", false, "list the syscall groups")
		return func(inv *invocation) error {
			abis, err := archList(inv, *arch)
			if err != nil {
				return err
			}
			if *list || *group != "" {
				if len(inv.args) > 0 || (*list && *group != "") {
					return usagef("--group and --groups take no names or numbers, and not each other")
				}
				if *list {
					for _, g := range seccomp.Groups() {
						summary, _ := seccomp.GroupSummary(g)
						fmt.Fprintf(inv.stdout, "%-16s %s\n", g, summary)
					}
					return nil
				}
				return printGroup(inv.stdout, abis, *group)
			}
			csv := len(abis) > 1 || len(inv.args) == 0
			if csv {
				fmt.Fprintln(inv.stdout, "arch,name,nr")
			}
			if len(inv.args) == 0 {
				for _, abi := range abis {
					for _, s := range abi.Syscalls() {
						fmt.Fprintf(inv.stdout, "%s,%s,%d\n", abi.Name, s.Name, s.Nr)
					}
				}
				return nil
			}
			var errs []error
			for _, arg := range inv.args {
				if err := resolve(inv.stdout, abis, arg, csv); err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		}
	},
}

// archList returns the ABIs --arch names: one, every one for "all", or the
// native ABI when empty.
func archList(inv *invocation, arch string) ([]*tables.ABI, error) {
	if arch == "all" {
		return tables.All(), nil
	}
	abi, err := lookupABI(inv, "arch", arch)
	if err != nil {
		return nil, err
	}
	return []*tables.ABI{abi}, nil
}

// resolve prints the number of a name or the name of a number. With csv it
// prints arch,name,nr rows, one for each ABI that knows the call.
func resolve(w io.Writer, abis []*tables.ABI, arg string, csv bool) error {
	nr, numErr := strconv.ParseUint(arg, 0, 32)
	found := false
	for _, abi := range abis {
		name, n := arg, uint32(nr)
		var ok bool
		if numErr == nil {
			name, ok = abi.SyscallName(n)
		} else {
			n, ok = abi.Number(arg)
		}
		if !ok {
			continue
		}
		found = true
		switch {
		case csv:
			fmt.Fprintf(w, "%s,%s,%d\n", abi.Name, name, n)
		case numErr == nil:
			fmt.Fprintln(w, name)
		default:
			fmt.Fprintln(w, n)
		}
	}
	if found {
		return nil
	}
	where := abis[0].Name
	if len(abis) > 1 {
		where = "any ABI"
	}
	if numErr == nil {
		return fmt.Errorf("no system call number %s on %s%s", arg, where, nrBitHint(abis, uint32(nr)))
	}
	return unknownName(arg, where)
}

// nrBitHint explains a number without the bit every number of an ABI
// carries (x32's 0x40000000): it names the call the number with the bit
// is, on the first such ABI of abis.
func nrBitHint(abis []*tables.ABI, nr uint32) string {
	for _, abi := range abis {
		if abi.NrBit == 0 || nr&abi.NrBit != 0 {
			continue
		}
		if name, ok := abi.SyscallName(nr | abi.NrBit); ok {
			return fmt.Sprintf(" (%s numbers carry the bit %#x: %d, %#x, is %s)", abi.Name, abi.NrBit, nr|abi.NrBit, nr|abi.NrBit, name)
		}
		return fmt.Sprintf(" (%s numbers carry the bit %#x)", abi.Name, abi.NrBit)
	}
	return ""
}

// unknownName explains a name that an ABI (or every ABI) does not know:
// which ABIs do, or else the nearest known names.
func unknownName(name, where string) error {
	var on []string
	for _, abi := range tables.All() {
		if _, ok := abi.Number(name); ok {
			on = append(on, abi.Name)
		}
	}
	if len(on) > 0 {
		return fmt.Errorf("system call %q does not exist on %s (it does on %s)", name, where, strings.Join(on, ", "))
	}
	return fmt.Errorf("unknown system call %q on %s%s", name, where, suggestion(tables.Suggest(name, 3)))
}

// printGroup prints the calls of group on each of abis: names one a line
// for one ABI, arch,name,nr rows for several.
func printGroup(w io.Writer, abis []*tables.ABI, group string) error {
	if !seccomp.IsGroup(group) {
		group = "@" + group
	}
	if len(abis) > 1 {
		fmt.Fprintln(w, "arch,name,nr")
	}
	for _, abi := range abis {
		names, err := seccomp.Group(group, abi)
		if err != nil {
			return usagef("--group %s: %s", group, message(err))
		}
		for _, n := range names {
			if len(abis) > 1 {
				nr, _ := abi.Number(n)
				fmt.Fprintf(w, "%s,%s,%d\n", abi.Name, n, nr)
			} else {
				fmt.Fprintln(w, n)
			}
		}
	}
	return nil
}
