//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// errFilter reports a filter name the guest does not know.
var errFilter = errors.New("vmguest: unknown filter")

// The filters victims install, by name. A name is
//
//	[HOW:]KIND[@ABI,ABI…]
//
// KIND is one of
//
//	none            no filter at all
//	sandbox, …      a built-in program, seccomp.Builtin(KIND)
//	allowlist       allowlistPolicy
//	deny-uname      uname fails with EPERM, everything else is allowed
//	deny-socket     socket fails with EPERM, everything else is allowed:
//	                sysfence compile --deny socket, which must decide
//	                socketcall(SYS_SOCKET) too where the ABI has it
//	args            argsPolicy: errnos chosen by the arguments of getpid
//	nr-only         the classic mistake: no check of seccomp_data.arch
//	nr-only-ptrace  the same mistake, denying ptrace instead of uname
//
// The ABIs, by tables.Lookup name, are those a compiled policy covers;
// without them the native ABI. HOW is how the victim installs it:
//
//	(none)          Program.Install, on every thread (TSYNC)
//	notsync         Program.InstallFlags(0), on the installing thread only
//	export          as bwrap --seccomp FD does, from the bytes of Program.File
//
// The checking process builds the same program from the same name to
// simulate it, so the victim installs exactly what was simulated.

// installFilter installs the named filter in this process.
func installFilter(name string) error {
	how, kind := splitHow(name)
	prog, err := programFor(kind)
	if err != nil || prog == nil {
		return err
	}
	switch how {
	case "":
		err = prog.Install()
	case "notsync":
		_, err = prog.InstallFlags(0)
	case "export":
		err = installExported(prog)
	default:
		err = fmt.Errorf("%w %q: no way to install %q", errFilter, name, how)
	}
	if err != nil {
		return fmt.Errorf("installing %s: %w", name, err)
	}
	return nil
}

// splitHow splits "HOW:KIND@ABIS" into HOW and the rest.
func splitHow(name string) (how, rest string) {
	if how, rest, ok := strings.Cut(name, ":"); ok {
		return how, rest
	}
	return "", name
}

// installExported installs prog the way bubblewrap installs the program
// it reads from --seccomp FD: the raw struct sock_filter array, passed to
// prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) on the calling thread after
// PR_SET_NO_NEW_PRIVS (include/uapi/linux/prctl.h, seccomp.h). The
// victim's requests run on that thread, which main locked.
func installExported(prog *seccomp.Program) error {
	f, err := prog.File()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if len(raw) == 0 || len(raw)%8 != 0 {
		return fmt.Errorf("exported program of %d bytes is not a whole number of instructions", len(raw))
	}
	const (
		prSetNoNewPrivs   = 38
		prSetSeccomp      = 22
		seccompModeFilter = 2
	)
	fprog := struct {
		len    uint16
		filter unsafe.Pointer
	}{uint16(len(raw) / 8), unsafe.Pointer(&raw[0])}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", errno)
	}
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetSeccomp, seccompModeFilter, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(raw)
	if errno != 0 {
		return fmt.Errorf("prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER): %w", errno)
	}
	return nil
}

// programFor returns the named program; nil for "none".
func programFor(name string) (*seccomp.Program, error) {
	_, name = splitHow(name)
	kind, abiList, _ := strings.Cut(name, "@")
	abis, err := lookupABIs(abiList)
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", name, err)
	}
	var p *seccomp.Policy
	switch kind {
	case "none":
		return nil, nil
	case "nr-only":
		return seccomp.NewProgram(nrOnly("uname"))
	case "nr-only-ptrace":
		return seccomp.NewProgram(nrOnly("ptrace"))
	case "allowlist":
		p = allowlistPolicy()
	case "deny-uname":
		p = &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "uname")}
	case "deny-socket":
		p = &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "socket")}
	case "args":
		p = argsPolicy()
	default:
		for _, b := range seccomp.BuiltinNames() {
			if kind == b {
				return seccomp.Builtin(kind)
			}
		}
		return nil, fmt.Errorf("%w %q", errFilter, name)
	}
	p.ABIs = abis
	prog, err := p.Compile()
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", name, err)
	}
	return prog, nil
}

// lookupABIs reads a comma-separated list of ABI names; "" is nil, the
// native ABI.
func lookupABIs(list string) ([]*tables.ABI, error) {
	if list == "" {
		return nil, nil
	}
	var abis []*tables.ABI
	for _, name := range strings.Split(list, ",") {
		abi, ok := tables.Lookup(name)
		if !ok {
			return nil, &tables.UnknownABIError{Name: name}
		}
		abis = append(abis, abi)
	}
	return abis, nil
}

// nrOnly is the filter written by hand without a look at
// seccomp_data.arch: it fails the native call with EPERM and allows every
// other number. The same number means another call on another ABI, and
// the native call made through another ABI has another number, so a
// process of the compat ABI goes straight past it.
func nrOnly(call string) []filter.Instruction {
	native, _ := seccomp.NativeABI()
	nr, _ := native.Number(call)
	return []filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
		filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, nr, 0, 1),
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Errno(uint16(eperm)))),
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow)),
	}
}

// allowlistPolicy allows what the Go runtime and a victim need, kills the
// process on uname and fails everything else with EPERM. Numbers the table
// does not know fail with EXDEV, which no kernel answers for an unknown
// number, so that the check can tell the filter's answer from the
// kernel's ENOSYS.
func allowlistPolicy() *seccomp.Policy {
	rules := seccomp.RulesFor(seccomp.Allow,
		// What a victim does: read requests, answer, make the calls
		// the check asks for, exit.
		"read", "write", "close", "getpid", "gettid", "exit", "exit_group",
		// What the Go runtime may do meanwhile: memory, threads,
		// signals (preemption sends SIGURG with tgkill), timers.
		"mmap", "munmap", "mprotect", "madvise", "brk", "futex",
		"clone", "clone3", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity",
		"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "tgkill",
		"nanosleep", "clock_nanosleep", "clock_gettime", "getrandom",
		"fcntl", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait", "pipe2")
	rules = append(rules, seccomp.Rule{Syscall: "uname", Action: seccomp.KillProcess})
	return &seccomp.Policy{
		Default: seccomp.ErrnoNamed("EPERM"),
		Unknown: seccomp.ErrnoNamed("EXDEV"),
		Rules:   rules,
	}
}
