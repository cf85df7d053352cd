package seccomp

import (
	"errors"
	"fmt"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// ErrInvalidCall: Evaluate or EvaluateNr was given a call that no kernel
// would hand a filter: a number without the ABI's NrBit (an x32 number
// without 0x40000000), more than six arguments, or an ABI of the other
// byte order than the program's.
var ErrInvalidCall = errors.New("seccomp: invalid system call")

// Evaluate runs the program, as the kernel would, on a call of the named
// system call through abi with args (at most six; missing ones are 0)
// and returns the action it meets. The number is abi's (with x32's bit
// 0x40000000, as the table holds it); see EvaluateNr for how args are
// passed and the action spelt.
//
// abi need not be one the program covers: Evaluate(tables.I386, …) on an
// x86_64 program shows what an int 0x80 call meets, which is normally the
// foreign action. A name abi's table does not have is an error.
func (p *Program) Evaluate(abi *tables.ABI, syscall string, args ...uint64) (Action, error) {
	if abi == nil {
		return "", fmt.Errorf("%w: nil ABI", ErrInvalidCall)
	}
	nr, ok := abi.Number(syscall)
	if !ok {
		if !tables.Known(syscall) {
			return "", &UnknownSyscallError{Name: syscall, Suggestions: tables.Suggest(syscall, 3)}
		}
		return "", fmt.Errorf("%w: %s has no system call %q", ErrInvalidCall, abi.Name, syscall)
	}
	return p.EvaluateNr(abi, nr, args...)
}

// EvaluateNr is Evaluate for a system-call number as the kernel puts it in
// seccomp_data.nr: on x32 it must lie in 0x40000000 to 0x7fffffff (have
// abi.NrBit set and bit 31 clear), since every x32 call does; a number
// abi's table does not know is evaluated like any other (it meets the
// program's Unknown action).
//
// Arguments are what the kernel hands seccomp, all 64 bits of each, and
// the program sees them as they are given. On an ABI whose WordSize is 4
// (i386, arm, mips o32) a 32-bit process leaves the high words zero, so
// pass a negative int such as AT_FDCWD as uint32; but a 64-bit process
// calling through int 0x80 hands seccomp its whole registers, high words
// included, and a program compiled here compares the low words only,
// which is what the compat call reads. A program from elsewhere may read
// the high words, and then it meets what the kernel's run would.
//
// The action is spelt as ActionOf spells it, except that an error number
// is named for abi where its table names it, so that
//
//	act == seccomp.ErrnoNamed("EPERM")
//
// holds for a call failed with EPERM on any ABI.
func (p *Program) EvaluateNr(abi *tables.ABI, nr uint32, args ...uint64) (Action, error) {
	if abi == nil {
		return "", fmt.Errorf("%w: nil ABI", ErrInvalidCall)
	}
	if len(args) > 6 {
		return "", fmt.Errorf("%w: %d arguments; a system call has at most 6", ErrInvalidCall, len(args))
	}
	if abi.NrBit != 0 && nr&abi.NrBit == 0 {
		return "", fmt.Errorf("%w: %d is not an %s number: every %s call has bit %#x set (%#x|%d is %d)",
			ErrInvalidCall, nr, abi.Name, abi.Name, abi.NrBit, abi.NrBit, nr, nr|abi.NrBit)
	}
	if abi.NrBit != 0 && nr >= abi.NrBit<<1 {
		// Bit 31 makes it an unknown number of the ABI without the bit
		// (syscall(-1)), never an x32 call.
		return "", fmt.Errorf("%w: %#x is not an %s number: they are %#x to %#x", ErrInvalidCall, nr, abi.Name, abi.NrBit, abi.NrBit<<1-1)
	}
	if order := p.ByteOrder(); abi.ByteOrder() != order {
		return "", fmt.Errorf("%w: %s is %v, the program %v; no kernel runs both", ErrInvalidCall, abi.Name, abi.ByteOrder(), order)
	}
	data := filter.SeccompData{Nr: int32(nr), Arch: abi.Audit}
	copy(data.Args[:], args)
	res := p.machine().Run(&data, p.ByteOrder())
	return actionOn(res.Ret, abi), nil
}

// actionOn spells a return value as an Action, naming an errno for abi.
func actionOn(ret filter.Action, abi *tables.ABI) Action {
	if ret.Kind() == filter.ErrnoBase && ret.Data() != 0 {
		if name, ok := abi.ErrnoName(ret.Data()); ok {
			return ErrnoNamed(name)
		}
	}
	return ActionOf(ret)
}
