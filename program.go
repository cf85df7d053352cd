package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Program is a verified seccomp filter, ready to install or export. It
// does not change after it is made, so one Program may be used from
// several goroutines.
type Program struct {
	insns []filter.Instruction
	// abis are the ABIs the program covers; nil for a precompiled
	// program, which covers the native ABI only.
	abis    []*tables.ABI
	skipped []Skipped
	routed  []Routed
}

// NewProgram verifies insns, a program compiled elsewhere (such as Go
// source a //go:generate step wrote from Program.Instructions), and
// returns it as a Program covering abis; none means the native ABI.
//
// A program that reads seccomp_data.arch must compare it with the
// AUDIT_ARCH_* value of every ABI it is said to cover, which catches a
// program compiled for another architecture. A program that never reads
// arch is accepted as it is: every ABI's calls meet the same checks of
// their numbers, so calls through a compat ABI (i386 int 0x80 on x86_64)
// are judged by the wrong table. This package's compiler never writes one.
//
// x86_64 and x32 share one AUDIT_ARCH value, so for them NewProgram also
// runs the program (see ABIs): a program that gives every x32 call its
// foreign action does not cover x32, and one that gives every x86_64 call
// its foreign action (an x32-only program) does not cover x86_64, which on
// amd64 is the native ABI.
func NewProgram(insns []filter.Instruction, abis ...*tables.ABI) (*Program, error) {
	if err := filter.Verify(insns); err != nil {
		return nil, fmt.Errorf("seccomp: NewProgram: %w", err)
	}
	if i := slices.Index(abis, nil); i >= 0 {
		return nil, fmt.Errorf("%w: NewProgram: abis[%d] is nil", ErrInvalidPolicy, i)
	}
	p := &Program{insns: slices.Clone(insns), abis: slices.Clone(abis)}
	if len(abis) == 0 {
		abi := nativeABI()
		if abi == nil {
			return nil, fmt.Errorf("seccomp: NewProgram: no native ABI on %s/%s: %w", runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)
		}
		p.abis = []*tables.ABI{abi}
	}
	for _, abi := range p.abis[1:] {
		if abi.BigEndian != p.abis[0].BigEndian {
			return nil, fmt.Errorf("%w: %s and %s differ in byte order", ErrInvalidPolicy, p.abis[0].Name, abi.Name)
		}
	}
	if err := coversABIs(p.insns, p.ByteOrder(), p.abis); err != nil {
		return nil, err
	}
	return p, nil
}

// readsArch reports whether a program loads seccomp_data.arch.
func readsArch(insns []filter.Instruction) bool {
	return slices.Contains(insns, filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetArch))
}

// comparesWith reports whether a program compares A with the constant k in
// a conditional jump.
func comparesWith(insns []filter.Instruction, k uint32) bool {
	return slices.ContainsFunc(insns, func(in filter.Instruction) bool {
		return in.IsConditionalJump() && in.Op().Source() == filter.SourceK && in.K == k
	})
}

// Instructions returns a copy of the program's instructions.
func (p *Program) Instructions() []filter.Instruction { return slices.Clone(p.insns) }

// Len returns the number of instructions.
func (p *Program) Len() int { return len(p.insns) }

// Skipped lists the rules' system calls that an ABI the program covers
// does not have, in the order of the policy's rules. It is nil for a
// program from Builtin, which is not compiled at run time: compile
// BuiltinPolicy(name) to see what was skipped.
func (p *Program) Skipped() []Skipped { return slices.Clone(p.skipped) }

// Routed lists the rules' system calls that an ABI the program covers
// also reaches (or reaches only) through socketcall or ipc, and how the
// program decides that route, in the order of the policy's rules and
// ABIs. Like Skipped, it is nil for a program from Builtin.
func (p *Program) Routed() []Routed { return slices.Clone(p.routed) }

// ByteOrder returns the byte order of the ABIs the program covers, which
// is the native order of any kernel that can load it.
func (p *Program) ByteOrder() binary.ByteOrder {
	if p.abis == nil {
		return nativeABI().ByteOrder()
	}
	return p.abis[0].ByteOrder()
}

// covers reports whether the program covers abi.
func (p *Program) covers(abi *tables.ABI) bool {
	if p.abis == nil {
		return abi == nativeABI()
	}
	return slices.ContainsFunc(p.abis, func(a *tables.ABI) bool { return a.Name == abi.Name })
}

// WriteTo writes the program as the kernel reads it from user space: an
// array of struct sock_filter (include/uapi/linux/filter.h), eight bytes
// an instruction, in ByteOrder. This is the format of bwrap --seccomp FD.
func (p *Program) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(filter.Encode(p.insns, p.ByteOrder()))
	return int64(n), err
}

// File returns the program, as WriteTo writes it, in a file positioned at
// its start, for a child process to read: bwrap --seccomp FD. It is a
// sealed memfd (memfd_create(2), no path in any file system, F_SEAL_WRITE,
// F_SEAL_GROW, F_SEAL_SHRINK and F_SEAL_SEAL set), or, where memfd_create
// is unavailable or refused, the read end of a pipe already holding the
// program.
//
// The file is close-on-exec, so it reaches only a child it is given to:
// exec.Cmd.ExtraFiles (or os.ProcAttr.Files) duplicates it to the child's
// descriptor 3+i without close-on-exec, so for ExtraFiles[0] the child is
// "bwrap --seccomp 3 …". The reader consumes it, so give each child a File
// of its own, and close yours once the child has started. bwrap installs
// the filter and then executes the command, so the program must cover the
// ABI of both (a Builtin program made by a 386 binary covers i386 only,
// and kills an x86_64 bwrap). For a reader that is not an exec.Cmd (a
// shell command line, or exec in place), use Inheritable.
func (p *Program) File() (*os.File, error) { return p.file() }
