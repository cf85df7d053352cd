//go:build linux

package probe

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestServe(t *testing.T) {
	pid := syscall.Getpid()
	for _, tc := range []struct {
		req, want string
	}{
		{fmt.Sprintf("sys %#x", syscall.SYS_GETPID), fmt.Sprintf("ok %d", pid)},
		{fmt.Sprintf("sys %d 0 0 0 0 0 0", syscall.SYS_UNAME), "errno 14"}, // uname(NULL): EFAULT
		{"sys 0x3ff0", "errno 38"},               // no such call: ENOSYS
		{"exec /nonexistent/program", "errno 2"}, // ENOENT
		{"", "bad empty request"},
		{"sys", "bad probe: bad request: want a number and 0 to 6 arguments, have 0 words"},
		{"sys 1 2 3 4 5 6 7 8", "bad probe: bad request: want a number and 0 to 6 arguments, have 8 words"},
		{"sys getpid", `bad probe: bad request: "getpid": strconv.ParseUint: parsing "getpid": invalid syntax`},
		{"exec", "bad exec needs a path"},
		{"fork", `bad unknown request "fork"`},
	} {
		t.Run(tc.req, func(t *testing.T) {
			var out strings.Builder
			ran := 0
			err := Serve(strings.NewReader(tc.req+"\n"), &out, func(f func()) { ran++; f() })
			if err != nil || out.String() != tc.want+"\n" || ran != 1 {
				t.Errorf("got %q, %v after %d runs; want %q", out.String(), err, ran, tc.want)
			}
		})
	}
}

// TestServeReadsNoFurther checks that Serve leaves the input after the
// line it answers unread, for the program an exec starts.
func TestServeReadsNoFurther(t *testing.T) {
	in := strings.NewReader("tid\nlast")
	line, err := readLine(in)
	if line != "tid" || err != nil || in.Len() != len("last") {
		t.Errorf("got %q, %v with %d bytes left; want \"tid\" and 4 left", line, err, in.Len())
	}
	runtime.LockOSThread() // so that Gettid here is the thread Serve runs on
	defer runtime.UnlockOSThread()
	var out strings.Builder
	if err := Serve(strings.NewReader("tid"), &out, func(f func()) { f() }); err != nil || out.String() != fmt.Sprintf("ok %d\n", syscall.Gettid()) {
		t.Errorf("a last line without newline: got %q, %v", out.String(), err)
	}
}

// endless is a reader of 'x' without a newline, which counts what it
// gave; it ends after a megabyte, so that a reader without a bound fails
// the test rather than the machine.
type endless struct{ n int }

func (e *endless) Read(b []byte) (int, error) {
	if e.n >= 1<<20 {
		return 0, io.EOF
	}
	for i := range b {
		b[i] = 'x'
	}
	e.n += len(b)
	return len(b), nil
}

// TestServeBoundsRequests: an endless request line (sysfence probe with
// SYSFENCE_PROBE_SERVE=1 reading /dev/zero) is refused after a few
// kilobytes, not read into memory forever.
func TestServeBoundsRequests(t *testing.T) {
	in := &endless{}
	var out strings.Builder
	err := Serve(in, &out, func(f func()) { f() })
	if err == nil || !strings.Contains(err.Error(), "longer than 4096 bytes") || in.n > 2*maxRequest {
		t.Errorf("Serve of an endless line: %v after reading %d bytes; want a refusal within %d", err, in.n, 2*maxRequest)
	}
}
