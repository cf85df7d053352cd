package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp/tables"
)

// The watcher says which call the filter killed the command at. run
// replaces itself with the command, so nobody is left to see it die:
// before the exec, run starts a watcher that is not the command's
// child (it would see an extra child, and a SIGCHLD), by way of a
// launcher that starts it and exits, so that it is handed to init or
// the nearest subreaper. The watcher reads the kernel's audit line for
// a seccomp kill (type=1326, AUDIT_SECCOMP of include/uapi/linux/audit.h,
// written by audit_seccomp in kernel/auditsc.c) from /dev/kmsg, where the
// kernel prints it when no auditd takes it, and says which call it
// names when the pid is the command's. It ends when the command does.
// What the command sees does not change: its process, its filter and its
// standard files but stderr are its own, and the watcher holds stderr
// open only until the command has ended.

// watchEnv carries the watcher's stage and the command's pid.
const watchEnv = "SYSFENCE_WATCH"

// watchGrace is how long the watcher waits, after the command ended, for
// its audit line, which kauditd prints on its own time; and the longest
// it holds stderr open once the command has ended.
const watchGrace = 500 * time.Millisecond

// startWatcher starts the watcher for this process, which is about to
// become cmdName, if the kernel's log can be read; it returns once the
// watcher is watching. The watcher writes to stderr, which must be a
// file.
func startWatcher(stderr io.Writer, cmdName string) {
	f, ok := stderr.(*os.File)
	if !ok {
		return
	}
	kmsg, err := os.Open("/dev/kmsg")
	if err != nil {
		return // dmesg_restrict, or no /dev/kmsg: nothing to read
	}
	kmsg.Close()
	exe, err := os.Executable()
	if err != nil {
		return
	}
	cmd := exec.Command(exe)
	cmd.Args = []string{"sysfence-watch"}
	cmd.Env = append(os.Environ(), watchEnv+"=launch:"+strconv.Itoa(os.Getpid())+":"+cmdName)
	cmd.Stderr = f
	cmd.Run() // no watcher is no error: the help says where to look
}

// initWatch runs the launcher or the watcher when this process is one,
// and never returns then; otherwise it returns at once.
func initWatch() {
	v, ok := os.LookupEnv(watchEnv)
	if !ok {
		return
	}
	os.Unsetenv(watchEnv)
	stage, rest, _ := strings.Cut(v, ":")
	pidText, cmdName, _ := strings.Cut(rest, ":")
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		os.Exit(1)
	}
	switch stage {
	case "launch":
		os.Exit(launchWatcher(pid, cmdName))
	case "watch":
		watch(pid, cmdName)
	}
	os.Exit(0)
}

// launchWatcher starts the watcher in a process group of its own (out
// of reach of the terminal's ^C, which is for the command) and returns
// once it is ready, with 0.
func launchWatcher(pid int, cmdName string) int {
	exe, err := os.Executable()
	if err != nil {
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 1
	}
	cmd := exec.Command(exe)
	cmd.Args = []string{"sysfence-watch"}
	cmd.Env = append(os.Environ(), watchEnv+"=watch:"+strconv.Itoa(pid)+":"+cmdName)
	cmd.Stderr = os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 1
	}
	w.Close()
	b := make([]byte, 1)
	if n, _ := r.Read(b); n != 1 {
		return 1
	}
	return 0
}

