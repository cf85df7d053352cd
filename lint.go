package seccomp

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
	"github.com/sysfence/seccomp/tables"
)

// Severity grades a Finding.
type Severity int

// The severities, mildest first.
const (
	// Info: worth knowing, not a weakness (code that never runs).
	Info Severity = iota + 1
	// Warning: a weakness some sandboxes accept (namespaces allowed,
	// kill-thread, EPERM where libc wants ENOSYS).
	Warning
	// Error: a way around the filter, or a call that hands the kernel or
	// other processes to the sandboxed program.
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Finding is one thing Lint found in a program.
type Finding struct {
	// Check names the check: "no-arch-check", "foreign-abi", "x32",
	// "multiplexer", "dangerous", "wide-compare", "enosys", "kill-thread", "dead-code".
	Check string
	// Severity grades the finding.
	Severity Severity
	// ABI is the ABI the finding is about, nil when it is about the
	// program as a whole.
	ABI *tables.ABI
	// Syscall is the call the finding is about, if one.
	Syscall string
	// Message says what was found, in a sentence.
	Message string
	// Example is a call that shows it, with the program's answer as A;
	// nil when the finding is about the program's code.
	Example *Counterexample
}

func (f *Finding) String() string {
	s := fmt.Sprintf("%s: %s: %s", f.Severity, f.Check, f.Message)
	if f.Example != nil {
		s += fmt.Sprintf(" (e.g. %s gets %s)", f.Example, f.Example.A)
	}
	return s
}

// dangerousCalls are calls a sandbox should not allow whatever their
// arguments, with the severity of allowing them and why.
var dangerousCalls = []struct {
	names    []string
	severity Severity
	why      string
}{
	{[]string{"ptrace", "process_vm_writev"}, Error, "reads and writes other processes"},
	{[]string{"process_vm_readv", "pidfd_getfd"}, Warning, "reads other processes' memory or takes their file descriptors"},
	{[]string{"bpf"}, Error, "loads programs into the kernel"},
	{[]string{"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"}, Error, "replaces the kernel or loads code into it"},
	{[]string{"mount", "umount2", "pivot_root", "fsopen", "fsmount", "move_mount", "open_tree"}, Error, "changes the mounts the program sees, or the host's"},
	{[]string{"open_by_handle_at"}, Error, "opens files by handle past the path walk's permission checks"},
	{[]string{"iopl", "ioperm"}, Error, "gives direct access to I/O ports"},
	{[]string{"keyctl", "add_key", "request_key"}, Warning, "uses the kernel keyrings, which are not namespaced"},
	{[]string{"userfaultfd", "perf_event_open"}, Warning, "is a common tool of kernel exploits"},
	{[]string{"io_uring_setup", "io_uring_enter", "io_uring_register"}, Warning, "runs operations no seccomp filter sees"},
	{[]string{"unshare", "setns"}, Warning, "creates or enters namespaces, the door to much of the kernel for an unprivileged user"},
}

// narrowParams are parameters the kernel declares int or unsigned int, so
// that a filter comparing all 64 bits of them can be walked past by
// setting high bits the kernel then drops (include/linux/syscalls.h).
var narrowParams = []struct {
	name string
	arg  int
}{
	{"ioctl", 1}, {"personality", 0}, {"socket", 0}, {"socket", 1}, {"socket", 2},
	{"prctl", 0}, {"fcntl", 1}, {"setsockopt", 1}, {"setsockopt", 2},
	{"getsockopt", 1}, {"getsockopt", 2}, {"kill", 1}, {"tgkill", 2},
}

// cloneNewUser is CLONE_NEWUSER of include/uapi/linux/sched.h.
const cloneNewUser = 0x10000000

// Lint reports the weaknesses of the program that its exact decision
// shows, each with a call that shows it: no check of seccomp_data.arch
// or one that lets another ABI's calls through, x32 numbers reaching
// allow on x86_64, a call refused directly but allowed through socketcall
// or ipc, dangerous calls allowed whatever their arguments
// (clone with CLONE_NEWUSER and the terminal-injecting ioctls included),
// comparisons of the high word of a parameter the kernel truncates to 32
// bits, an errno other than ENOSYS for clone3 or for numbers newer than
// the table (libc falls back only on ENOSYS), kill-thread (a
// multi-threaded program hangs when one thread dies), and instructions
// that can never run. Findings come in that order, most severe first
// within each check.
func (p *Program) Lint() ([]Finding, error) {
	order := p.ByteOrder()
	s := analysis.NewSpace()
	f, ran, err := s.Ran(p.insns, order)
	if err != nil {
		return nil, err
	}
	l := &linter{s: s, f: f, order: order, covered: p.ABIs()}
	arch := s.Bits(analysis.FieldArch)
	l.domain = arch[30]
	if order == binary.BigEndian {
		l.domain = s.Not(l.domain)
	}
	l.allowed = s.Where(f, allows)
	l.archCheck()
	for _, abi := range l.covered {
		l.multiplexers(abi)
		l.dangerous(abi)
		l.wide(abi)
		l.enosys(abi)
	}
	l.killThread()
	l.deadCode(ran)
	return l.findings, nil
}

type linter struct {
	s        *analysis.Space
	f        analysis.Node
	order    binary.ByteOrder
	covered  []*tables.ABI
	domain   analysis.Node // the arch values of the program's byte order
	allowed  analysis.Node
	findings []Finding
}

func (l *linter) add(check string, sev Severity, abi *tables.ABI, syscall, msg string, where analysis.Node) {
	fd := Finding{Check: check, Severity: sev, ABI: abi, Syscall: syscall, Message: msg}
	if where != analysis.False {
		if in, ok := l.s.Any(where); ok {
			fd.Example = newCounterexample(in.Data(), filter.Action(l.s.Eval(l.f, &in)), 0)
			fd.Example.B = ""
		}
	}
	l.findings = append(l.findings, fd)
}

// call returns the condition "the call is nr of abi".
func (l *linter) call(abi *tables.ABI, nr uint32) analysis.Node {
	s := l.s
	return s.And(s.Equal(s.Bits(analysis.FieldArch), 1<<64-1, uint64(abi.Audit)),
		s.Equal(s.Bits(analysis.FieldNr), 1<<64-1, uint64(nr)))
}

// archCheck reports a program that never reads arch, and calls of ABIs
// it does not cover (x32 on x86_64 among them) that reach allow.
func (l *linter) archCheck() {
	s := l.s
	if !s.Tests(l.f, analysis.FieldArch) {
		l.add("no-arch-check", Error, nil, "", "the program never reads seccomp_data.arch: every ABI's calls (i386 int 0x80, x32, arm on aarch64) meet the checks written for one table's numbers", s.And(l.domain, l.allowed))
		return
	}
	archBits, nrBits := s.Bits(analysis.FieldArch), s.Bits(analysis.FieldNr)
	for _, abi := range tables.All() {
		if abi.BigEndian != (l.order == binary.BigEndian) || slices.Contains(l.covered, abi) {
			continue
		}
		calls := s.Equal(archBits, 1<<64-1, uint64(abi.Audit))
		if abi.NrBit != 0 { // x32: its numbers have the bit, bit 31 clear
			calls = s.And(calls, s.And(s.Not(s.Equal(nrBits, uint64(abi.NrBit), 0)), s.Not(nrBits[31])))
		} else if slices.ContainsFunc(l.covered, func(c *tables.ABI) bool { return c.Audit == abi.Audit }) {
			continue // shares the arch value with a covered ABI that owns its numbers
		}
		where := s.And(calls, l.allowed)
		if where == analysis.False {
			continue
		}
		check, msg := "foreign-abi", fmt.Sprintf("calls through %s, which the program does not cover, reach allow", abi.Name)
		if abi.NrBit != 0 {
			check, msg = "x32", fmt.Sprintf("%s numbers (with bit %#x) reach allow under the arch value the program covers", abi.Name, abi.NrBit)
		}
		l.add(check, Error, abi, "", msg, where)
	}
}

// multiplexers reports calls that abi reaches both directly and through
// socketcall or ipc, which the program refuses directly whatever their
// arguments but allows through the multiplexer.
func (l *linter) multiplexers(abi *tables.ABI) {
	s := l.s
	for i := range abi.Len() {
		name := abi.At(i).Name
		m, ok := abi.Multiplexed(name)
		if !ok {
			continue
		}
		direct := l.call(abi, abi.At(i).Nr)
		if s.And(direct, l.allowed) != analysis.False {
			continue // allowed directly, for some arguments at least
		}
		mask := uint64(1<<32 - 1) // the operation is a C int
		if m.Via == "ipc" {
			mask = tables.OpMask
		}
		op := s.Equal(s.Bits(analysis.ArgLo(0)), mask, uint64(m.Op))
		where := s.And(s.And(l.call(abi, m.Nr), op), l.allowed)
		if where != analysis.False {
			l.add("multiplexer", Error, abi, name, fmt.Sprintf("%s %s is refused directly but allowed through %s(%d)", abi.Name, name, m.Via, m.Op), where)
		}
	}
}

// dangerous reports dangerous calls of abi that the program allows
// whatever their arguments, clone with CLONE_NEWUSER, and the ioctls that
// inject terminal input.
func (l *linter) dangerous(abi *tables.ABI) {
	s := l.s
	for _, d := range dangerousCalls {
		for _, name := range d.names {
			nr, ok := abi.Number(name)
			if !ok {
				continue
			}
			call := l.call(abi, nr)
			if s.And(call, s.Not(l.allowed)) == analysis.False {
				l.add("dangerous", d.severity, abi, name, fmt.Sprintf("%s %s is allowed whatever its arguments: it %s", abi.Name, name, d.why), call)
			}
		}
	}
	if nr, ok := abi.Number("clone"); ok {
		arg := 0
		if isS390(abi) {
			arg = 1
		}
		flags := s.Bits(analysis.ArgLo(arg))
		where := s.And(l.call(abi, nr), s.And(s.Not(s.Equal(flags, cloneNewUser, 0)), l.allowed))
		if where != analysis.False {
			l.add("dangerous", Warning, abi, "clone", fmt.Sprintf("%s clone with CLONE_NEWUSER is allowed: it creates user namespaces", abi.Name), where)
		}
	}
	if nr, ok := abi.Number("ioctl"); ok {
		for _, conds := range terminalInjection(abi) {
			req := s.Bits(analysis.ArgLo(conds[0].Arg))
			where := s.And(l.call(abi, nr), s.And(s.Equal(req, 1<<32-1, conds[0].Value), l.allowed))
			if where != analysis.False {
				l.add("dangerous", Error, abi, "ioctl", fmt.Sprintf("%s ioctl request %#x is allowed: it pushes input into a terminal the sandbox may share", abi.Name, conds[0].Value), where)
			}
		}
	}
}

// wide reports decisions that depend on the high word of a parameter the
// kernel truncates to 32 bits.
func (l *linter) wide(abi *tables.ABI) {
	if abi.WordSize != 8 {
		return
	}
	s := l.s
	for _, np := range narrowParams {
		nr, ok := abi.Number(np.name)
		if !ok {
			continue
		}
		sub := s.Fix(s.Fix(l.f, analysis.FieldArch, abi.Audit), analysis.FieldNr, nr)
		if !s.Tests(sub, analysis.ArgHi(np.arg)) {
			continue
		}
		// What the kernel runs is the call with the high word cleared.
		low := s.Fix(sub, analysis.ArgHi(np.arg), 0)
		call := l.call(abi, nr)
		looser := s.And(call, s.And(s.Where(sub, allows), s.Not(s.Where(low, allows))))
		if looser != analysis.False {
			l.add("wide-compare", Error, abi, np.name, fmt.Sprintf("%s %s: setting high bits of argument %d, which the kernel drops (the parameter is 32 bits), turns a refused call into an allowed one", abi.Name, np.name, np.arg), looser)
			continue
		}
		l.add("wide-compare", Warning, abi, np.name, fmt.Sprintf("%s %s: the decision depends on the high word of argument %d, which the kernel drops (the parameter is 32 bits); here high bits only make it stricter", abi.Name, np.name, np.arg), s.And(call, s.Differ(sub, low)))
	}
}

// enosys reports clone3 and numbers newer than the table failing with an
// errno other than ENOSYS.
func (l *linter) enosys(abi *tables.ABI) {
	s := l.s
	enosys, _ := abi.Errno("ENOSYS")
	wrongErrno := func(ret uint32) bool {
		a := filter.Action(ret)
		return a.Kind() == filter.ErrnoBase && a.Data() != enosys
	}
	bad := s.Where(l.f, wrongErrno)
	if nr, ok := abi.Number("clone3"); ok {
		if where := s.And(l.call(abi, nr), bad); where != analysis.False {
			l.add("enosys", Warning, abi, "clone3", fmt.Sprintf("%s clone3 fails with an errno other than ENOSYS: glibc falls back to clone only on ENOSYS, so threads and processes cannot be made", abi.Name), where)
		}
	}
	next := abi.At(abi.Len()-1).Nr + 1
	if where := s.And(l.call(abi, next), bad); where != analysis.False {
		l.add("enosys", Warning, abi, "", fmt.Sprintf("%s numbers newer than the table (%d) fail with an errno other than ENOSYS: libc's fallbacks to older calls do not run", abi.Name, next), where)
	}
}

// killThread reports calls that get kill-thread.
func (l *linter) killThread() {
	s := l.s
	kill := s.Where(l.f, func(ret uint32) bool { return filter.Action(ret).Kind() == filter.KillThread })
	if where := s.And(l.domain, kill); where != analysis.False {
		l.add("kill-thread", Warning, nil, "", "some calls get kill-thread: the thread dies and a multi-threaded program hangs waiting for it; kill-process ends it cleanly", where)
	}
}

// deadCode reports runs of instructions no input reaches.
func (l *linter) deadCode(ran []bool) {
	for i := 0; i < len(ran); {
		if ran[i] {
			i++
			continue
		}
		j := i
		for j < len(ran) && !ran[j] {
			j++
		}
		msg := fmt.Sprintf("instruction %d can never run", i)
		if j-i > 1 {
			msg = fmt.Sprintf("instructions %d to %d can never run", i, j-1)
		}
		l.add("dead-code", Info, nil, "", msg, analysis.False)
		i = j
	}
}
