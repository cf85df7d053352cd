//go:build libseccomp && cgo && linux

package libseccomptest

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	compat "github.com/sysfence/seccomp/compat/libseccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// The tests here hold package compat/libseccomp to libseccomp 2.5.4 on
// the same calls: the errors of each call, and the decision of the
// exported programs on every number of the covered ABIs.

// runcArch is runc's name of an OCI architecture, which it hands to
// GetArchFromString (libcontainer/seccomp/config.go).
func runcArch(a specs.Arch) string {
	s := strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_"))
	switch s {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "loongarch64":
		return "loong64"
	}
	return s
}

// compatAction is runc's getAction, through the compat package.
func compatAction(a specs.LinuxSeccompAction, errnoRet *uint) compat.ScmpAction {
	ret := int16(syscall.EPERM)
	if errnoRet != nil {
		ret = int16(*errnoRet)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return compat.ActKillThread
	case specs.ActKillProcess:
		return compat.ActKillProcess
	case specs.ActTrap:
		return compat.ActTrap
	case specs.ActErrno:
		return compat.ActErrno.SetReturnCode(ret)
	case specs.ActTrace:
		return compat.ActTrace.SetReturnCode(ret)
	case specs.ActAllow:
		return compat.ActAllow
	case specs.ActLog:
		return compat.ActLog
	case specs.ActNotify:
		return compat.ActNotify
	}
	return compat.ActInvalid
}

var compatOps = map[specs.LinuxSeccompOperator]compat.ScmpCompareOp{
	specs.OpNotEqual: compat.CompareNotEqual, specs.OpLessThan: compat.CompareLess,
	specs.OpLessEqual: compat.CompareLessOrEqual, specs.OpEqualTo: compat.CompareEqual,
	specs.OpGreaterEqual: compat.CompareGreaterEqual, specs.OpGreaterThan: compat.CompareGreater,
	specs.OpMaskedEqual: compat.CompareMaskedEqual,
}

// exportCompat returns a compat filter's exported program.
func exportCompat(t *testing.T, f *compat.ScmpFilter) []filter.Instruction {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "bpf")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		t.Fatalf("ExportBPF: %v", err)
	}
	if _, err := file.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	prog, err := seccomp.ReadProgram(file, tables.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	return prog.Instructions()
}

// runcCompat builds the filter of a profile as runc's InitSeccomp and
// matchCall build it, with the compat package in libseccomp-golang's
// place, and exports it.
func runcCompat(t *testing.T, ls *specs.LinuxSeccomp) []filter.Instruction {
	f := runcFilter(t, ls)
	defer f.Release()
	return exportCompat(t, f)
}

// runcFilter builds the filter of a profile as runc does.
func runcFilter(t *testing.T, ls *specs.LinuxSeccomp) *compat.ScmpFilter {
	def := compatAction(ls.DefaultAction, ls.DefaultErrnoRet)
	f, err := compat.NewFilter(def)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ls.Architectures {
		arch, err := compat.GetArchFromString(runcArch(a))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.AddArch(arch); err != nil {
			t.Fatalf("AddArch(%s): %v", arch, err)
		}
	}
	if len(ls.Syscalls) > 32 {
		if err := f.SetOptimize(2); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetNoNewPrivsBit(false); err != nil {
		t.Fatal(err)
	}
	for i, call := range ls.Syscalls {
		act := compatAction(call.Action, call.ErrnoRet)
		if act == def {
			continue
		}
		var conds []compat.ScmpCondition
		var count [6]int
		for _, a := range call.Args {
			c, err := compat.MakeCondition(a.Index, compatOps[a.Op], a.Value, a.ValueTwo)
			if err != nil {
				t.Fatal(err)
			}
			count[a.Index]++
			conds = append(conds, c)
		}
		for _, name := range call.Names {
			nr, err := compat.GetSyscallFromName(name)
			if err != nil {
				continue // runc logs and skips it
			}
			switch {
			case len(conds) == 0:
				err = f.AddRule(nr, act)
			case slices.ContainsFunc(count[:], func(n int) bool { return n > 1 }):
				for _, c := range conds {
					if err = f.AddRuleConditional(nr, act, []compat.ScmpCondition{c}); err != nil {
						break
					}
				}
			default:
				err = f.AddRuleConditional(nr, act, conds)
			}
			if err != nil {
				t.Fatalf("syscalls[%d] %s: %v", i, name, err)
			}
		}
	}
	return f
}

// TestCompatEquivalence builds each profile as runc does, with the
// compat package and with libseccomp, and runs both programs over every
// number of every ABI they cover, as TestEquivalence does for package
// profile.
func TestCompatEquivalence(t *testing.T) {
	for _, f := range fixtures(t) {
		if !slices.Contains(f.natives, specs.ArchX86_64) {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			opts := &profile.Options{ABI: tables.X86_64, Capabilities: f.caps}
			res, err := f.profile.Translate(opts)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(res.Warnings, func(err error) bool { return errors.Is(err, profile.ErrMultiplexed) }) {
				// libseccomp's filter is weaker through socketcall or
				// ipc: compat refuses to build it.
				ls, err := f.profile.Resolve(opts)
				if err != nil {
					t.Fatal(err)
				}
				file, err := os.CreateTemp(t.TempDir(), "bpf")
				if err != nil {
					t.Fatal(err)
				}
				defer file.Close()
				if err := runcFilter(t, ls).ExportBPF(file); !errors.Is(err, profile.ErrMultiplexed) {
					t.Errorf("ExportBPF: %v, want an error wrapping profile.ErrMultiplexed", err)
				}
				return
			}
			for _, d := range compare(t, f, specs.ArchX86_64, runcCompat) {
				if d.why == "" {
					t.Errorf("%s nr %#x (%s): compat %v, libseccomp %v", d.abi, d.nr, d.name, d.ours, d.theirs)
				}
			}
		})
	}
}

