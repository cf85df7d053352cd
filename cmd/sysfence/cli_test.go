package main

import (
	"flag"
	"fmt"
	"path/filepath"
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
			if code != exitUsage || strings.Count(stderr, "bogus") != 1 || strings.Count(stderr, "\n") != 1 {
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
			{exitUsage, []string{"run", "--arch", "x86_64", "--", "true"}},
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
	if len(tails) != 7 || len(slices.Compact(tails)) != 1 { // compile, profile, disasm, stats, simulate (two), syscalls
		t.Errorf("--arch help differs between commands, or some do not have it: %q", tails)
	}
}
