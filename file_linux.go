//go:build linux

package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Constants of include/uapi/linux/memfd.h and include/uapi/linux/fcntl.h.
const (
	mfdCloexec      = 0x1 // MFD_CLOEXEC
	mfdAllowSealing = 0x2 // MFD_ALLOW_SEALING
	mfdNoexecSeal   = 0x8 // MFD_NOEXEC_SEAL (Linux 6.3)

	fDupFD       = 0    // F_DUPFD
	fSetPipeSize = 1031 // F_SETPIPE_SZ
	fAddSeals    = 1033 // F_ADD_SEALS
	// F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
	fSealAll = 0x1 | 0x2 | 0x4 | 0x8
)

func (p *Program) file() (*os.File, error) {
	f, _, err := p.programFile()
	if err != nil {
		return nil, fmt.Errorf("seccomp: File: %w", err)
	}
	return f, nil
}

// programFile returns the program in a sealed memfd (memfd true) or, if
// that fails, in a pipe; both are close-on-exec.
func (p *Program) programFile() (f *os.File, memfd bool, err error) {
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		return nil, false, err
	}
	f, memfdErr := sealedMemfd(buf.Bytes())
	if memfdErr == nil {
		return f, true, nil
	}
	f, pipeErr := filledPipe(buf.Bytes())
	if pipeErr != nil {
		return nil, false, errors.Join(memfdErr, pipeErr)
	}
	return f, false, nil
}

func (p *Program) inheritable() (fd int, memfd bool, err error) {
	f, memfd, err := p.programFile()
	if err != nil {
		return -1, false, fmt.Errorf("seccomp: Inheritable: %w", err)
	}
	defer f.Close()
	fd, err = inheritableCopy(f)
	if err != nil {
		return -1, false, fmt.Errorf("seccomp: Inheritable: %w", err)
	}
	return fd, memfd, nil
}

// inheritableCopy duplicates f to a new descriptor, numbered 3 or more,
// that is not close-on-exec and that no *os.File owns. The copy shares
// f's offset.
func inheritableCopy(f *os.File) (int, error) {
	fcntl, err := NativeNumber("fcntl")
	if err != nil {
		return -1, err
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	var fd uintptr
	var errno syscall.Errno
	err = conn.Control(func(orig uintptr) {
		// F_DUPFD, unlike F_DUPFD_CLOEXEC and dup3(2), leaves the new
		// descriptor's FD_CLOEXEC clear.
		fd, _, errno = syscall.Syscall(fcntl, orig, fDupFD, 3)
	})
	if err != nil {
		return -1, err
	}
	if errno != 0 {
		return -1, fmt.Errorf("fcntl(F_DUPFD): %w", errno)
	}
	return int(fd), nil
}

func rewindFD(fd int) error {
	if _, err := syscall.Seek(fd, 0, io.SeekStart); err != nil {
		return fmt.Errorf("seccomp: rewinding descriptor %d: %w", fd, err)
	}
	return nil
}

func closeFD(fd int) error {
	if err := syscall.Close(fd); err != nil {
		return fmt.Errorf("seccomp: closing descriptor %d: %w", fd, err)
	}
	return nil
}

// sealedMemfd returns a memfd holding data, sealed against any change and
// positioned at its start.
func sealedMemfd(data []byte) (*os.File, error) {
	nr, err := NativeNumber("memfd_create")
	if err != nil {
		return nil, err
	}
	fcntl, err := NativeNumber("fcntl")
	if err != nil {
		return nil, err
	}
	name := []byte("sysfence-seccomp\x00")
	fd, _, errno := syscall.Syscall(nr, uintptr(unsafe.Pointer(&name[0])), mfdCloexec|mfdNoexecSeal, 0)
	if errno == syscall.EINVAL { // before Linux 6.3
		fd, _, errno = syscall.Syscall(nr, uintptr(unsafe.Pointer(&name[0])), mfdCloexec|mfdAllowSealing, 0)
	}
	if errno != 0 {
		return nil, fmt.Errorf("memfd_create: %w", errno)
	}
	f := os.NewFile(fd, "memfd:sysfence-seccomp")
	if err := fillAndSeal(f, fcntl, data); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func fillAndSeal(f *os.File, fcntl uintptr, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if _, _, errno := syscall.Syscall(fcntl, f.Fd(), fAddSeals, fSealAll); errno != 0 {
		return fmt.Errorf("fcntl(F_ADD_SEALS): %w", errno)
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// filledPipe returns the read end of a pipe that holds data and whose
// write end is closed. The write end does not block: if the pipe cannot
// hold data, that is an error rather than a hang.
func filledPipe(data []byte) (*os.File, error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("pipe2: %w", err)
	}
	r := os.NewFile(uintptr(fds[0]), "pipe:sysfence-seccomp")
	err := fillPipe(fds[1], data)
	if cerr := syscall.Close(fds[1]); err == nil {
		err = cerr
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func fillPipe(w int, data []byte) error {
	if err := syscall.SetNonblock(w, true); err != nil {
		return err
	}
	if fcntl, err := NativeNumber("fcntl"); err == nil {
		// Best effort: a pipe holds 64 KiB unless the user has more
		// pipes than fs.pipe-user-pages-soft allows; writing reports
		// the shortfall.
		syscall.Syscall(fcntl, uintptr(w), fSetPipeSize, uintptr(len(data)))
	}
	for len(data) > 0 {
		n, err := syscall.Write(w, data)
		if err != nil {
			return fmt.Errorf("writing %d bytes to a pipe: %w", len(data), err)
		}
		data = data[n:]
	}
	return nil
}
