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

	fSetPipeSize = 1031 // F_SETPIPE_SZ
	fAddSeals    = 1033 // F_ADD_SEALS
	// F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
	fSealAll = 0x1 | 0x2 | 0x4 | 0x8
)

func (p *Program) file() (*os.File, error) {
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		return nil, err
	}
	f, memfdErr := sealedMemfd(buf.Bytes())
	if memfdErr == nil {
		return f, nil
	}
	f, pipeErr := filledPipe(buf.Bytes())
	if pipeErr != nil {
		return nil, fmt.Errorf("seccomp: File: %w", errors.Join(memfdErr, pipeErr))
	}
	return f, nil
}

// sealedMemfd returns a memfd holding data, sealed against any change and
// positioned at its start.
func sealedMemfd(data []byte) (*os.File, error) {
	nr, err := nativeNumber("memfd_create")
	if err != nil {
		return nil, err
	}
	fcntl, err := nativeNumber("fcntl")
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
	if fcntl, err := nativeNumber("fcntl"); err == nil {
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
