//go:build linux

package probe

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrRequest reports a request line that cannot be carried out.
var ErrRequest = errors.New("probe: bad request")

// Serve answers requests from in on out until in ends. Each request runs
// inside run, which may move it to another thread. Serve reads in one byte
// at a time, so after an exec the new program finds the following requests
// still unread.
func Serve(in io.Reader, out io.Writer, run func(func())) error {
	for {
		line, err := readLine(in)
		if err == io.EOF && line == "" {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		var reply string
		run(func() { reply = answer(line) })
		if _, err := io.WriteString(out, reply+"\n"); err != nil {
			return err
		}
	}
}

// readLine reads one line without reading past its end.
func readLine(in io.Reader) (string, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := in.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return string(line), nil
			}
			line = append(line, b[0])
		}
		if err != nil {
			return string(line), err
		}
	}
}

// answer carries out one request and returns its answer line.
func answer(line string) string {
	words := strings.Fields(line)
	if len(words) == 0 {
		return "bad empty request"
	}
	var r uintptr
	var errno syscall.Errno
	switch op, args := words[0], words[1:]; op {
	case "sys", "int80":
		nums, err := parseNumbers(args)
		if err != nil {
			return "bad " + err.Error()
		}
		if op == "sys" {
			r, errno = sys(nums)
		} else if r, errno, err = int80Call(nums); err != nil {
			return "bad " + err.Error()
		}
	case "tid":
		r = uintptr(syscall.Gettid())
	case "exec":
		if len(args) == 0 {
			return "bad exec needs a path"
		}
		errno = execve(args)
	default:
		return fmt.Sprintf("bad unknown request %q", op)
	}
	if errno != 0 {
		return fmt.Sprintf("errno %d", int(errno))
	}
	return fmt.Sprintf("ok %d", r)
}

// parseNumbers parses a system-call number and up to six arguments.
func parseNumbers(words []string) ([7]uintptr, error) {
	var nums [7]uintptr
	if len(words) == 0 || len(words) > len(nums) {
		return nums, fmt.Errorf("%w: want a number and 0 to 6 arguments, have %d words", ErrRequest, len(words))
	}
	for i, w := range words {
		v, err := strconv.ParseUint(w, 0, strconv.IntSize)
		if err != nil {
			return nums, fmt.Errorf("%w: %q: %w", ErrRequest, w, err)
		}
		nums[i] = uintptr(v)
	}
	return nums, nil
}

func sys(n [7]uintptr) (uintptr, syscall.Errno) {
	r, _, errno := syscall.RawSyscall6(n[0], n[1], n[2], n[3], n[4], n[5], n[6])
	return r, errno
}

func execve(args []string) syscall.Errno {
	err := syscall.Exec(args[0], args, os.Environ())
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return syscall.EINVAL
}

// Int80 makes system call nr of the i386 ABI with up to six arguments
// through the int 0x80 gate, as the request "int80" does, for tests that
// install a filter themselves. It returns an error wrapping ErrRequest
// where the gate does not exist (any GOARCH but amd64).
func Int80(nr uintptr, args ...uintptr) (uintptr, syscall.Errno, error) {
	var n [7]uintptr
	n[0] = nr
	copy(n[1:], args)
	return int80Call(n)
}
