//go:build !linux

package seccomp

import (
	"errors"
	"fmt"

	sysfence "github.com/sysfence/seccomp"
)

func load(*sysfence.Program, sysfence.Flags, bool) (int, error) {
	return -1, fmt.Errorf("seccomp: Load: %w", errors.ErrUnsupported)
}

func kernelAPI() uint { return 0 }

// NotifReceive fails: seccomp is Linux's.
func NotifReceive(ScmpFd) (*ScmpNotifReq, error) {
	return nil, fmt.Errorf("seccomp: NotifReceive: %w", errors.ErrUnsupported)
}

// NotifRespond fails: seccomp is Linux's.
func NotifRespond(ScmpFd, *ScmpNotifResp) error {
	return fmt.Errorf("seccomp: NotifRespond: %w", errors.ErrUnsupported)
}

// NotifIDValid fails: seccomp is Linux's.
func NotifIDValid(ScmpFd, uint64) error {
	return fmt.Errorf("seccomp: NotifIDValid: %w", errors.ErrUnsupported)
}
