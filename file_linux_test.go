package seccomp

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const (
	fGetSeals = 1034 // F_GET_SEALS, include/uapi/linux/fcntl.h
	fdCloexec = 1    // FD_CLOEXEC
)

func fcntl(t *testing.T, f *os.File, cmd int) int {
	t.Helper()
	nr, err := NativeNumber("fcntl")
	if err != nil {
		t.Fatal(err)
	}
	r, _, errno := syscall.Syscall(nr, f.Fd(), uintptr(cmd), 0)
	if errno != 0 {
		t.Fatalf("fcntl(%d): %v", cmd, errno)
	}
	return int(r)
}

// checkProgramFile reads f to its end and compares it with the program.
func checkProgramFile(t *testing.T, f *os.File, prog *Program) {
	t.Helper()
	var want bytes.Buffer
	prog.WriteTo(&want)
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Errorf("read %d bytes, %v; want the %d bytes of WriteTo", len(got), err, want.Len())
	}
	if fcntl(t, f, syscall.F_GETFD)&fdCloexec == 0 {
		t.Error("the file is not close-on-exec")
	}
}

func TestFile(t *testing.T) {
	prog, err := Builtin("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	f, err := prog.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkProgramFile(t, f, prog)
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil || !strings.HasPrefix(link, "/memfd:") {
		t.Errorf("the file is %q, %v; want a memfd", link, err)
	}
	if seals := fcntl(t, f, fGetSeals); seals&fSealAll != fSealAll {
		t.Errorf("seals %#x, want at least %#x", seals, fSealAll)
	}
	if _, err := f.WriteAt([]byte{0}, 0); err == nil {
		t.Error("the sealed memfd can be written")
	}
}

func TestFilledPipe(t *testing.T) {
	prog, err := Builtin("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	prog.WriteTo(&buf)
	f, err := filledPipe(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkProgramFile(t, f, prog)
}
