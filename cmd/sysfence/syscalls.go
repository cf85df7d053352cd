package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

func init() {
	register(command{
		name:    "syscalls",
		summary: "resolve syscall names and numbers, or print an ABI's table",
		run:     runSyscalls,
	})
}

const syscallsSynopsis = `[--arch ABI|all] [NAME|NUMBER ...]

With names or numbers, print the number of each name and the name of each
number on the ABI, one a line. With none, print the ABI's whole table as
CSV (arch,name,nr). --arch all covers every ABI and prints CSV rows.`

func runSyscalls(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("syscalls", syscallsSynopsis, stderr)
	arch := fs.String("arch", "", "ABI to use (default: the native ABI; \"all\" for every ABI)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	abis, err := archList(*arch)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stdout, "arch,name,nr")
		for _, abi := range abis {
			for i := range abi.Len() {
				s := abi.At(i)
				fmt.Fprintf(stdout, "%s,%s,%d\n", abi.Name, s.Name, s.Nr)
			}
		}
		return nil
	}
	var errs []error
	for _, arg := range fs.Args() {
		if err := resolve(stdout, abis, arg, len(abis) > 1); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// archList returns the ABIs --arch names: one, every one for "all", or the
// native ABI when empty.
func archList(arch string) ([]*tables.ABI, error) {
	if arch == "all" {
		return tables.All(), nil
	}
	abi, err := abiFlag(arch)
	if err != nil {
		return nil, err
	}
	return []*tables.ABI{abi}, nil
}

// abiFlag resolves the value of an --arch flag. Empty means the native ABI
// of GOARCH, on any OS: a filter for Linux can be inspected elsewhere.
func abiFlag(arch string) (*tables.ABI, error) {
	if arch == "" {
		for _, abi := range tables.All() {
			if slices.Contains(abi.GOARCH, runtime.GOARCH) {
				return abi, nil
			}
		}
		return nil, usageError{fmt.Errorf("no ABI is native to GOARCH %s; name one with --arch", runtime.GOARCH)}
	}
	abi, ok := tables.Lookup(arch)
	if !ok {
		return nil, usageError{&tables.UnknownABIError{Name: arch}}
	}
	return abi, nil
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
		return fmt.Errorf("no syscall number %s on %s", arg, where)
	}
	return unknownName(arg, where)
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
		return fmt.Errorf("syscall %q does not exist on %s (it does on %s)", name, where, strings.Join(on, ", "))
	}
	msg := fmt.Sprintf("unknown syscall %q on %s", name, where)
	if near := tables.Suggest(name, 3); len(near) > 0 {
		msg += " (nearest: " + strings.Join(near, ", ") + ")"
	}
	return errors.New(msg)
}
