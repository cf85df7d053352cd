package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// Tests of the command line's conventions, the same in every command:
// flags, errors, suggestions, exit statuses, help.

// The commands behave alike: flags after arguments, one-sentence errors,
// exit statuses by kind, help, version.
func TestCommandLineConsistency(t *testing.T) {
	t.Parallel()
	file := compileFile(t, "--deny", "ptrace", "--arch", "aarch64")
	t.Run("flags after arguments", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"syscalls", "ptrace", "--arch", "aarch64"}, "117\n"},
			{[]string{"disasm", file, "--arch", "aarch64"}, "; ptrace"},
			{[]string{"stats", file, "--arch", "aarch64"}, "abi:           aarch64"},
			{[]string{"simulate", file, "ptrace", "--arch", "aarch64"}, "action: errno:EPERM"},
			{[]string{"compile", "--deny", "ptrace", "--format", "disasm", "--arch", "aarch64"}, "; aarch64"},
		} {
			code, out, stderr := sysfence(tt.args...)
			if code != 0 || !strings.Contains(out, tt.want) || stderr != "" {
				t.Errorf("%q: exit %d, stderr %q, stdout\n%s", tt.args, code, stderr, out)
			}
		}
	})
	t.Run("one sentence", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--deny", "ptrace", "--errno", "99999", "--format", "disasm")
		want := "sysfence compile: --errno 99999: \"99999\" is not an error number from 0 to 4095\n"
		if code != exitUsage || stderr != want {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitUsage, want)
		}
		code, _, stderr = sysfence("compile", "--deny", "ptrac", "--format", "disasm")
		want = "sysfence compile: --deny: unknown system call \"ptrac\" (did you mean ptrace?)\n"
		if code != exitInput || stderr != want {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitInput, want)
		}
	})
	t.Run("rules named as written", func(t *testing.T) {
		pf := policyFlags{list: "deny", names: []string{"ptrace", "mount"}}
		err := pf.explain(&seccomp.PolicyError{Field: "Rules[1].Action", Syscall: "mount", ABI: "x86_64",
			Err: fmt.Errorf("%w: bad", seccomp.ErrInvalidRule)})
		if got, want := message(err), "--deny mount (name 2 of 2) on x86_64: invalid rule: bad"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("unknown flag once", func(t *testing.T) {
		for _, c := range commands {
			code, _, stderr := sysfence(c.name, "--bogus")
			want := exitUsage
			if c.execs {
				want = exitOwnFailure
			}
			if code != want || strings.Count(stderr, "bogus") != 1 || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s --bogus: exit %d, stderr %q", c.name, code, stderr)
			}
		}
	})
	t.Run("exit status by kind", func(t *testing.T) {
		for _, tt := range []struct {
			code int
			args []string
		}{
			{exitUsage, []string{"compile", "--arch", "vax"}},
			{exitUsage, []string{"disasm", "--arch", "vax", file}},
			{exitUsage, []string{"simulate", "--call-arch", "vax", file, "read"}},
			{exitUsage, []string{"syscalls", "--arch", "vax"}},
			{exitOwnFailure, []string{"run", "--arch", "x86_64", "--", "true"}},
			{exitUsage, []string{"compile", "--default", "permit", "--deny", "ptrace"}},
			{exitUsage, []string{"disasm"}},
			{exitUsage, []string{"version", "extra"}},
			{exitInput, []string{"compile", "--deny", "nosuchcall"}},
			{exitInput, []string{"syscalls", "nosuchcall"}},
			{exitInput, []string{"simulate", file, "nosuchcall"}},
			{exitInput, []string{"disasm", file, "--arch", "x86_64"}},
			{exitRuntime, []string{"disasm", filepath.Join(t.TempDir(), "missing")}},
			{exitRuntime, []string{"compile", "--deny", "ptrace", "-o", filepath.Join(t.TempDir(), "no", "dir")}},
		} {
			if code, _, stderr := sysfence(tt.args...); code != tt.code {
				t.Errorf("%q: exit %d, want %d; stderr %q", tt.args, code, tt.code, stderr)
			}
		}
	})
	t.Run("help", func(t *testing.T) {
		for _, c := range commands {
			code1, help, _ := sysfence("help", c.name)
			code2, flagHelp, _ := sysfence(c.name, "--help")
			if code1 != 0 || code2 != 0 || help != flagHelp || !strings.HasPrefix(help, "usage: sysfence "+c.name) {
				t.Errorf("help %s: exit %d, %s --help: exit %d; outputs differ or lack the usage:\n%s", c.name, code1, c.name, code2, help)
			}
		}
	})
	t.Run("version", func(t *testing.T) {
		for _, args := range [][]string{{"version"}, {"--version"}} {
			code, out, _ := sysfence(args...)
			if code != 0 || !strings.Contains(out, "github.com/sysfence/seccomp") || !strings.Contains(out, "tables: Linux "+tables.X86_64.Kernel) {
				t.Errorf("%q: exit %d, stdout %q", args, code, out)
			}
		}
	})
	t.Run("x32 note in disasm only", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--deny", "ptrace", "--arch", "x86_64", "-o", filepath.Join(t.TempDir(), "f"))
		if code != 0 || stderr != "" {
			t.Errorf("exit %d, stderr %q; want nothing on stderr", code, stderr)
		}
	})
	t.Run("CSV header", func(t *testing.T) {
		_, out, _ := sysfence("syscalls", "--arch", "all", "ptrace")
		if !strings.HasPrefix(out, "arch,name,nr\nx86_64,ptrace,101\n") {
			t.Errorf("syscalls --arch all ptrace printed\n%s", out)
		}
	})
}

