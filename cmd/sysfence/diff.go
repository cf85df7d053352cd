package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

var diffCommand = &command{
	name:         "diff",
	summary:      "show exactly where two filters decide differently, and which is stricter",
	interspersed: true,
	usage: `[--arch ABI] [--subset] A B

Compute where A and B decide system calls differently, over every arch
value, number and argument, and print each difference grouped by ABI and
system call with one example call and both answers, then a summary line:
"B is stricter than A" (B allows nothing A denies, and denies something A
allows), "B is looser than A", "neither", or "A and B decide every call
alike". ALLOW and LOG count as allowing; every other action as denying.

A and B are each one of:
  FILE             raw struct sock_filter records (a program) or a Docker
                   or OCI profile (JSON); "-" reads standard input
  builtin:NAME     a built-in policy (` + strings.Join(seccomp.BuiltinNames(), ", ") + `)
  deny:NAMES       --deny NAMES (EPERM, the rest allowed)
  allow:NAMES      --allow NAMES (the rest killed)
  docker-default   moby's default profile
Policies and profiles are compiled for --arch (default: the ABIs of a
program among A and B, else ` + nativeName() + `).

--subset exits 0 only when B allows nothing A denies, 1 otherwise.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", "to compile policies and profiles for")
		subset := fs.Bool("subset", false, "exit 0 only when B allows nothing A denies")
		return func(inv *invocation) error {
			return runDiff(inv, *arch, *subset)
		}
	},
}

// operand is one side of a diff, read but not yet compiled.
type operand struct {
	name string
	prog *seccomp.Program // a program file
	data []byte           // a profile's JSON
	pol  *seccomp.Policy  // a built-in or a list
	prof bool             // docker-default
	// rulePaths are the JSON paths of a profile's rules, once policy
	// has translated it (profile.Result.RulePaths).
	rulePaths []string
}

func runDiff(inv *invocation, arch string, subset bool) error {
	if err := inv.argCount(2, 2, "A and B, the filters to compare"); err != nil {
		return err
	}
	ops := make([]*operand, 2)
	var abis []*tables.ABI
	for i, arg := range inv.args {
		op, err := readOperand(inv, arg, arch)
		if err != nil {
			return err
		}
		ops[i] = op
		if op.prog != nil && abis == nil {
			abis = op.prog.ABIs()
		}
	}
	if inv.given["arch"] || abis == nil {
		abi, err := lookupABI(inv, "arch", arch)
		if err != nil {
			return err
		}
		abis = []*tables.ABI{abi}
	}
	progs := make([]*seccomp.Program, 2)
	for i, op := range ops {
		prog, err := op.compile(inv, abis)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		progs[i] = prog
	}
	c, err := seccomp.Compare(progs[0], progs[1])
	if err != nil {
		return err
	}
	printDifferences(inv.stdout, c.Differences)
	switch {
	case len(c.Differences) == 0:
		fmt.Fprintln(inv.stdout, "A and B decide every call alike")
	case c.Stricter && c.Looser:
		fmt.Fprintf(inv.stdout, "neither: B allows %s, which A denies, and denies %s, which A allows\n", c.LooserExample, c.StricterExample)
	case c.Stricter:
		fmt.Fprintln(inv.stdout, "B is stricter than A")
	case c.Looser:
		fmt.Fprintln(inv.stdout, "B is looser than A")
	default:
		fmt.Fprintln(inv.stdout, "neither: they allow the same calls and refuse some differently")
	}
	if subset && c.Looser {
		return exitCode(exitInput)
	}
	return nil
}

// printDifferences writes one line per difference, and one line for a
// run of whole calls of one ABI with the same two answers.
func printDifferences(w io.Writer, diffs []seccomp.Difference) {
	for i := 0; i < len(diffs); {
		d := &diffs[i]
		j := i + 1
		for j < len(diffs) && wholeCalls(d) && wholeCalls(&diffs[j]) && diffs[j].ABI == d.ABI && diffs[j].Arch == d.Arch &&
			diffs[j].Example.A == d.Example.A && diffs[j].Example.B == d.Example.B && diffs[j].Kind == d.Kind {
			j++
		}
		if j == i+1 {
			fmt.Fprintf(w, "%s %s: A %s, B %s", archLabel(d), callLabel(d, true), d.Example.A, d.Example.B)
			if !wholeCalls(d) || (d.Nr != d.NrLast && d.NrLast-d.Nr != math.MaxUint32) {
				fmt.Fprintf(w, " (e.g. %s)", d.Example)
			}
			if d.Kind != "" {
				fmt.Fprintf(w, " [%s]", d.Kind)
			}
			fmt.Fprintln(w)
			i = j
			continue
		}
		names := make([]string, 0, j-i)
		for k := i; k < j; k++ {
			names = append(names, callLabel(&diffs[k], false))
		}
		kind := ""
		if d.Kind != "" {
			kind = " [" + d.Kind + "]"
		}
		fmt.Fprintf(w, "%s (%d): A %s, B %s: %s%s\n", archLabel(d), j-i, d.Example.A, d.Example.B, strings.Join(names, ", "), kind)
		i = j
	}
}

// wholeCalls reports whether every call of the difference's numbers
// differs, whatever its arguments.
func wholeCalls(d *seccomp.Difference) bool { return d.Args == "" && d.Mask == 0 }

// archLabel names the ABI of a difference, or the arch values no ABI has.
func archLabel(d *seccomp.Difference) string {
	switch {
	case d.ABI != nil:
		return d.ABI.Name
	case d.Archs > 1:
		return fmt.Sprintf("%d arch values no ABI has (such as %#x)", d.Archs, d.Arch)
	}
	return fmt.Sprintf("arch %#x (no ABI has it)", d.Arch)
}

// callLabel names the calls of a difference: "mount (nr 165)" (or
// "mount" when short), "nr 999", "nr 468-4294967295".
func callLabel(d *seccomp.Difference, long bool) string {
	var b strings.Builder
	switch {
	case d.Mask != 0:
		fmt.Fprintf(&b, "numbers with nr & %#x == %#x", d.Mask, d.Nr)
	case d.Syscall != "" && long:
		fmt.Fprintf(&b, "%s (nr %d)", d.Syscall, d.Nr)
	case d.Syscall != "":
		b.WriteString(d.Syscall)
	case d.Nr == 0 && d.NrLast == math.MaxUint32:
		b.WriteString("every number")
	case d.Nr == d.NrLast:
		fmt.Fprintf(&b, "nr %d", d.Nr)
	default:
		fmt.Fprintf(&b, "nr %d-%d", d.Nr, d.NrLast)
	}
	if d.Args != "" {
		fmt.Fprintf(&b, " where %s", d.Args)
	}
	return b.String()
}

// readOperand reads one side of a diff.
func readOperand(inv *invocation, arg, arch string) (*operand, error) {
	op := &operand{name: arg}
	kind, value, _ := strings.Cut(arg, ":")
	switch {
	case arg == dockerDefault:
		op.prof = true
		return op, nil
	case kind == "builtin":
		p, err := seccomp.BuiltinPolicy(value)
		if err != nil {
			return nil, usagef("%s: %v", arg, err)
		}
		op.pol = p
		return op, nil
	case kind == "deny" || kind == "allow":
		var pf policyFlags
		fs := flag.NewFlagSet("diff", flag.ContinueOnError)
		pf.define(fs, false)
		if err := fs.Parse([]string{"--" + kind, value}); err != nil {
			return nil, usagef("%s: %v", arg, err)
		}
		pf.given = map[string]bool{kind: true}
		abi, err := lookupABI(inv, "arch", arch)
		if err != nil {
			return nil, err
		}
		p, err := pf.rules(abi)
		if err != nil {
			return nil, err
		}
		op.pol = p
		return op, nil
	}
	data, err := readFileBounded(inv, arg, maxProfileBytes)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		op.data = data
		return op, nil
	}
	var abis []*tables.ABI
	if inv.given["arch"] {
		abi, err := parseABI("arch", arch)
		if err != nil {
			return nil, err
		}
		abis = append(abis, abi)
	}
	prog, err := seccomp.ReadProgram(bytes.NewReader(data), abis...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", arg, err)
	}
	op.prog = prog
	return op, nil
}

// abis returns the ABIs to compile the operand for: those of a program
// file unless --arch is given, else the ABI --arch names (the native one
// by default).
func (op *operand) abis(inv *invocation, arch string) ([]*tables.ABI, error) {
	if op.prog != nil && !inv.given["arch"] {
		return op.prog.ABIs(), nil
	}
	abi, err := lookupABI(inv, "arch", arch)
	if err != nil {
		return nil, err
	}
	return []*tables.ABI{abi}, nil
}

// loadFilter reads the filter arg names, as diff reads A and B, and
// returns it with its program and, for a policy or a profile, its policy,
// compiled for --arch (a program file: for the ABIs it checks for).
func loadFilter(inv *invocation, arg, arch string) (*operand, *seccomp.Program, *seccomp.Policy, error) {
	op, err := readOperand(inv, arg, arch)
	if err != nil {
		return nil, nil, nil, err
	}
	abis, err := op.abis(inv, arch)
	if err != nil {
		return nil, nil, nil, err
	}
	pol, err := op.policy(inv, abis)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", op.name, err)
	}
	prog := op.prog
	if prog == nil {
		if prog, err = pol.Compile(); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", op.name, err)
		}
	}
	return op, prog, pol, nil
}

// compile returns the operand's program for abis.
func (op *operand) compile(inv *invocation, abis []*tables.ABI) (*seccomp.Program, error) {
	if op.prog != nil {
		return op.prog, nil
	}
	p, err := op.policy(inv, abis)
	if err != nil {
		return nil, err
	}
	return p.Compile()
}

// policy returns the operand's policy for abis: nil for a program file.
func (op *operand) policy(inv *invocation, abis []*tables.ABI) (*seccomp.Policy, error) {
	switch {
	case op.prog != nil:
		return nil, nil
	case op.pol != nil:
		p := *op.pol
		p.ABIs = abis
		return &p, nil
	}
	pf := profileFlags{file: op.name, rep: new(reporter)}
	var prof *profile.Profile
	var err error
	if op.prof {
		prof, err = profile.Default()
	} else {
		prof, err = profile.Parse(op.data)
	}
	if err != nil {
		return nil, err
	}
	opts, err := pf.options(abis[0], "", "")
	if err != nil {
		return nil, err
	}
	res, err := prof.Translate(opts)
	if err != nil {
		return nil, err
	}
	pf.report(res, inv.stderr)
	pf.flushNotes(inv.stderr)
	op.rulePaths = res.RulePaths
	return res.Policy, nil
}
