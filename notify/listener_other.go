//go:build !linux

package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"github.com/sysfence/seccomp"
)

// Listener is a seccomp user-notification listener; on this operating
// system every method fails with an error wrapping errors.ErrUnsupported.
type Listener struct{}

func unsupported(what string) error {
	return fmt.Errorf("notify: %s on %s: %w", what, runtime.GOOS, errors.ErrUnsupported)
}

// KernelSizes fails: there is no seccomp here.
func KernelSizes() (Sizes, error) { return Sizes{}, unsupported("KernelSizes") }

// NewListener fails: there is no seccomp here.
func NewListener(*os.File) (*Listener, error) { return nil, unsupported("NewListener") }

// FlagsSupported fails: there is no seccomp here.
func FlagsSupported(seccomp.Flags) error { return unsupported("FlagsSupported") }

// Start fails: there is no seccomp here.
func Start(context.Context, *exec.Cmd, *seccomp.Program) (*Listener, error) {
	return nil, unsupported("Start")
}

// Init does nothing: no helper can have been started here.
func Init() {}

// Close fails.
func (l *Listener) Close() error { return unsupported("Close") }

// Receive fails.
func (l *Listener) Receive(context.Context) (*Notification, error) {
	return nil, unsupported("Receive")
}

// Respond fails.
func (l *Listener) Respond(uint64, Response) error { return unsupported("Respond") }

// Valid fails.
func (l *Listener) Valid(uint64) error { return unsupported("Valid") }

// AddFD fails.
func (l *Listener) AddFD(uint64, FD, AddFDOptions) (int, error) { return -1, unsupported("AddFD") }

// ReadMemory fails.
func (l *Listener) ReadMemory(*Notification, uint64, []byte) error {
	return unsupported("ReadMemory")
}

// ReadString fails.
func (l *Listener) ReadString(*Notification, uint64, int) (string, error) {
	return "", unsupported("ReadString")
}

// ReadStrings fails.
func (l *Listener) ReadStrings(*Notification, uint64, int, int) ([]string, error) {
	return nil, unsupported("ReadStrings")
}

// GetFD fails.
func (r *Request) GetFD(int) (*os.File, error) { return nil, unsupported("GetFD") }

func (r *Request) emulateConnect(_ context.Context, _ *ConnectAllowlist, _ int, _ []byte, d ConnectDecision) ConnectDecision {
	d.Err = unsupported("connect")
	return d
}