// One list of commands, in main.go, and one --arch helper, so every --arch
// (and --call-arch) reads alike.
func TestOneArchFlagHelper(t *testing.T) {
	t.Parallel()
	_, usage, _ := sysfence("help")
	last := -1
	for _, c := range commands {
		i := strings.Index(usage, "\n  "+c.name+" ")
		if i < last {
			t.Errorf("help lists %s out of order or not at all", c.name)
		}
		last = i
	}
	var tails []string
	for _, c := range commands {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.setup(fs)
		for _, name := range []string{"arch", "call-arch"} {
			if f := fs.Lookup(name); f != nil {
				_, tail, _ := strings.Cut(f.Usage, ". ")
				tails = append(tails, tail)
			}
		}
	}
	if len(tails) != 12 || len(slices.Compact(tails)) != 1 { // compile, profile, disasm, stats, simulate (two), verify, diff, lint, explain (two), syscalls
		t.Errorf("--arch help differs between commands, or some do not have it: %q", tails)
	}
}

// A misspelt command, flag, action, errno, capability or system call gets
// one line with a suggestion, worded alike everywhere.
func TestSuggestions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compil"}, exitUsage, `unknown command "compil" (did you mean compile?)`},
		{[]string{"compile", "--dney", "ptrace"}, exitUsage, "unknown flag --dney (did you mean --deny?)"},
		{[]string{"stats", "--profil=x.json"}, exitUsage, "unknown flag --profil=x.json (did you mean --profile?)"},
		{[]string{"compile", "--deny", "ptrace", "--errno", "EPRM"}, exitUsage, `--errno EPRM: "EPRM" is not an error name on x86_64 (did you mean EPERM?)`},
		{[]string{"compile", "--deny", "ptrace", "--default", "errno:EACESS"}, exitUsage, "(did you mean EACCES?)"},
		{[]string{"compile", "--allow", "read", "--default", "kill-proces"}, exitUsage, "(did you mean kill-process?)"},
		{[]string{"compile", "--deny", "ptrac"}, exitInput, `unknown system call "ptrac" (did you mean ptrace?)`},
		{[]string{"syscalls", "--arch", "x86_64", "ptrac"}, exitInput, `unknown system call "ptrac" on x86_64 (did you mean ptrace?)`},
		{[]string{"compile", "--arch", "aarch46"}, exitUsage, `unknown ABI "aarch46" (did you mean aarch64?)`},
	} {
		code, _, stderr := sysfence(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and one line with %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// Messages say "system call", never "syscall", and suggest with "did you
// mean", never "nearest:".
func TestOneWordPerConcept(t *testing.T) {
	t.Parallel()
	file := compileFile(t, "--deny", "ptrace", "--arch", "x86_64")
	syscallWord := regexp.MustCompile(`\bsyscall\b`)
	for _, args := range [][]string{
		{"syscalls", "--arch", "x86_64", "opnat"},
		{"syscalls", "--arch", "aarch64", "open"},
		{"syscalls", "--arch", "x86_64", "9999"},
		{"syscalls", "--arch", "all", "frobnicate"},
		{"simulate", file, "opnat"},
		{"simulate", file, "iopl", "--call-arch", "aarch64"},
		{"compile", "--deny", "opnat"},
		{"compile", "--allow", "read,opnat"},
		{"run", "--supervise", "log=opnat", "--", "true"},
	} {
		_, _, stderr := sysfence(args...)
		if stderr == "" || syscallWord.MatchString(stderr) || strings.Contains(stderr, "nearest") {
			t.Errorf("%q: stderr %q; want an error that says system call and did you mean", args, stderr)
		}
	}
}

// --arch and --call-arch take libseccomp's names with or without
// SCMP_ARCH_, GOARCHes and Debian's names; an empty value is an error, not
// the default.
func TestArchNames(t *testing.T) {
	t.Parallel()
	file := compileFile(t, "--deny", "ptrace", "--arch", "x86_64")
	for name, abi := range map[string]*tables.ABI{
		"ppc64el": tables.PPC64LE, "powerpc64le": tables.PPC64LE, "powerpc64": tables.PPC64,
		"mipsn32": tables.MIPS64N32, "mipsn32el": tables.MIPS64N32EL,
		"mipsel64": tables.MIPS64EL, "mipsel64n32": tables.MIPS64N32EL,
		"SCMP_ARCH_X86_64": tables.X86_64, "SCMP_ARCH_AARCH64": tables.AArch64, "scmp_arch_x86": tables.I386,
		"SCMP_ARCH_MIPSEL64N32": tables.MIPS64N32EL, "SCMP_ARCH_PPC64LE": tables.PPC64LE,
		"amd64": tables.X86_64, "i386": tables.I386, "armhf": tables.ARM, "loong64": tables.LoongArch64,
	} {
		code, out, stderr := sysfence("compile", "--deny", "read", "--arch", name, "--format", "disasm")
		if code != 0 || !strings.HasPrefix(out, "; "+abi.Name+":") {
			t.Errorf("compile --arch %s: exit %d, stderr %q, first line %q; want %s", name, code, stderr, strings.SplitN(out, "\n", 2)[0], abi.Name)
		}
	}
	if _, ok := tables.Lookup("SCMP_ARCH_"); ok {
		t.Error(`tables.Lookup("SCMP_ARCH_") found an ABI`)
	}
	for _, args := range [][]string{
		{"compile", "--arch", "", "--format", "disasm"},
		{"compile", "--arch=", "--format", "disasm"},
		{"profile", "--arch", ""},
		{"syscalls", "--arch", "", "read"},
		{"disasm", file, "--arch", ""},
		{"simulate", file, "read", "--call-arch", ""},
		{"stats", "--profile", dockerDefault, "--arch", ""},
	} {
		code, _, stderr := sysfence(args...)
		if code != exitUsage || !strings.Contains(stderr, "names no ABI") {
			t.Errorf("%q: exit %d, stderr %q; want %d, saying it names no ABI", args, code, stderr, exitUsage)
		}
	}
}

// A number without the bit every x32 number carries says so, and which
// call the number with the bit is.
func TestSyscallsX32NumberHint(t *testing.T) {
	t.Parallel()
	code, _, stderr := sysfence("syscalls", "--arch", "x32", "39")
	if code != exitInput || !strings.Contains(stderr, "0x40000000") || !strings.Contains(stderr, "0x40000027, is getpid") {
		t.Errorf("syscalls --arch x32 39: exit %d, stderr %q; want the x32 bit and getpid", code, stderr)
	}
	if code, out, _ := sysfence("syscalls", "--arch", "x32", "0x40000027"); code != 0 || out != "getpid\n" {
		t.Errorf("syscalls --arch x32 0x40000027: exit %d, stdout %q", code, out)
	}
}

// Every wrong number of arguments is a usage error worded by one helper,
// naming what the command takes and where its help is.
func TestArgumentCountErrors(t *testing.T) {
	t.Parallel()
	file := compileFile(t, "--deny", "ptrace", "--arch", "x86_64")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"disasm"}, "want one FILE (- for stdin), got 0 arguments (see sysfence help disasm)"},
		{[]string{"disasm", file, file}, "want one FILE (- for stdin), got 2 arguments (see sysfence help disasm)"},
		{[]string{"stats"}, "want one FILE (- for stdin) or --profile FILE, got 0 arguments (see sysfence help stats)"},
		{[]string{"stats", "--profile", smallProfile, file}, "want no FILE with --profile FILE, got 1 arguments (see sysfence help stats)"},
		{[]string{"simulate", file}, "want FILE SYSCALL [ARG...] with at most 6 ARGs, got 1 arguments (see sysfence help simulate)"},
		{[]string{"simulate", file, "read", "1", "2", "3", "4", "5", "6", "7"}, "got 9 arguments (see sysfence help simulate)"},
		{[]string{"simulate", "--profile", smallProfile}, "want SYSCALL [ARG...] with at most 6 ARGs after --profile FILE, got 0 arguments"},
		{[]string{"compile", "extra"}, `compile takes no arguments, got ["extra"] (see sysfence help compile)`},
		{[]string{"profile", "extra"}, `profile takes no arguments, got ["extra"] (see sysfence help profile)`},
		{[]string{"version", "extra"}, `version takes no arguments, got ["extra"] (see sysfence help version)`},
		{[]string{"probe", "extra"}, `probe takes no arguments, got ["extra"] (see sysfence help probe)`},
	} {
		code, _, stderr := sysfence(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and one line with %q", tt.args, code, stderr, exitUsage, tt.want)
		}
	}
}

