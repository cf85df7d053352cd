package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

var compileCommand = &command{
	name:         "compile",
	summary:      "compile a deny- or allowlist or a profile into a seccomp program",
	interspersed: true,
	usage: `[--builtin NAME | --deny NAMES | --allow NAMES | --profile FILE]
	[--errno E] [--default ACTION] [--foreign ACTION] [--unknown ACTION]
	[--caps CAPS] [--kernel X.Y] [--strict] [--first-match]
	[--arch ABI] [--weights FILE] [--format bpf|disasm|c] [-o FILE]
   or: sysfence compile [policy flags] --format go --package P [--name N] -o PREFIX

Compile a policy for one ABI and write it: as raw struct sock_filter
records in the ABI's byte order (bpf, what bwrap --seccomp FD reads), as
bpf_asm text (disasm), or as C (c): a struct sock_filter N_filter[] array
of BPF_STMT and BPF_JUMP macros and the struct sock_fprog N_fprog that
points to it, for prctl(PR_SET_SECCOMP) or seccomp(2). With neither
--deny, --allow nor --profile the policy is the built-in --builtin NAME
("sandbox" by default). ACTION is ` + actionHelp + `.
Names the ABI does not have are skipped and reported on stderr. On an
ABI with socketcall or ipc (x86, s390x, ppc64, mips), a name the
multiplexer also performs is denied or allowed through it too, and
stderr says so ("accept on x86: only through socketcall(5)"). --deny and
--allow take numbers too (451, 0x1c3, -1), as seccomp_data.nr holds them.
A policy that does not do what its flags suggest (a --foreign or
--unknown that lets calls run around --deny or --allow, a --default that
makes the list change nothing) is warned about, one line each; --quiet
says nothing but errors.

--weights FILE takes the counts "sysfence learn --counts FILE" wrote
(NAME COUNT a line): the search over syscall numbers puts the calls the
program made most the fewest instructions away. It changes the
program's length and speed, never a decision.

` + profileHelp + `

--format go writes Go source for a //go:generate line: one file for each
Linux GOARCH, PREFIX_linux_<goarch>.go, constrained to it by //go:build
and holding the program compiled for that GOARCH's native ABI (and the
compat ABIs a profile covers there: x86 and x32 on amd64), and
PREFIX_other.go for every other platform, whose empty program NewProgram
refuses. PREFIX may start with a directory; it must not name one. Each
file defines, in package P,

	var NABIs []*tables.ABI          // the ABIs the program covers
	var NInsns []filter.Instruction // the program

(N is "program" by default), which the package turns into a verified
*seccomp.Program with seccomp.NewProgram(NInsns, NABIs...). The first
line names this command, which go generate reruns; give --kernel with a
profile, or its minKernel rules follow the kernel go generate runs on.
--arch does not apply: every GOARCH gets its own. A profile that names
its architectures (as those sysfence profile and learn write do) is for
the GOARCHes whose native ABI it names: the others get the empty program
too, and a note on stderr.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, true)
		var o compileOptions
		arch := archFlag(fs, "arch", "to compile for (default "+nativeName()+")")
		fs.StringVar(&o.format, "format", "bpf", "output `FORMAT`: bpf, disasm, c or go")
		fs.StringVar(&o.out, "o", "", "write to `FILE` instead of standard output (with --format go: the PREFIX of the files)")
		fs.StringVar(&o.pkg, "package", "", "the Go package `P` of the files --format go writes")
		fs.StringVar(&o.name, "name", "program", "the `N` of the names --format go and c define")
		fs.StringVar(&o.weights, "weights", "", "weigh the search by the call counts in `FILE` (as learn --counts writes)")
		return func(inv *invocation) error {
			pf.bind(inv)
			o.arch = *arch
			return runCompile(inv, &pf, &o)
		}
	},
}

// compileOptions are compile's own flags.
type compileOptions struct {
	arch, format, out, pkg, name string
	weights                      string
}

func runCompile(inv *invocation, pf *policyFlags, o *compileOptions) error {
	if err := inv.argCount(0, 0, ""); err != nil {
		return err
	}
	switch o.format {
	case "go":
		return compileGo(inv, pf, o)
	case "bpf", "disasm", "c":
	default:
		return usagef("--format %s: want bpf, disasm, c or go", o.format)
	}
	if inv.given["package"] {
		return usagef("--package applies to --format go")
	}
	if o.format == "c" && !isCIdentifier(o.name) {
		return usagef("--name %s: not a C identifier", o.name)
	}
	abi, err := lookupABI(inv, "arch", o.arch)
	if err != nil {
		return err
	}
	p, err := pf.policy(abi)
	if err != nil {
		return err
	}
	if p.Weights, err = readWeights(o.weights); err != nil {
		return err
	}
	prog, err := pf.compile(p, inv.stderr)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch o.format {
	case "bpf":
		if o.out == "" && isTerminal(inv.stdout) {
			return usagef("not writing a binary program to a terminal; use -o FILE or --format disasm")
		}
		prog.WriteTo(&b)
	case "disasm":
		b.WriteString(disasm(prog))
	case "c":
		writeC(&b, prog, abi, o.name, generatedBy(inv))
	}
	if o.out == "" {
		_, err := inv.stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(o.out, b.Bytes(), 0o644); err != nil {
		return runtimeError{err}
	}
	return nil
}

// disasm returns bpf_asm text that starts with comments that say what
// it is for: every ABI the program covers, its length, and, for an
// x86_64 program that does not cover x32, what x32 calls get (they share
// x86_64's arch value, so no arch check shows it).
func disasm(prog *seccomp.Program) string {
	var names []string
	for _, abi := range prog.ABIs() {
		names = append(names, abi.Name)
	}
	text := fmt.Sprintf("; %s: %d instructions\n", strings.Join(names, ", "), prog.Len())
	if containsABI(prog.ABIs(), tables.X86_64) && !containsABI(prog.ABIs(), tables.X32) {
		read, _ := tables.X32.Number("read")
		if act, err := prog.EvaluateNr(tables.X32, read); err == nil {
			text += fmt.Sprintf("; x32 calls (numbers with bit %#x set) get the foreign action, %s\n", tables.X32.NrBit, act)
		}
	}
	return text + filter.Disassemble(prog.Instructions(), prog.ABIs()...)
}

func containsABI(abis []*tables.ABI, abi *tables.ABI) bool {
	for _, a := range abis {
		if a == abi {
			return true
		}
	}
	return false
}

// compileGo writes the Go source of --format go, one file for each Linux
// GOARCH and one for the rest. It renders every file before it writes
// any.
func compileGo(inv *invocation, pf *policyFlags, o *compileOptions) error {
	switch {
	case inv.given["arch"]:
		return usagef("--arch does not apply to --format go, which compiles for every GOARCH")
	case !inv.given["package"]:
		return usagef("--format go needs --package, the package of the files")
	case !token.IsIdentifier(o.pkg):
		return usagef("--package %s: not a Go identifier", o.pkg)
	case !token.IsIdentifier(o.name):
		return usagef("--name %s: not a Go identifier", o.name)
	case o.out == "":
		return usagef("--format go writes a file for each GOARCH: name their prefix with -o, as in -o zseccomp")
	}
	if st, err := os.Stat(o.out); (err == nil && st.IsDir()) || strings.HasSuffix(o.out, string(filepath.Separator)) {
		return usagef("-o %s names a directory; --format go takes a file prefix, such as %s", o.out, filepath.Join(o.out, "zseccomp"))
	}
	// A profile that names its architectures is for machines whose
	// native ABI is among them: on the others (a profile sysfence
	// profile wrote for x86_64, on arm64 or mips) libseccomp adds the
	// native ABI, or refuses one of the other byte order (EDOM). Those
	// GOARCHes get no program, as the platforms without seccomp.
	var forABIs []*tables.ABI
	if pf.prof != nil && pf.prof.isGiven() {
		prof, err := pf.prof.read()
		if err != nil {
			return err
		}
		for _, a := range prof.Architectures {
			if abi, ok := profile.ABIOf(a); ok && abi != nil {
				forABIs = append(forABIs, abi)
			}
		}
	}
	g := goFile{pkg: o.pkg, name: o.name, header: generatedBy(inv)}
	pf.manyABIs = true // one note for every GOARCH, below
	files := make(map[string][]byte)
	var names, skipped []string
	for _, goarch := range linuxGOARCHes() {
		abi := goarchABI(goarch)
		var prog *seccomp.Program
		var p *seccomp.Policy
		var err error
		if !slices.Contains(forABIs, abi) && len(forABIs) > 0 {
			skipped = append(skipped, goarch)
		} else {
			p, err = pf.policy(abi)
		}
		switch {
		case p == nil && err == nil:
		case errors.Is(err, profile.ErrByteOrder):
			skipped = append(skipped, goarch)
		case err != nil:
			return err
		default:
			if p.Weights, err = readWeights(o.weights); err != nil {
				return err
			}
			if prog, err = pf.compile(p, inv.stderr); err != nil {
				return fmt.Errorf("GOARCH %s: %w", goarch, err)
			}
		}
		src, err := g.render(goarch, prog)
		if err != nil {
			return err
		}
		name := o.out + "_linux_" + goarch + ".go"
		files[name] = src
		names = append(names, name)
	}
	if pf.result != nil {
		pf.prof.flushNotes(inv.stderr)
	}
	pf.flushSkipped(inv.stderr)
	if len(skipped) > 0 {
		pf.rep.note(inv.stderr, fmt.Sprintf("no program for GOARCH %s, whose native ABI the profile's architectures do not name; NewProgram refuses the empty program there", strings.Join(skipped, ", ")))
	}
	src, err := g.render("", nil)
	if err != nil {
		return err
	}
	name := o.out + "_other.go"
	files[name] = src
	names = append(names, name)
	for _, name := range names {
		if err := os.WriteFile(name, files[name], 0o644); err != nil {
			return runtimeError{err}
		}
	}
	return nil
}

// generatedBy returns the command line as a shell would read it, for the
// first line of generated files.
func generatedBy(inv *invocation) string {
	words := []string{"sysfence"}
	for _, a := range inv.line {
		words = append(words, shellQuote(a))
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
