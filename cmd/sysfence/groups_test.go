package main

import (
	"strings"
	"testing"
)

// Must show: a command runs under an allowlist written in groups.
func TestRunAllowGroups(t *testing.T) {
	requireLinux(t)
	c := child(t, nil, "run", "--allow", "@basic-io,@file-system,@process,@memory,@signal,@timer", "--", "sh", "-c", "echo ok")
	if !c.State.Success() || string(c.Stdout) != "ok\n" {
		t.Fatalf("%v, stdout %q, stderr %q; want ok", c.State, c.Stdout, c.Stderr)
	}
	// Without @file-system the dynamic loader cannot open libc: the
	// groups, not a default, decided.
	c = child(t, nil, "run", "--allow", "@basic-io,@process,@memory,@signal,@timer", "--", "sh", "-c", "echo ok")
	if c.State.Success() {
		t.Fatalf("without @file-system: %v, stdout %q; want killed", c.State, c.Stdout)
	}
}

func TestSyscallsGroup(t *testing.T) {
	code, out, errs := sysfence("syscalls", "--arch", "x86", "--group", "@file-system")
	if code != 0 || !strings.Contains(out, "\nstat64\n") || !strings.Contains(out, "\nopenat\n") {
		t.Fatalf("--arch x86 --group @file-system: exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	code, out, _ = sysfence("syscalls", "--arch", "aarch64", "--group", "@file-system")
	if code != 0 || strings.Contains(out, "\nstat64\n") || strings.Contains(out, "\nopen\n") || !strings.Contains(out, "\nopenat\n") {
		t.Fatalf("--arch aarch64 --group @file-system: exit %d, stdout:\n%s", code, out)
	}
	code, out, _ = sysfence("syscalls", "--arch", "riscv64", "--group", "@known")
	_, table, _ := sysfence("syscalls", "--arch", "riscv64")
	if code != 0 || strings.Count(out, "\n") != strings.Count(table, "\n")-1 {
		t.Fatalf("@known on riscv64: %d lines, the table %d", strings.Count(out, "\n"), strings.Count(table, "\n")-1)
	}
	code, out, _ = sysfence("syscalls", "--arch", "all", "--group", "@io-uring")
	if code != 0 || !strings.HasPrefix(out, "arch,name,nr\n") || !strings.Contains(out, "\nx86_64,io_uring_setup,425\n") {
		t.Fatalf("--arch all --group @io-uring: exit %d, stdout:\n%s", code, out)
	}
	code, _, errs = sysfence("syscalls", "--group", "@nonesuch")
	if code != exitUsage || !strings.Contains(errs, `unknown syscall group "@nonesuch"`) {
		t.Fatalf("--group @nonesuch: exit %d, stderr %q", code, errs)
	}
	code, out, _ = sysfence("syscalls", "--groups")
	if code != 0 || !strings.Contains(out, "@network-io") || !strings.Contains(out, "@known") {
		t.Fatalf("--groups: exit %d, stdout:\n%s", code, out)
	}
}

// An unknown group in --allow is a usage error that names it.
func TestAllowUnknownGroup(t *testing.T) {
	code, _, errs := sysfence("compile", "--allow", "read,@nonesuch")
	if code != exitUsage || !strings.Contains(errs, "--allow @nonesuch (name 2 of 2)") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}