// A host name in --supervise connect= is explained in the user's terms:
// sysfence takes addresses, and says which to write.
func TestSuperviseConnectHostName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ rule, want string }{
		{"connect=localhost:8080", "127.0.0.1:8080,[::1]:8080"},
		{"connect=example.com", "getent ahosts example.com"},
		{"connect=127.0.0.1,db.internal:5432", "db.internal is a host name"},
	} {
		// run's own failures exit 125, as env's do.
		code, _, stderr := sysfence("run", "--supervise", tt.rule, "--", "true")
		if code != exitOwnFailure || !strings.Contains(stderr, "is a host name") || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "ParseAddr") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--supervise %s: exit %d, stderr %q; want %d and one line with %q", tt.rule, code, stderr, exitOwnFailure, tt.want)
		}
	}
}

// Policies that do not do what their flags suggest are warned about, one
// line each; sensible ones are not, and --quiet silences the warnings.
func TestPolicyWarnings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want []string // one line each; none for a sensible policy
	}{
		{[]string{"--deny", "ptrace", "--foreign", "allow"}, []string{"--foreign allow lets calls through the machine's other ABIs"}},
		{[]string{"--deny", "ptrace", "--foreign", "log"}, []string{"--foreign log lets calls"}},
		{[]string{"--allow", "read,write", "--default", "allow"}, []string{"--default allow with --allow lets every call run"}},
		{[]string{"--allow", "read,write", "--default", "log"}, []string{"--default log with --allow lets every call run"}},
		{[]string{"--allow", "read,write", "--unknown", "allow"}, []string{"--unknown allow lets calls the table does not know"}},
		{[]string{"--allow", "read,write", "--foreign", "allow", "--unknown", "log"}, []string{"--foreign allow", "--unknown log"}},
		{[]string{"--deny", "ptrace", "--default", "errno:EPERM"}, []string{"--default errno:EPERM gives every call what --deny gives"}},
		{[]string{"--deny", "ptrace", "--errno", "1", "--default", "errno:EPERM"}, []string{"the list changes nothing"}},
		{[]string{"--deny", "ptrace"}, nil},
		{[]string{"--deny", "ptrace", "--unknown", "allow"}, nil},
		{[]string{"--allow", "read,write"}, nil},
		{[]string{"--allow", "read,write", "--default", "errno:EPERM", "--foreign", "errno:EPERM"}, nil},
		{[]string{"--deny", "ptrace", "--default", "kill-process"}, nil},
		{[]string{"--profile", dockerDefault, "--foreign", "allow", "--quiet"}, nil}, // covers x86 and x32 itself
		{[]string{"--deny", "ptrace", "--foreign", "allow", "--quiet"}, nil},
	} {
		code, _, stderr := sysfence(append([]string{"compile", "--arch", "x86_64", "--format", "disasm"}, tt.args...)...)
		if code != 0 || strings.Count(stderr, "\n") != len(tt.want) || strings.Count(stderr, "sysfence: warning: ") != len(tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d warnings", tt.args, code, stderr, len(tt.want))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%q: stderr %q; want %q", tt.args, stderr, w)
			}
		}
	}
	// Compiled for every GOARCH, a warning is still said once.
	code, _, stderr := sysfence("compile", "--deny", "ptrace", "--foreign", "allow", "--format", "go", "--package", "p", "-o", filepath.Join(t.TempDir(), "z"))
	if code != 0 || stderr != "sysfence: warning: --foreign allow lets calls through the machine's other ABIs (int 0x80 and x32 on x86_64, arm on aarch64) run past the policy\n" {
		t.Errorf("--format go: exit %d, stderr %q; want one warning", code, stderr)
	}
	code, _, stderr = sysfence("compile", "--deny", "ptrace,iopl", "--format", "go", "--package", "p", "-o", filepath.Join(t.TempDir(), "z"))
	if code != 0 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "sysfence: skipped iopl: no such system call on arm, aarch64, ") {
		t.Errorf("--format go --deny iopl: exit %d, stderr %q; want one line naming the ABIs without iopl", code, stderr)
	}
	// run warns as compile does, and runs the command.
	requireLinux(t)
	for _, args := range [][]string{
		{"--deny", "ptrace", "--foreign", "allow"},
		{"--allow", "read,write", "--default", "allow"},
	} {
		t.Run("run "+strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			c := child(t, nil, append(append([]string{"run"}, args...), "--", "true")...)
			if !c.State.Success() || !strings.HasPrefix(string(c.Stderr), "sysfence: warning: ") || strings.Count(string(c.Stderr), "\n") != 1 {
				t.Errorf("%v, stderr %q; want success and one warning", c.State, c.Stderr)
			}
		})
	}
}

