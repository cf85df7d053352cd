package seccomp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/tables"
)

// listener returns a notify.Listener on a copy of fd: fd stays the
// caller's, and closing it still closes the kernel's listener.
func listener(fd ScmpFd) (*notify.Listener, error) {
	d, err := syscall.Dup(int(fd))
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(d)
	return notify.NewListener(os.NewFile(uintptr(d), "seccomp-listener"))
}

// errno returns what libseccomp-golang returns for a notification that
// is gone, ENOENT; other errors as they are.
func errno(err error) error {
	if errors.Is(err, notify.ErrGone) {
		return syscall.ENOENT
	}
	return err
}

// NotifReceive waits for a notification on the listener fd
// (SECCOMP_IOCTL_NOTIF_RECV), through package notify.
func NotifReceive(fd ScmpFd) (*ScmpNotifReq, error) {
	if err := notifSupported(); err != nil {
		return nil, err
	}
	l, err := listener(fd)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	n, err := l.Receive(context.Background())
	if err != nil {
		return nil, errno(err)
	}
	req := &ScmpNotifReq{ID: n.ID, Pid: uint32(n.PID), Flags: n.Flags, Data: ScmpNotifData{
		Syscall:      ScmpSyscall(n.Data.Nr),
		InstrPointer: n.Data.InstructionPointer,
		Args:         n.Data.Args[:],
	}}
	// By AUDIT_ARCH_* alone, as libseccomp: an x32 call reports amd64.
	abi, ok := tables.ByAudit(n.Data.Arch)
	if ok {
		req.Data.Arch, ok = archOfABI(abi)
	}
	if !ok {
		return nil, fmt.Errorf("unrecognized architecture %#x", n.Data.Arch)
	}
	return req, nil
}

// NotifRespond answers a notification (SECCOMP_IOCTL_NOTIF_SEND),
// through package notify.
func NotifRespond(fd ScmpFd, scmpResp *ScmpNotifResp) error {
	if err := notifSupported(); err != nil {
		return err
	}
	l, err := listener(fd)
	if err != nil {
		return err
	}
	defer l.Close()
	r := notify.Return(int64(scmpResp.Val))
	switch {
	case scmpResp.Flags&NotifRespFlagContinue != 0:
		r = notify.Continue()
	case scmpResp.Error != 0:
		r = notify.Fail(syscall.Errno(scmpResp.Error))
	}
	return errno(l.Respond(scmpResp.ID, r))
}

// NotifIDValid reports, with nil, that the caller of notification id
// still waits for its answer (SECCOMP_IOCTL_NOTIF_ID_VALID); otherwise
// it returns ENOENT.
func NotifIDValid(fd ScmpFd, id uint64) error {
	if err := notifSupported(); err != nil {
		return err
	}
	l, err := listener(fd)
	if err != nil {
		return err
	}
	defer l.Close()
	return errno(l.Valid(id))
}
