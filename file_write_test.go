//go:build unix

package seccomp_test

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// TestWriteFile is point 13 of issue 17: a launcher that returns a shell
// command to run later gets the program in a file, written atomically,
// mode 0600 whatever the umask, replacing what was at the path.
func TestWriteFile(t *testing.T) {
	prog := compileFor(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace")}, tables.X86_64)
	var want bytes.Buffer
	prog.WriteTo(&want)

	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "prog.bpf")
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("not to be touched"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, before := range []string{"none", "file", "symlink"} {
		os.Remove(path)
		switch before {
		case "file":
			os.WriteFile(path, []byte("old"), 0o666)
		case "symlink":
			os.Symlink(other, path)
		}
		if err := prog.WriteFile(path); err != nil {
			t.Fatalf("with %s at the path: %v", before, err)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o600 {
			t.Errorf("with %s at the path: mode %v, want -rw------- (umask 0)", before, fi.Mode())
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("with %s at the path: the file holds %d bytes, not the program's %d", before, len(got), want.Len())
		}
		if b, _ := os.ReadFile(other); string(b) != "not to be touched" {
			t.Fatalf("with %s at the path: the symlink's target was written", before)
		}
		f, _ := os.Open(path)
		read, err := seccomp.ReadProgram(f, tables.X86_64)
		f.Close()
		if err != nil || read.Len() != prog.Len() {
			t.Errorf("ReadProgram of the file: %v", err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the directory holds %d entries, want the program and the other file (a temporary file left?)", len(entries))
	}

	// A failed write leaves nothing behind.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	if err := prog.WriteFile(filepath.Join(sub, "missing", "prog.bpf")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	if err := prog.WriteFile(sub + "/"); err == nil {
		t.Error("writing to a directory path succeeded")
	}
	if err := os.Mkdir(filepath.Join(sub, "prog.bpf"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := prog.WriteFile(filepath.Join(sub, "prog.bpf")); err == nil {
		t.Error("replacing a directory succeeded")
	}
	if entries, _ := os.ReadDir(sub); len(entries) != 1 {
		t.Errorf("after failed writes %s holds %d entries, want only the directory it has", sub, len(entries))
	}
}
