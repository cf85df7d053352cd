package filter

import (
	"github.com/sysfence/seccomp/internal/actioncache"
	"github.com/sysfence/seccomp/tables"
)

// Stats describes what a program costs for the system calls of one ABI.
type Stats struct {
	// Len is the number of instructions in the program.
	Len int
	// Syscalls is the number of system calls in the ABI's table.
	Syscalls int
	// MeanSteps is the mean number of instructions the program executes
	// for a system call of the table with all arguments zero.
	MeanSteps float64
	// MaxSteps is the largest number of instructions executed for one
	// system call of the table.
	MaxSteps int
	// MaxStepsSyscall is the first system call (by number) that takes
	// MaxSteps instructions.
	MaxStepsSyscall string
	// CacheAllowed is the number of system calls of the table that
	// Linux's seccomp action cache (5.11 and later; SECCOMP_ARCH_NATIVE
	// and seccomp_cache_prepare in kernel/seccomp.c) marks as always
	// allowed, so that the kernel skips the program for them.
	CacheAllowed int
	// CacheAllowedNames names those system calls, in order of number.
	CacheAllowedNames []string
}

// Analyze runs prog, which must pass Verify, for every system call in the
// table of abi (seccomp_data.arch = abi.Audit, nr = the call's number,
// everything else zero) and counts the system calls the kernel's action
// cache would allow without running it.
//
// The cache count emulates, call by call, seccomp_is_const_allow in
// kernel/seccomp.c, which seccomp_cache_prepare_bitmap runs when a filter
// is attached, for the native and the compat arch of the kernel: it follows
// the program knowing only nr and arch, through loads of those two fields,
// "and #k", "ja" and jumps comparing with a constant; any other
// instruction makes the call uncacheable, and a "ret #k" on the way
// decides: cached iff k is SECCOMP_RET_ALLOW. Like the kernel, it exempts
// the uretprobe and uprobe calls of x86_64, which recent kernels never
// filter, and caches nothing for an ABI whose numbers carry an NrBit (x32),
// as they lie past the kernel's bitmap. Arches whose kernel has no cache
// (no SECCOMP_ARCH_NATIVE in asm/seccomp.h) ignore the count.
func Analyze(prog []Instruction, abi *tables.ABI) (Stats, error) {
	if err := Verify(prog); err != nil {
		return Stats{}, err
	}
	st := Stats{Len: len(prog), Syscalls: abi.Len()}
	order := abi.ByteOrder()
	total := 0
	for i := range abi.Len() {
		sc := abi.At(i)
		data := SeccompData{Nr: int32(sc.Nr), Arch: abi.Audit}
		in := interpreter{prog: prog, data: data.words(order)}
		steps := in.run().Steps
		total += steps
		if steps > st.MaxSteps {
			st.MaxSteps, st.MaxStepsSyscall = steps, sc.Name
		}
		if cacheAllows(prog, abi, sc) {
			st.CacheAllowed++
			st.CacheAllowedNames = append(st.CacheAllowedNames, sc.Name)
		}
	}
	if st.Syscalls > 0 {
		st.MeanSteps = float64(total) / float64(st.Syscalls)
	}
	return st, nil
}

// cacheAllows reports whether the kernel's action cache would mark system
// call sc of abi as always allowed by prog.
func cacheAllows(prog []Instruction, abi *tables.ABI, sc tables.Syscall) bool {
	if abi.NrBit != 0 {
		return false
	}
	return actioncache.Exempt(abi, sc.Name) || constAllow(prog, sc.Nr, abi.Audit)
}

// constAllow mirrors seccomp_is_const_allow in kernel/seccomp.c: it runs
// prog knowing only seccomp_data.nr and .arch, and reports whether it
// certainly returns SECCOMP_RET_ALLOW.
func constAllow(prog []Instruction, nr, arch uint32) bool {
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		ins := prog[pc]
		switch ins.Code {
		case BPF_LD | BPF_W | BPF_ABS:
			switch ins.K {
			case OffsetNr:
				a = nr
			case OffsetArch:
				a = arch
			default:
				return false
			}
		case BPF_RET | BPF_K:
			return ins.K == uint32(Allow)
		case BPF_JMP | BPF_JA:
			pc += int(ins.K)
		case BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JGE | BPF_K,
			BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JSET | BPF_K:
			if condHolds(ins.Op().JumpOp(), a, ins.K) {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case BPF_ALU | BPF_AND | BPF_K:
			a &= ins.K
		default:
			return false
		}
	}
	return false // ran off the end, which the kernel warns about
}