// watch opens the kernel's log and the command's pidfd, says it is
// ready on descriptor 3, and reports the command's seccomp kill.
func watch(pid int, cmdName string) {
	signal.Ignore(syscall.SIGTTOU, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP)
	kmsg, err := syscall.Open("/dev/kmsg", syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	if _, err := syscall.Seek(kmsg, 0, io.SeekEnd); err != nil {
		return
	}
	pidfd, err := pidfdOpen(pid)
	if err != nil {
		return
	}
	ready := os.NewFile(3, "ready")
	ready.Write([]byte{1})
	ready.Close()

	want := " pid=" + strconv.Itoa(pid) + " "
	buf := make([]byte, 8192)
	var ended time.Time
	for {
		timeout := -1 * time.Millisecond
		if !ended.IsZero() {
			timeout = time.Until(ended.Add(watchGrace))
			if timeout <= 0 {
				if sigsys, known := exitedOfSIGSYS(pidfd); sigsys || !known {
					if sigsys {
						fmt.Fprintf(os.Stderr, "sysfence: %s (pid %d) was killed by the filter (SIGSYS); the kernel's log has no audit line for it (rate-limited, or auditd took it): see dmesg, journalctl -k or ausearch -m SECCOMP, or run it under sysfence learn or strace -f\n", cmdName, pid)
					}
				}
				return
			}
		}
		revents, err := ppoll2(kmsg, pidfd, timeout)
		if err != nil && err != syscall.EINTR {
			return
		}
		if revents[0] != 0 {
			for {
				n, err := syscall.Read(kmsg, buf)
				if err == syscall.EPIPE {
					continue // records overwritten: go on with the next
				}
				if err != nil || n <= 0 {
					break
				}
				if msg := killLine(string(buf[:n]), want); msg != "" {
					fmt.Fprintf(os.Stderr, "sysfence: %s (pid %d) was killed by the filter at %s\n", cmdName, pid, msg)
					return
				}
			}
		}
		if revents[1] != 0 && ended.IsZero() {
			ended = time.Now()
			if sigsys, known := exitedOfSIGSYS(pidfd); known && !sigsys {
				return
			}
		}
	}
}

// killLine returns the call a kmsg record names, if it is the audit line
// of a seccomp kill of the process with the " pid=N " field want:
// "audit: type=1326 audit(…): … pid=N comm=… sig=31 arch=c000003e
// syscall=110 compat=0 ip=… code=0x80000000".
func killLine(record, want string) string {
	_, msg, ok := strings.Cut(record, ";")
	if !ok || !strings.Contains(msg, "type=1326 ") || !strings.Contains(msg, want) {
		return ""
	}
	fields := map[string]string{}
	for _, f := range strings.Fields(msg) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	if fields["sig"] != strconv.Itoa(int(syscall.SIGSYS)) {
		return "" // logged, not killed (SECCOMP_RET_LOG, or a filter with FlagLog)
	}
	arch, err1 := strconv.ParseUint(fields["arch"], 16, 32)
	nr, err2 := strconv.ParseUint(fields["syscall"], 10, 32)
	if err1 != nil || err2 != nil {
		return "system call " + fields["syscall"] + " of arch " + fields["arch"]
	}
	abi, ok := tables.ByCall(uint32(arch), uint32(nr))
	if !ok {
		return fmt.Sprintf("system call %d of arch %#x, which no table names", nr, arch)
	}
	name, ok := abi.SyscallName(uint32(nr))
	if !ok {
		return fmt.Sprintf("system call %d on %s, which its table does not name", nr, abi.Name)
	}
	return fmt.Sprintf("system call %s (%d on %s)", name, nr, abi.Name)
}

func pidfdOpen(pid int) (int, error) {
	nr, ok := nativeCall("pidfd_open")
	if !ok {
		return -1, syscall.ENOSYS
	}
	fd, _, errno := syscall.Syscall(nr, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	syscall.CloseOnExec(int(fd))
	return int(fd), nil
}

func nativeCall(name string) (uintptr, bool) {
	abi, err := nativeABI()
	if err != nil {
		return 0, false
	}
	nr, ok := abi.Number(name)
	return uintptr(nr), ok
}

// pollFd is struct pollfd of include/uapi/asm-generic/poll.h.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

// ppoll2 waits until a or b is readable (POLLIN, or an error or hang-up
// on it), or timeout passes (forever if negative), and returns the
// revents of each.
func ppoll2(a, b int, timeout time.Duration) ([2]int16, error) {
	const pollIn = 0x1
	fds := [2]pollFd{{fd: int32(a), events: pollIn}, {fd: int32(b), events: pollIn}}
	var ts *syscall.Timespec
	if timeout >= 0 {
		t := syscall.NsecToTimespec(int64(timeout))
		ts = &t
	}
	nr, ok := nativeCall("ppoll")
	if !ok {
		return [2]int16{}, syscall.ENOSYS
	}
	_, _, errno := syscall.Syscall6(nr, uintptr(unsafe.Pointer(&fds[0])), 2, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
	if errno != 0 {
		return [2]int16{}, errno
	}
	return [2]int16{fds[0].revents, fds[1].revents}, nil
}

// exitedOfSIGSYS reports whether the process of pidfd ended by SIGSYS,
// and whether that is known: PIDFD_GET_INFO with PIDFD_INFO_EXIT (Linux
// 6.15, include/uapi/linux/pidfd.h) says so once it has been reaped.
func exitedOfSIGSYS(pidfd int) (sigsys, known bool) {
	const (
		infoExit = 1 << 3 // PIDFD_INFO_EXIT
		infoSize = 64     // PIDFD_INFO_SIZE_VER0
		magic    = 0xFF   // PIDFS_IOCTL_MAGIC
	)
	// _IOWR(PIDFS_IOCTL_MAGIC, 11, struct pidfd_info): include/uapi/asm-generic/ioctl.h,
	// or the mips and powerpc direction bits.
	dirShift, readWrite := 30, uintptr(3)
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le":
		dirShift, readWrite = 29, 6
	}
	req := readWrite<<dirShift | infoSize<<16 | magic<<8 | 11
	var info [infoSize]byte
	*(*uint64)(unsafe.Pointer(&info[0])) = infoExit
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(pidfd), req, uintptr(unsafe.Pointer(&info[0]))); errno != 0 {
		return false, false
	}
	if *(*uint64)(unsafe.Pointer(&info[0]))&infoExit == 0 {
		return false, false
	}
	status := syscall.WaitStatus(*(*int32)(unsafe.Pointer(&info[60])))
	return status.Signaled() && status.Signal() == syscall.SIGSYS, true
}

// openKmsg opens the kernel's log at its end, for reportKill, or returns
// -1 if it cannot be read.
func openKmsg() int {
	fd, err := syscall.Open("/dev/kmsg", syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	if _, err := syscall.Seek(fd, 0, io.SeekEnd); err != nil {
		syscall.Close(fd)
		return -1
	}
	return fd
}

// reportKill says on w which call the filter killed cmdName (pid) at,
// from the records of kmsg (openKmsg) written since it was opened,
// waiting up to watchGrace for kauditd to print them; or where to look.
// It closes kmsg.
func reportKill(w io.Writer, kmsg, pid int, cmdName string) {
	if kmsg >= 0 {
		defer syscall.Close(kmsg)
		want := " pid=" + strconv.Itoa(pid) + " "
		buf := make([]byte, 8192)
		deadline := time.Now().Add(watchGrace)
		for time.Now().Before(deadline) {
			n, err := syscall.Read(kmsg, buf)
			switch {
			case err == syscall.EPIPE:
				continue
			case err == syscall.EAGAIN:
				time.Sleep(10 * time.Millisecond)
				continue
			case err != nil || n <= 0:
				deadline = time.Time{}
				continue
			}
			if msg := killLine(string(buf[:n]), want); msg != "" {
				fmt.Fprintf(w, "sysfence: %s (pid %d) was killed by the filter at %s\n", cmdName, pid, msg)
				return
			}
		}
	}
	fmt.Fprintf(w, "sysfence: %s (pid %d) was killed by the filter (SIGSYS); the kernel's log has no audit line for it that sysfence can read: see dmesg, journalctl -k or ausearch -m SECCOMP, or run it under sysfence learn or strace -f\n", cmdName, pid)
}
