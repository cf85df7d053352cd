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

// programArch is the role of --arch in the commands that read a program.
const programArch = "the program is for (default: the ABIs it checks for)"

// readProgram reads the program in file for the ABI arch names, or for
// the ABIs it checks for when arch is empty.
func readProgram(inv *invocation, file, arch string) (*seccomp.Program, error) {
	var abis []*tables.ABI
	if arch != "" {
		abi, err := lookupABI("arch", arch)
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