// step is one call of a sequence: an architecture added, or a rule for
// a name (resolved by each library) or a number.
type step struct {
	arch   specs.Arch
	name   string
	nr     int32
	action compat.ScmpAction
	exact  bool
	conds  []compat.ScmpCondition
}

// nativeAction is libseccomp's value of an action.
func nativeAction(a compat.ScmpAction) uint32 {
	data := filter.Action(uint16(a >> 16))
	switch a & 0xffff {
	case compat.ActKillProcess:
		return uint32(filter.KillProcess)
	case compat.ActTrap:
		return uint32(filter.Trap)
	case compat.ActErrno:
		return uint32(filter.ErrnoBase | data)
	case compat.ActTrace:
		return uint32(filter.TraceBase | data)
	case compat.ActAllow:
		return uint32(filter.Allow)
	case compat.ActLog:
		return uint32(filter.Log)
	case compat.ActNotify:
		return uint32(filter.Notify)
	}
	return uint32(filter.KillThread)
}

// errnoOf is the errno class of a compat error: the error
// libseccomp-golang maps from libseccomp's return code.
func errnoOf(err error) error {
	if err == nil {
		return nil
	}
	if err.Error() == "requested action matches default action of filter" {
		return syscall.EACCES
	}
	for _, e := range []syscall.Errno{syscall.EINVAL, syscall.EEXIST, syscall.EDOM, syscall.EOPNOTSUPP, syscall.EFAULT} {
		if errors.Is(err, e) {
			return e
		}
	}
	return err
}

func cond(arg uint, op compat.ScmpCompareOp, v ...uint64) compat.ScmpCondition {
	c, err := compat.MakeCondition(arg, op, v...)
	if err != nil {
		panic(err)
	}
	return c
}

