//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/vmtest"
)

// requestTimeout bounds the wait for one answer. A thread killed alone
// (SECCOMP_RET_KILL_THREAD) leaves a Go process that never answers; the
// victim is then killed and the request reported unanswered.
const requestTimeout = 30 * time.Second

// The main goroutine stays on the main thread, whose id is the process id:
// a victim installs its filter there, and an install without TSYNC
// filters that thread alone, so the requests not sent to another thread
// must run there too.
func init() { runtime.LockOSThread() }

// victimMain is the victim process: it installs the named filter and
// answers requests until its input ends. With "thread" the requests run on
// a thread that was started before the filter was installed.
func victimMain(args []string) int {
	if len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "thread") {
		fmt.Fprintln(os.Stderr, "usage: vmguest victim FILTER [thread]")
		return 2
	}
	run := func(f func()) { f() }
	if len(args) == 2 {
		run = startThread()
	}
	if err := installFilter(args[0]); err != nil {
		fmt.Fprintln(os.Stderr, "vmguest victim:", err)
		return 2
	}
	if err := probe.Serve(os.Stdin, os.Stdout, run); err != nil {
		fmt.Fprintln(os.Stderr, "vmguest victim:", err)
		return 2
	}
	return 0
}

// startThread starts an OS thread of its own and returns a function that
// runs work on it.
func startThread() func(func()) {
	work := make(chan func())
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread stays ours
		for f := range work {
			f()
			done <- struct{}{}
		}
	}()
	return func(f func()) {
		work <- f
		<-done
	}
}

// outcome is what became of a request.
type outcome struct {
	answered bool
	errno    syscall.Errno // for an answer: 0 if the call succeeded
	val      uint64        // for an answer without errno: the result
	signal   syscall.Signal
	exit     int // without an answer: the victim's exit status, if no signal
}

var (
	succeeded = outcome{answered: true}
	killedSys = outcome{signal: syscall.SIGSYS}
)

func failed(e syscall.Errno) outcome { return outcome{answered: true, errno: e} }

// matches reports whether o is what want describes; a successful result
// matches any value.
func (o outcome) matches(want outcome) bool {
	if o.answered != want.answered {
		return false
	}
	if o.answered {
		return o.errno == want.errno
	}
	return o.signal == want.signal && o.exit == want.exit
}

func (o outcome) String() string {
	switch {
	case o.answered && o.errno == 0 && o.val == 0:
		return "success"
	case o.answered && o.errno == 0:
		return fmt.Sprintf("success (%d)", o.val)
	case o.answered:
		return fmt.Sprintf("errno %d (%v)", int(o.errno), o.errno)
	case o.signal != 0:
		return fmt.Sprintf("killed by %v", o.signal)
	}
	return fmt.Sprintf("no answer, exit status %d", o.exit)
}

// victim is the checking side of a victim process.
type victim struct {
	c       *C
	filter  string
	cmd     *exec.Cmd
	in      io.WriteCloser
	answers chan string
	stderr  vmtest.LockedBuffer
	gone    bool
}

// startVictim starts a victim that installs filter.
func (c *C) startVictim(filter string, thread bool) *victim {
	args := []string{"victim", filter}
	if thread {
		args = append(args, "thread")
	}
	v := &victim{c: c, filter: filter, answers: make(chan string)}
	v.cmd = exec.CommandContext(c.ctx, "/proc/self/exe", args...)
	v.cmd.Stderr = &v.stderr
	var err error
	if v.in, err = v.cmd.StdinPipe(); err != nil {
		c.Fatalf("victim %s: %v", filter, err)
	}
	out, err := v.cmd.StdoutPipe()
	if err != nil {
		c.Fatalf("victim %s: %v", filter, err)
	}
	if err := v.cmd.Start(); err != nil {
		c.Fatalf("victim %s: %v", filter, err)
	}
	go func() {
		defer close(v.answers)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			v.answers <- sc.Text()
		}
	}()
	return v
}

// send writes a request without waiting for an answer (an exec that
// succeeds gives none).
func (v *victim) send(req string) {
	if _, err := io.WriteString(v.in, req+"\n"); err != nil {
		v.c.Logf("victim %s: writing %q: %v", v.filter, req, err)
	}
}

// ask sends a request and returns what became of it. Once the victim is
// gone, every request is unanswered with the same exit status.
func (v *victim) ask(req string) outcome {
	if !v.gone {
		v.send(req)
		select {
		case line, ok := <-v.answers:
			if ok {
				return v.parse(req, line)
			}
		case <-time.After(requestTimeout):
			v.c.Errorf("victim %s: no answer to %q in %v; killing it", v.filter, req, requestTimeout)
			v.cmd.Process.Kill()
		}
	}
	return v.wait()
}

// parse reads an answer line of package probe.
func (v *victim) parse(req, line string) outcome {
	kind, num, _ := strings.Cut(line, " ")
	n, err := strconv.ParseUint(num, 10, 64)
	switch {
	case err == nil && kind == "ok":
		return outcome{answered: true, val: n}
	case err == nil && kind == "errno":
		return failed(syscall.Errno(n))
	}
	v.c.Fatalf("victim %s: request %q: answer %q", v.filter, req, line)
	return outcome{}
}

// wait waits for the victim to end and returns how it ended.
func (v *victim) wait() outcome {
	if !v.gone {
		v.gone = true
		v.in.Close()
		for range v.answers {
		}
		v.cmd.Wait()
		if s := strings.TrimSpace(v.stderr.String()); s != "" {
			v.c.Logf("victim %s stderr:\n%s", v.filter, s)
		}
	}
	ws, _ := v.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return outcome{signal: ws.Signal()}
	}
	return outcome{exit: ws.ExitStatus()}
}
