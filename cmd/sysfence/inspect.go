package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// The commands that read a program (disasm, stats, simulate) take FILE,
// raw struct sock_filter records ("-" for standard input), and find its
// byte order and ABIs in its check of seccomp_data.arch; --arch, when
// given, must be one of them.
const inspectHelp = `FILE holds raw struct sock_filter records, as compile and bwrap --seccomp
use them ("-" reads standard input); at most 4096 instructions are read.
The byte order and the ABIs come from the program's check of
seccomp_data.arch (x86_64 and x32, which share one AUDIT_ARCH value, by
which of them the program decides); --arch picks one of them, and is
refused when the program does not cover it.`

// inspectProfileHelp is what --profile does in the commands that inspect
// a program.
const inspectProfileHelp = `With --profile FILE there is no FILE argument: the program is the profile
compiled as "sysfence compile --profile FILE" compiles it, for --arch
(default the native ABI), covering the compat ABIs the profile covers
there. --caps, --kernel, --strict and --first-match apply as in compile.`

// inspected returns the program an inspecting command works on: the
// profile of --profile compiled for --arch, or the program in the first
// argument. It returns the arguments that follow the program.
func inspected(inv *invocation, pf *profileFlags, arch string) (*seccomp.Program, []string, error) {
	if err := pf.check(); err != nil {
		return nil, nil, err
	}
	if !pf.isGiven() {
		for _, name := range []string{"foreign", "unknown"} {
			if inv.given[name] {
				return nil, nil, usagef("--%s applies to --profile: a program FILE decides those calls itself", name)
			}
		}
		if len(inv.args) == 0 {
			return nil, nil, usagef("want FILE (- for stdin) or --profile FILE")
		}
		prog, err := readProgram(inv, inv.args[0], arch)
		return prog, inv.args[1:], err
	}
	abi, err := lookupABI(inv, "arch", arch)
	if err != nil {
		return nil, nil, err
	}
	prog, err := pf.program(abi, inv.stderr)
	return prog, inv.args, err
}

// programArch is the role of --arch in the commands that read a program.
const programArch = "the program is for (default: the ABIs it checks for)"

// readProgram reads the program in file for the ABI arch names, or for
// the ABIs it checks for when arch is empty.
func readProgram(inv *invocation, file, arch string) (*seccomp.Program, error) {
	var abis []*tables.ABI
	if inv.given["arch"] {
		abi, err := parseABI("arch", arch)
		if err != nil {
			return nil, err
		}
		abis = append(abis, abi)
	}
	r, name := inv.stdin, "stdin"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, runtimeError{err}
		}
		defer f.Close()
		r, name = f, file
	}
	prog, err := seccomp.ReadProgram(r, abis...)
	switch {
	case err == nil:
		return prog, nil
	case errors.Is(err, filter.ErrTooLong):
		return nil, fmt.Errorf("%s: longer than %d bytes, the most a seccomp program (%d instructions) takes", name, seccomp.MaxProgramBytes, filter.MaxInstructions)
	case errors.Is(err, seccomp.ErrInvalidPolicy):
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), seccomp.ErrInvalidPolicy.Error()+": "))
	case errors.Is(err, filter.ErrInvalid):
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return nil, runtimeError{fmt.Errorf("%s: %w", name, err)}
}