// TestCompatRuleDecisions makes the same calls with both libraries:
// each call must fail (with the same errno class) or succeed alike, and
// the programs must decide alike on every number of x86_64 and i386,
// with arguments around every condition; except where the package
// documentation says it departs, checked for being stricter.
func TestCompatRuleDecisions(t *testing.T) {
	eperm, enoent := compat.ActErrno.SetReturnCode(1), compat.ActErrno.SetReturnCode(2)
	for _, tc := range []struct {
		name  string
		def   compat.ScmpAction
		steps []step
		// refused: libseccomp's filter lets escape (i386 calls)
		// through with the default action, against the rule on the
		// call, and compat refuses to build it.
		refused bool
		escape  []filter.SeccompData
	}{
		{name: "default action", def: compat.ActAllow, steps: []step{{name: "getpid", action: compat.ActAllow}}},
		{name: "notify by default", def: compat.ActNotify, steps: []step{{name: "getpid", action: compat.ActErrno.SetReturnCode(0)}, {name: "getppid", action: compat.ActAllow}}},
		{name: "errno out of range", def: compat.ActAllow, steps: []step{{name: "getpid", action: compat.ActErrno.SetReturnCode(5000)}, {name: "getppid", action: compat.ActTrace.SetReturnCode(-1)}}},
		{name: "two conditions on one argument", def: compat.ActAllow, steps: []step{{name: "getpid", action: eperm, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 1), cond(0, compat.CompareEqual, 2)}}}},
		{name: "second unconditional rule", def: compat.ActAllow, steps: []step{{name: "getpid", action: eperm}, {name: "getpid", action: enoent}, {name: "getpid", action: eperm}}},
		{name: "same conditions other action", def: compat.ActAllow, steps: []step{
			{name: "read", action: eperm, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 5)}},
			{name: "read", action: enoent, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 5)}}}},
		{name: "unconditional after conditional", def: compat.ActAllow, steps: []step{
			{name: "read", action: eperm, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 5)}},
			{name: "read", action: enoent}}},
		{name: "conditional after unconditional", def: compat.ActAllow, steps: []step{
			{name: "read", action: enoent},
			{name: "read", action: eperm, conds: []compat.ScmpCondition{cond(1, compat.CompareGreater, 5)}}}},
		{name: "conjunction and masks", def: compat.ActErrno.SetReturnCode(38), steps: []step{
			{name: "openat", action: compat.ActAllow, conds: []compat.ScmpCondition{cond(2, compat.CompareMaskedEqual, 3, 0), cond(0, compat.CompareLessOrEqual, 1<<40)}},
			{name: "write", action: compat.ActAllow, conds: []compat.ScmpCondition{cond(0, compat.CompareGreaterEqual, 1), cond(2, compat.CompareLess, 4096)}},
			{name: "ioctl", action: compat.ActKillProcess, conds: []compat.ScmpCondition{cond(1, compat.CompareNotEqual, 0x5412)}}}},
		{name: "number no table has", def: compat.ActAllow, steps: []step{{nr: 0x999, action: eperm}, {nr: 5000, action: enoent}}},
		{name: "x32 number", def: compat.ActAllow, steps: []step{{nr: 0x40000001, action: eperm}}},
		{name: "negative number", def: compat.ActAllow, steps: []step{{nr: -5, action: eperm}}},
		{name: "exact rule for a name the native ABI lacks", def: compat.ActAllow, steps: []step{{name: "socketcall", action: eperm, exact: true}}},
		{name: "exact rule through a multiplexer", def: compat.ActAllow, steps: []step{{arch: specs.ArchX86}, {name: "socket", action: eperm, exact: true}, {name: "getpid", action: eperm, exact: true}}},
		{name: "rules bind the architectures of their time", def: compat.ActAllow, steps: []step{
			{name: "getpid", action: eperm}, {arch: specs.ArchX86}, {name: "getppid", action: enoent}, {name: "socketcall", action: compat.ActKillProcess}}},
		{name: "i386 socket calls, unconditional", def: compat.ActAllow, steps: []step{
			{arch: specs.ArchX86}, {name: "socket", action: eperm}, {name: "connect", action: enoent}, {name: "accept", action: compat.ActTrap}}},
		{name: "i386 ipc call, denied", def: compat.ActAllow, refused: true, steps: []step{
			{arch: specs.ArchX86}, {name: "semop", action: eperm}},
			// ipc(SEMOP) with version 1: the kernel runs semop.
			escape: []filter.SeccompData{{Nr: 117, Arch: tables.I386.Audit, Args: [6]uint64{1<<16 | 1}}}},
		{name: "i386 socket allowlist with conditions", def: eperm, refused: true, steps: []step{
			{arch: specs.ArchX86}, {name: "socket", action: compat.ActAllow, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 1)}}, {name: "socketcall", action: compat.ActAllow, conds: []compat.ScmpCondition{cond(0, compat.CompareEqual, 3)}}},
			// socketcall(SYS_SOCKET, {AF_INET, …}): the domain is in
			// memory, where the filter cannot look.
			escape: []filter.SeccompData{{Nr: 102, Arch: tables.I386.Audit, Args: [6]uint64{1, 0x1000}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := compat.NewFilter(tc.def)
			if err != nil {
				t.Fatal(err)
			}
			calls := make([]Call, len(tc.steps))
			ours := make([]error, len(tc.steps))
			for i, s := range tc.steps {
				if s.arch != "" {
					tok, err := Arch(s.arch)
					if err != nil {
						t.Fatal(err)
					}
					calls[i] = Call{Arch: tok}
					arch, _ := compat.GetArchFromString(runcArch(s.arch))
					ours[i] = f.AddArch(arch)
					continue
				}
				nr, theirNr := compat.ScmpSyscall(s.nr), s.nr
				if s.name != "" {
					if nr, err = compat.GetSyscallFromName(s.name); err != nil {
						t.Fatal(err)
					}
					theirNr = Resolve(s.name)
				}
				calls[i] = Call{Nr: theirNr, Action: nativeAction(s.action), Exact: s.exact}
				for _, c := range s.conds {
					calls[i].Args = append(calls[i].Args, Cmp{Arg: c.Argument, Op: int(c.Op), A: c.Operand1, B: c.Operand2})
				}
				switch {
				case s.exact && s.conds != nil:
					ours[i] = f.AddRuleConditionalExact(nr, s.action, s.conds)
				case s.exact:
					ours[i] = f.AddRuleExact(nr, s.action)
				case s.conds != nil:
					ours[i] = f.AddRuleConditional(nr, s.action, s.conds)
				default:
					ours[i] = f.AddRule(nr, s.action)
				}
			}
			theirs, lib, err := Replay(nativeAction(tc.def), calls)
			if err != nil {
				t.Fatal(err)
			}
			for i := range calls {
				if errnoOf(ours[i]) != theirs[i] {
					t.Errorf("step %d %+v: compat %v, libseccomp %v", i, tc.steps[i], ours[i], theirs[i])
				}
			}
			if tc.refused {
				file, err := os.CreateTemp(t.TempDir(), "bpf")
				if err != nil {
					t.Fatal(err)
				}
				defer file.Close()
				if err := f.ExportBPF(file); !errors.Is(err, profile.ErrMultiplexed) {
					t.Errorf("ExportBPF: %v, want an error wrapping profile.ErrMultiplexed", err)
				}
				for _, d := range tc.escape {
					r, err := filter.Run(lib, &d, tables.I386.ByteOrder())
					if err != nil {
						t.Fatal(err)
					}
					if want := filter.Allow; r.Ret != want {
						t.Errorf("libseccomp gives %v to %+v, not %v: no escape to refuse", r.Ret, d, want)
					}
				}
				return
			}
			prog := exportCompat(t, f)
			var vals []uint64
			for _, s := range tc.steps {
				for _, c := range s.conds {
					vals = append(vals, c.Operand1-1, c.Operand1, c.Operand1+1, c.Operand2, c.Operand2|^c.Operand1, 1<<32|c.Operand1)
				}
			}
			vals = append(vals, 0, math.MaxUint64)
			for _, abi := range []*tables.ABI{tables.X86_64, tables.I386} {
				last := abi.At(abi.Len() - 1).Nr
				for nr := uint32(0); nr <= last+64; nr++ {
					for arg := range 6 {
						for _, v := range vals {
							var d filter.SeccompData
							d.Nr, d.Arch = int32(nr), abi.Audit
							d.Args[arg] = v
							if arg > 0 {
								d.Args[0] = vals[(arg+int(nr))%len(vals)]
							}
							a, err := filter.Run(prog, &d, abi.ByteOrder())
							if err != nil {
								t.Fatal(err)
							}
							b, err := filter.Run(lib, &d, abi.ByteOrder())
							if err != nil {
								t.Fatal(err)
							}
							if a.Ret == b.Ret {
								continue
							}
							name, _ := abi.SyscallName(nr)
							if _, known := Knows(mustArch(t, abi), nr); name != "" && !known {
								continue // newer than libseccomp 2.5.4's table (whyOldTable)
							}
							t.Fatalf("%s %s (%d) args %#x: compat %v, libseccomp %v", abi.Name, name, nr, d.Args, a.Ret, b.Ret)
						}
					}
				}
			}
		})
	}
}

func mustArch(t *testing.T, abi *tables.ABI) uint32 {
	tok, err := Arch(specs.Arch("SCMP_ARCH_" + strings.ToUpper(archName(abi))))
	if err != nil {
		t.Fatal(fmt.Errorf("%s: %w", abi.Name, err))
	}
	return tok
}
