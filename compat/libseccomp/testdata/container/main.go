// Command container helps upstream.sh run a container: "profile" prints
// Docker's default seccomp profile resolved for this machine, as the OCI
// linux.seccomp object runc reads; "probe", built static and run in the
// container, makes the calls the profile must refuse and prints their
// errors.
package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"github.com/sysfence/seccomp/profile"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "container:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: container profile|probe")
	}
	switch args[0] {
	case "profile":
		p, err := profile.Default()
		if err != nil {
			return err
		}
		s, err := p.Resolve(nil)
		if err != nil {
			return err
		}
		b, err := profile.Marshal(s)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(b)
		return err
	case "probe":
		probe()
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// probe prints the error of each call, by name ("ok" for none).
func probe() {
	show := func(what string, e syscall.Errno) {
		name := "ok"
		switch e {
		case 0:
		case syscall.EPERM:
			name = "EPERM"
		case syscall.ENOSYS:
			name = "ENOSYS"
		default:
			name = fmt.Sprintf("errno %d (%v)", int(e), e)
		}
		fmt.Printf("probe: %s: %s\n", what, name)
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWUSER, 0, 0)
	show("unshare(CLONE_NEWUSER)", e)
	src, fstype, dst := []byte("none\x00"), []byte("tmpfs\x00"), []byte("/mnt\x00")
	_, _, e = syscall.RawSyscall6(syscall.SYS_MOUNT, uintptr(unsafe.Pointer(&src[0])), uintptr(unsafe.Pointer(&dst[0])), uintptr(unsafe.Pointer(&fstype[0])), 0, 0, 0)
	show("mount(tmpfs)", e)
	// clone3(NULL, 0): the filter decides before the kernel reads the
	// arguments (it would fail with EINVAL if allowed).
	_, _, e = syscall.RawSyscall(435, 0, 0, 0)
	show("clone3", e)
	// io_uring_setup(1, NULL): io_uring runs file and socket operations
	// that seccomp never sees; Docker's profile leaves it to the default
	// action (EFAULT if allowed).
	_, _, e = syscall.RawSyscall(425, 1, 0, 0)
	show("io_uring_setup", e)
	_, _, e = syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	show("getpid", e)
	i386(show)
}
