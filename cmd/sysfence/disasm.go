package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func init() {
	register(command{
		name:    "disasm",
		summary: "print a raw seccomp program in bpf_asm syntax",
		run:     runDisasm,
	})
}

func runDisasm(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("disasm", "FILE [--arch ABI]", stderr)
	in, err := parseInspectArgs(fs, args)
	if err != nil {
		return err
	}
	prog, err := in.program()
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, filter.Disassemble(prog, in.abi))
	return err
}

// inspectStdin is what the FILE "-" reads; tests replace it.
var inspectStdin io.Reader = os.Stdin

// inspectArgs are the arguments of the commands that read a raw program:
// FILE holds struct sock_filter records in the byte order of the ABI.
type inspectArgs struct {
	file string
	abi  *tables.ABI
}

// parseInspectArgs parses "FILE [--arch ABI]", the flag before or after
// FILE. Without --arch the ABI is the native one of the running program.
func parseInspectArgs(fs *flag.FlagSet, args []string) (inspectArgs, error) {
	arch := fs.String("arch", "", "`ABI` of the program (default: the native ABI, "+inspectNativeName()+")")
	var files []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return inspectArgs{}, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			files = append(files, rest...)
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	if len(files) != 1 {
		return inspectArgs{}, usageError{fmt.Errorf("want one FILE (- for stdin), got %d arguments", len(files))}
	}
	abi, err := abiFlag(*arch)
	if err != nil {
		return inspectArgs{}, err
	}
	return inspectArgs{file: files[0], abi: abi}, nil
}

// inspectNativeName names the native ABI for help text.
func inspectNativeName() string {
	abi, err := abiFlag("")
	if err != nil {
		return "none for " + runtime.GOARCH
	}
	return abi.Name
}

// program reads, decodes and verifies the program.
func (in inspectArgs) program() ([]filter.Instruction, error) {
	var b []byte
	var err error
	if in.file == "-" {
		b, err = io.ReadAll(inspectStdin)
	} else {
		b, err = os.ReadFile(in.file)
	}
	if err != nil {
		return nil, err
	}
	name := in.file
	if name == "-" {
		name = "stdin"
	}
	prog, err := filter.Decode(b, in.abi.ByteOrder())
	if err == nil {
		err = filter.Verify(prog)
	}
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", name, in.abi.Name, err)
	}
	return prog, nil
}
