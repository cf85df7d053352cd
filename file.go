package seccomp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// InheritableFile is a program in a file descriptor that survives
// execve(2), for a process that is not started with exec.Cmd.ExtraFiles:
// a shell command line that runs bwrap later, or this process itself
// replaced by syscall.Exec. Its number is the same in this process and in
// every process that inherits it, so it can be written into the command
// line before the command runs:
//
//	f, err := prog.Inheritable()
//	…
//	defer f.Close()
//	sh := "bwrap --ro-bind / / --seccomp " + f.String() + " -- make test"
//	err = exec.Command("sh", "-c", sh).Run()
//
// # Lifetime
//
// The descriptor is open, without close-on-exec, from Inheritable until
// Close. All that time every process this one starts inherits it, not
// only the one meant to read it (os/exec closes no descriptor it is not
// told about; it relies on close-on-exec): start the reader, then Close.
// The reader's copy stays open after Close, as long as the reader keeps it.
// For syscall.Exec there is nothing to close: a successful Exec hands the
// descriptor to the new program, and Close is for the error path. The
// zero InheritableFile is closed.
//
// Unlike an *os.File, an InheritableFile has no finalizer: the garbage
// collector never closes the descriptor, so there is no need to keep it
// reachable (runtime.KeepAlive) until the child has read it, and a
// forgotten Close leaks one descriptor rather than closing, mid-start, a
// number that a shell command line still names and that another file may
// have taken.
//
// # Reading it
//
// Rereadable reports what the descriptor is: a sealed memfd, whose
// contents stay put, or, where memfd_create(2) is unavailable, the read
// end of a pipe, which holds the program for one reader only. Either way
// a reader such as bwrap reads from the descriptor's offset, which every
// process holding it shares, to the end; so give each reader an
// InheritableFile of its own, or, for a memfd, Rewind it once a reader has
// finished before the next one starts.
type InheritableFile struct {
	mu    sync.Mutex
	fd    int
	open  bool // false in the zero value and after Close
	memfd bool
}

// Inheritable returns the program, as WriteTo writes it, in a descriptor
// without close-on-exec, numbered 3 or more, positioned at its start. It
// is the file File returns, given a number that is not 0, 1 or 2 (a shell
// redirection could replace those) and made inheritable; see
// InheritableFile for its lifetime. On an operating system without
// seccomp the error wraps errors.ErrUnsupported.
func (p *Program) Inheritable() (*InheritableFile, error) {
	fd, memfd, err := p.inheritable()
	if err != nil {
		return nil, err
	}
	return &InheritableFile{fd: fd, open: true, memfd: memfd}, nil
}

// Fd returns the number of the descriptor, or -1 after Close.
func (f *InheritableFile) Fd() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.open {
		return -1
	}
	return f.fd
}

// String returns the number of the descriptor in decimal, as a command
// line names it: "bwrap --seccomp " + f.String(). After Close it is "-1".
func (f *InheritableFile) String() string { return strconv.Itoa(f.Fd()) }

// BwrapArgs returns the arguments that give the program to bubblewrap,
// "--seccomp" and the descriptor's number, for an argument vector such as
// syscall.Exec's.
func (f *InheritableFile) BwrapArgs() []string { return []string{"--seccomp", f.String()} }

// Rereadable reports whether the descriptor is a memfd, whose contents a
// reader can read again after a Rewind; otherwise it is the read end of a
// pipe, and the first reader takes the program.
func (f *InheritableFile) Rereadable() bool { return f.memfd }

// Rewind moves the descriptor's offset, which every process holding it
// shares, back to the start of the program, so that a memfd another
// process has read can be handed to the next one. Call it only when no
// reader is reading. For a pipe it returns an error: the program, once
// read, is gone.
func (f *InheritableFile) Rewind() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.open {
		return &os.PathError{Op: "rewind", Path: "seccomp program", Err: os.ErrClosed}
	}
	return rewindFD(f.fd)
}

// Close closes the descriptor in this process; the copies that other
// processes inherited are theirs to close. Closing twice returns an
// error wrapping os.ErrClosed.
func (f *InheritableFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.open {
		return &os.PathError{Op: "close", Path: "seccomp program", Err: os.ErrClosed}
	}
	f.open = false
	return closeFD(f.fd)
}

// WriteFile writes the program, as WriteTo writes it, to the file named
// path, readable and writable by its owner only (mode 0600, whatever the
// umask), for a command that runs later and reads it by name: a launcher
// that returns a shell command line rather than running it, as in
//
//	if err := prog.WriteFile("/run/agent/task7.bpf"); err != nil {
//		return "", err
//	}
//	return "bwrap --seccomp 9 9</run/agent/task7.bpf --ro-bind / / -- make test", nil
//
// where neither File (read once, by a child started now) nor Inheritable
// (open in this process until Close) fits. The file is written whole
// under a temporary name in path's directory, synced and then renamed to
// path, so a reader sees the previous file or the new one, never a part;
// a file or symbolic link already at path is replaced, not followed.
// Nothing is left behind on error.
//
// The file is the sandbox's policy: keep it where the sandboxed command
// cannot write (its directory included, which could otherwise let the
// file be replaced), and remove it when no command will read it again.
func (p *Program) WriteFile(path string) (err error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return &os.PathError{Op: "write seccomp program", Path: path, Err: errors.New("names a directory")}
	}
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*") // mode 0600
	if err != nil {
		return fmt.Errorf("seccomp: WriteFile: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("seccomp: WriteFile %s: %w", path, err)
		}
	}()
	if err := f.Chmod(0o600); err != nil { // CreateTemp's mode, umask or not
		return err
	}
	if _, err := p.WriteTo(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}
