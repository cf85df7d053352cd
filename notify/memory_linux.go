//go:build linux

package notify

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// ReadMemory reads len(p) bytes at addr in the memory of n's caller,
// through /proc/PID/mem, as seccomp_unotify(2) describes: it opens the
// file, checks that n is still valid (so the PID still names the caller,
// and not a process that took the number after it died), reads, and
// checks again (so the caller was still stopped in the call while it was
// read). An error wraps ErrGone when the caller is gone, and ErrMemory
// when the memory is not mapped.
//
// What was read is what the caller had then. A caller's other threads
// (or processes sharing its memory) can change it at any time, before the
// kernel reads it again when it runs a continued call: see the package
// documentation.
func (l *Listener) ReadMemory(n *Notification, addr uint64, p []byte) error {
	return l.withMemory(n, func(fd int) error {
		return preadFull(fd, p, addr)
	})
}

// ReadString reads a NUL-terminated string at addr in the memory of n's
// caller, as ReadMemory does. A string of more than max bytes before its
// NUL is an error wrapping ErrMemory.
func (l *Listener) ReadString(n *Notification, addr uint64, max int) (string, error) {
	var s string
	err := l.withMemory(n, func(fd int) error {
		var err error
		s, err = readString(fd, addr, max)
		return err
	})
	return s, err
}

// ReadStrings reads a NULL-terminated array of at most maxItems pointers
// to strings at addr (an argv or envp), each string at most maxLen bytes,
// as ReadMemory does. Pointers are taken to be of the native ABI's size:
// check n.Data.Arch first for a filter that notifies compat ABIs.
func (l *Listener) ReadStrings(n *Notification, addr uint64, maxItems, maxLen int) ([]string, error) {
	var out []string
	err := l.withMemory(n, func(fd int) error {
		word := make([]byte, wordSize)
		for i := 0; ; i++ {
			if i == maxItems {
				return fmt.Errorf("%w: more than %d strings at %#x", ErrMemory, maxItems, addr)
			}
			if err := preadFull(fd, word, addr+uint64(i*wordSize)); err != nil {
				return err
			}
			p := readWord(word)
			if p == 0 {
				return nil
			}
			s, err := readString(fd, p, maxLen)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
	})
	return out, err
}

func (l *Listener) withMemory(n *Notification, read func(fd int) error) error {
	if n.PID <= 0 {
		return fmt.Errorf("%w: the caller is not in this PID namespace", ErrMemory)
	}
	fd, err := syscall.Open("/proc/"+strconv.Itoa(n.PID)+"/mem", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		if err := l.Valid(n.ID); err != nil {
			return err
		}
		return fmt.Errorf("notify: %w", &os.PathError{Op: "open", Path: "/proc/" + strconv.Itoa(n.PID) + "/mem", Err: err})
	}
	defer syscall.Close(fd)
	if err := l.Valid(n.ID); err != nil {
		return err
	}
	readErr := read(fd)
	if err := l.Valid(n.ID); err != nil {
		return err
	}
	return readErr
}

// preadFull reads len(p) bytes at off.
func preadFull(fd int, p []byte, off uint64) error {
	for done := 0; done < len(p); {
		n, err := syscall.Pread(fd, p[done:], int64(off)+int64(done))
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return fmt.Errorf("%w: %d bytes at %#x: %v", ErrMemory, len(p), off, err)
		}
		done += n
	}
	return nil
}

// readString reads a string of at most max bytes at addr, a page at a
// time, so that it never reads past the end of the string's mapping
// unless the string does.
func readString(fd int, addr uint64, max int) (string, error) {
	page := uint64(os.Getpagesize())
	var buf []byte
	for len(buf) <= max {
		chunk := int(page - (addr+uint64(len(buf)))%page)
		chunk = min(chunk, max+1-len(buf))
		part := make([]byte, chunk)
		if err := preadFull(fd, part, addr+uint64(len(buf))); err != nil {
			return "", err
		}
		if i := bytes.IndexByte(part, 0); i >= 0 {
			return string(append(buf, part[:i]...)), nil
		}
		buf = append(buf, part...)
	}
	return "", fmt.Errorf("%w: string at %#x longer than %d bytes", ErrMemory, addr, max)
}