// Errors are rendered from their chain: the libraries' package names go,
// by the identity of their sentinels, and what the user wrote (a file
// name, which may hold anything) stays as written.
func TestMessagesInUsersTerms(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a: profile: b", "seccomp: c")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	badProfile := filepath.Join(dir, "filter: p.json")
	badProgram := filepath.Join(dir, "filter: p.bpf")
	for name, data := range map[string]string{
		badProfile: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}`,
		badProgram: "\x00\x01\x02",
	} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"compile", "--profile", badProfile, "--format", "disasm"}, "sysfence compile: " + badProfile + ": syscalls[0].action: "},
		{[]string{"disasm", badProgram}, "sysfence disasm: " + badProgram + ": not a program in either byte order: invalid program: 3 bytes"},
		{[]string{"stats", filepath.Join(dir, "none")}, filepath.Join(dir, "none") + ": no such file"},
	} {
		_, _, stderr := sysfence(tt.args...)
		rest := strings.TrimPrefix(stderr, "sysfence "+tt.args[0]+": ")
		for _, a := range append(tt.args, dir) {
			rest = strings.ReplaceAll(rest, a, "ARG")
		}
		if !strings.Contains(stderr, tt.want) || strings.Contains(rest, "seccomp: ") || strings.Contains(rest, "filter: ") || strings.Contains(rest, "profile: ") {
			t.Errorf("%q: stderr %q; want %q, and no package names", tt.args, stderr, tt.want)
		}
	}
}
