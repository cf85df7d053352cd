package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
	"github.com/sysfence/seccomp/tables"
)

var explainCommand = &command{
	name:         "explain",
	summary:      "say why a filter gives a call its action: the path, the rule, or an audit line resolved",
	interspersed: true,
	usage: `[--arch ABI] [--call-arch ABI] FILTER SYSCALL [ARG...]
   or: sysfence explain [--arch ABI] FILTER --audit LINE|-

Run FILTER on one call and print the action, the instructions the call
runs through and, when FILTER is a policy or a profile, the rule that
decided (the JSON path of the profile's entry, as syscalls[12], or the
index of the rule in the policy, with its call and action;
"default", "unknown number" or "foreign ABI" when no rule did). FILTER is
a program file, a profile, builtin:NAME, deny:NAMES, allow:NAMES or
docker-default, as in diff. SYSCALL is a name or a number of --call-arch
(default: --arch, or the program's first ABI); ARGs as in simulate.

--audit LINE explains a kernel audit record of a seccomp decision
(type=1326, as dmesg, journalctl or ausearch print it: "... arch=c000003e
syscall=101 ... code=0x50001"): it resolves arch and syscall to the ABI
and the call's name, and explains the call against FILTER. The record
holds no arguments: when the decision depends on them, every region of
arguments and its action is listed. "--audit -" reads records from
standard input, one per line; lines without "type=1326" or "SECCOMP" are
skipped.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", "to compile policies and profiles for")
		callArch := archFlag(fs, "call-arch", "the call is made through (default: --arch)")
		audit := fs.String("audit", "", "explain the kernel audit `LINE` (type=1326); - reads lines from stdin")
		return func(inv *invocation) error {
			return runExplain(inv, *arch, *callArch, *audit)
		}
	},
}

func runExplain(inv *invocation, arch, callArch, audit string) error {
	const want = "FILTER SYSCALL [ARG...] with at most 6 ARGs, or FILTER --audit LINE"
	if err := inv.argCount(1, 8, want); err != nil {
		return err
	}
	op, prog, pol, err := loadFilter(inv, inv.args[0], arch)
	if err != nil {
		return err
	}
	e := &explainer{inv: inv, prog: prog, pol: pol, paths: op.rulePaths}
	if audit != "" {
		if len(inv.args) != 1 {
			return usagef("--audit takes no SYSCALL or ARGs")
		}
		if audit != "-" {
			return e.audit(audit)
		}
		sc := bufio.NewScanner(io.LimitReader(inv.stdin, 64<<20))
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if !strings.Contains(line, "type=1326") && !strings.Contains(line, "SECCOMP") {
				continue
			}
			if n > 0 {
				fmt.Fprintln(inv.stdout)
			}
			n++
			if err := e.audit(line); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return runtimeError{err}
		}
		if n == 0 {
			return fmt.Errorf("no audit record of a seccomp decision (type=1326) on standard input")
		}
		return nil
	}
	if err := inv.argCount(2, 8, want); err != nil {
		return err
	}
	rest := inv.args[1:]
	call := prog.ABIs()[0]
	if inv.given["call-arch"] {
		if call, err = parseABI("call-arch", callArch); err != nil {
			return err
		}
	}
	nr, err := syscallNumber(call, rest[0])
	if err != nil {
		return err
	}
	d := filter.SeccompData{Arch: call.Audit, Nr: int32(nr)}
	for i, a := range rest[1:] {
		if d.Args[i], err = parseArg(call, a); err != nil {
			return usagef("argument %d: %v", i, err)
		}
	}
	return e.call(call, &d)
}

// explainer explains calls against one program and, when known, the
// policy it was compiled from.
type explainer struct {
	inv  *invocation
	prog *seccomp.Program
	pol  *seccomp.Policy // nil for a program file
	// paths are the JSON paths of a profile's rules, nil otherwise.
	paths []string
}

// call prints what the program does with d, made through abi.
func (e *explainer) call(abi *tables.ABI, d *filter.SeccompData) error {
	w := e.inv.stdout
	res, path, err := filter.RunPath(e.prog.Instructions(), d, e.prog.ByteOrder())
	if err != nil {
		return err
	}
	name, ok := abi.SyscallName(uint32(d.Nr))
	if !ok {
		name = "not in " + abi.Name + "'s table"
	}
	fmt.Fprintf(w, "call:   %s nr %d (%s) args %#x\n", abi.Name, uint32(d.Nr), name, d.Args)
	act, _ := e.prog.EvaluateNr(abi, uint32(d.Nr), d.Args[:]...)
	if act == "" {
		act = seccomp.ActionOf(res.Ret)
	}
	fmt.Fprintf(w, "action: %s\n", act)
	if e.pol != nil {
		dec, err := e.pol.Explain(abi, uint32(d.Nr), d.Args[:]...)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "rule:   %s\n", e.rule(dec))
		if dec.Action != act {
			fmt.Fprintf(w, "        (the policy says %s, the program %s: the program is not this policy's)\n", dec.Action, act)
		}
	}
	insns := e.prog.Instructions()
	fmt.Fprintf(w, "path:   %d instructions\n", len(path))
	for i, pc := range path {
		ins := insns[pc]
		note := ""
		switch {
		case ins.IsConditionalJump() && i+1 < len(path):
			if path[i+1] == pc+1+int(ins.Jt) {
				note = fmt.Sprintf("true: to %d", path[i+1])
			} else {
				note = fmt.Sprintf("false: to %d", path[i+1])
			}
		case ins.Code == filter.BPF_LD|filter.BPF_W|filter.BPF_ABS:
			note = fieldName(ins.K, e.prog.ByteOrder())
		}
		if note == "" {
			fmt.Fprintf(w, "  %4d  %v\n", pc, ins)
			continue
		}
		fmt.Fprintf(w, "  %4d  %-28v ; %s\n", pc, ins, note)
	}
	return nil
}

// fieldName names the word of seccomp_data at byte offset off.
func fieldName(off uint32, order binary.ByteOrder) string {
	switch {
	case off == filter.OffsetNr:
		return "nr"
	case off == filter.OffsetArch:
		return "arch"
	case off >= filter.SeccompDataSize:
		return ""
	}
	name := "instruction_pointer"
	if off >= filter.OffsetArgs {
		name = fmt.Sprintf("args[%d]", (off-filter.OffsetArgs)/8)
	}
	if (off%8 == 0) == (order == binary.BigEndian) {
		return name + " high"
	}
	return name + " low"
}

// rule describes the rule of a decision.
func (e *explainer) rule(d *seccomp.Decision) string {
	switch {
	case d.Rule >= 0:
		r := e.pol.Rules[d.Rule]
		s := fmt.Sprintf("Rules[%d]: %s %s", d.Rule, r.Syscall, r.Action)
		if d.Rule < len(e.paths) {
			s = fmt.Sprintf("%s of the profile: %s %s", e.paths[d.Rule], r.Syscall, r.Action)
		}
		for _, c := range r.Args {
			s += fmt.Sprintf(" if %s", c)
		}
		return s
	case d.By == "Unknown":
		return "none: a number the table lacks gets Unknown"
	case d.By == "Foreign":
		return "none: an ABI the policy does not cover gets Foreign"
	}
	return "none: Default"
}

// audit explains one audit record.
func (e *explainer) audit(line string) error {
	fields := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = strings.Trim(v, `"`)
		}
	}
	archHex, nrDec := fields["arch"], fields["syscall"]
	if archHex == "" || nrDec == "" {
		return fmt.Errorf("not an audit record of a seccomp decision: no arch= or syscall= in %q", line)
	}
	audit, err := strconv.ParseUint(archHex, 16, 32)
	if err != nil {
		return fmt.Errorf("audit record: arch=%s is not a hexadecimal AUDIT_ARCH value", archHex)
	}
	nr, err := strconv.ParseInt(nrDec, 10, 64)
	if err != nil || nr < -1<<31 || nr >= 1<<32 {
		return fmt.Errorf("audit record: syscall=%s is not a system-call number", nrDec)
	}
	w := e.inv.stdout
	abi, ok := tables.ByCall(uint32(audit), uint32(nr))
	if !ok {
		fmt.Fprintf(w, "record: arch %#x is no ABI this module knows; nr %d\n", audit, nr)
	}
	if code := fields["code"]; code != "" {
		if c, err := strconv.ParseUint(strings.TrimPrefix(code, "0x"), 16, 32); err == nil {
			fmt.Fprintf(w, "record: the kernel's action was %s", seccomp.ActionOf(filter.Action(c)))
			if comm := fields["comm"]; comm != "" {
				fmt.Fprintf(w, " for %s (pid %s)", comm, fields["pid"])
			}
			fmt.Fprintln(w)
		}
	}
	if abi == nil {
		return nil
	}
	// The record has no arguments: say whether they matter.
	s := analysis.NewSpace()
	f, err := s.Analyze(e.prog.Instructions(), e.prog.ByteOrder())
	if err != nil {
		return err
	}
	sub := s.Fix(s.Fix(f, analysis.FieldArch, uint32(audit)), analysis.FieldNr, uint32(nr))
	d := filter.SeccompData{Arch: uint32(audit), Nr: int32(nr)}
	if _, leaf := s.IsLeaf(sub); leaf {
		return e.call(abi, &d)
	}
	fmt.Fprintf(w, "record: the decision depends on the arguments, which the record does not hold:\n")
	n := 0
	s.Cubes(sub, func(c *analysis.Cube, v uint32) bool {
		if n++; n > 16 {
			fmt.Fprintln(w, "  …")
			return false
		}
		fmt.Fprintf(w, "  %s: %s\n", c, seccomp.ActionOf(filter.Action(v)))
		return true
	})
	return e.call(abi, &d)
}
