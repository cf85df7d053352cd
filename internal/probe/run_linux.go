package probe

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run makes the battery's calls on every route and reports what became
// of them. It fails only when it cannot start a process of its own.
func Run(cfg Config) (*Report, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	rep := &Report{Kernel: Uname(), GOARCH: goarch(), Seccomp: seccompState(), Battery: batteryReport(), Method: Method}
	routes := Routes()
	if len(routes) == 0 {
		return nil, fmt.Errorf("probe: no ABI is native to %s: %w", goarch(), errors.ErrUnsupported)
	}
	for _, r := range routes {
		p := &prober{cfg: cfg, route: r}
		rr, err := p.probe()
		p.stop()
		if err != nil {
			return nil, err
		}
		rep.Routes = append(rep.Routes, rr)
	}
	return rep, nil
}

// prober makes calls on one route, through one child at a time.
type prober struct {
	cfg   Config
	route Route
	c     *child
}

// probe decides whether the kernel offers the route, by a getpid through
// it, and makes the battery's calls on it unless it does not.
func (p *prober) probe() (RouteReport, error) {
	r := p.route
	rr := RouteReport{Name: r.Name, ABI: r.ABI.Name, How: r.How}
	if r.Helper {
		if p.cfg.Helper == "" {
			rr.Available, rr.Detail = NotRun, p.cfg.NoHelper
			return rr, nil
		}
		if err := checkHelper(p.cfg.Helper, r); err != nil {
			rr.Available, rr.Detail = NotRun, err.Error()
			return rr, nil
		}
	}
	o, err := p.call(Battery[0])
	if err != nil {
		return rr, err
	}
	rr.Available, rr.Detail = p.availability(o)
	if rr.Available == No {
		return rr, nil
	}
	for _, c := range Battery {
		res, err := p.result(c)
		if err != nil {
			return rr, err
		}
		rr.Calls = append(rr.Calls, res)
	}
	return rr, nil
}

// availability reads the outcome of getpid on the route.
func (p *prober) availability(o outcome) (Availability, string) {
	r := p.route
	switch {
	case o.startErr != nil && errors.Is(o.startErr, syscall.ENOEXEC):
		return No, fmt.Sprintf("the kernel cannot execute %s (%v): it runs no %s programs", p.cfg.Helper, o.startErr, r.ABI.Name)
	case o.answered && o.errno == 0:
		return Yes, "getpid answered"
	case r.Via == "int80" && o.crash == syscall.SIGSEGV:
		return No, "int 0x80 raised SIGSEGV: this kernel offers no i386 system calls (IA-32 emulation is off or not built in)"
	case r.ABI.NrBit != 0 && o.answered && o.errno == syscall.ENOSYS:
		return No, fmt.Sprintf("getpid with the x32 bit returned ENOSYS, as a kernel without x32 does; a filter that answers ENOSYS to every x32 call would look the same%s", x32Hint())
	case r.ABI.NrBit != 0:
		return Unknown, fmt.Sprintf("getpid with the x32 bit: %v, a filter's answer, which comes before the kernel's check that x32 is on", o)
	case o.startErr != nil:
		return Unknown, fmt.Sprintf("could not start: %v", o.startErr)
	}
	if r.Helper && !o.answered {
		return Yes, fmt.Sprintf("the kernel executed the helper, which was %v before it answered", o)
	}
	return Yes, fmt.Sprintf("getpid: %v, a filter's answer, so the kernel took the call", o)
}

// x32Hint says what the kernel command line says of x32, if anything.
func x32Hint() string {
	b, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return ""
	}
	for _, w := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(w, "syscall.x32="); ok {
			return fmt.Sprintf(" (the kernel command line has syscall.x32=%s)", v)
		}
	}
	return " (syscall.x32=y on the kernel command line turns x32 on where it is built in)"
}

// result makes one call of the battery and judges the outcome.
func (p *prober) result(c Call) (Result, error) {
	r := p.route
	res := Result{Call: c.Name, Args: c.args(r.ABI, r.bits())}
	nr, ok := r.ABI.Number(c.Name)
	if !ok {
		res.Verdict = Absent
		return res, nil
	}
	res.Nr = nr
	o, err := p.call(c)
	if err != nil {
		return res, err
	}
	switch {
	case o.answered:
		want := uint16(0)
		if c.Kernel != "" {
			want, _ = r.ABI.Errno(c.Kernel)
		}
		if uint16(o.errno) == want {
			res.Verdict = Reached
			return res, nil
		}
		res.Verdict, res.Errno = Refused, p.errnoName(o.errno)
		if o.errno == 0 {
			res.Detail = "returned success where the kernel fails: the filter answered errno 0"
		}
	case o.signal != 0:
		res.Verdict, res.Signal = Killed, signalName(o.signal)
	case o.crash == syscall.SIGSYS:
		res.Verdict, res.Signal = Trapped, "SIGSYS"
	case o.crash != 0:
		res.Verdict, res.Signal = Died, signalName(o.crash)
	case o.hung:
		res.Verdict = Hung
	default:
		res.Verdict, res.Detail = Died, o.String()
	}
	return res, nil
}

func (p *prober) errnoName(e syscall.Errno) string {
	if e == 0 {
		return "0"
	}
	if name, ok := p.route.ABI.ErrnoName(uint16(e)); ok {
		return name
	}
	return strconv.Itoa(int(e))
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGSYS: "SIGSYS", syscall.SIGSEGV: "SIGSEGV", syscall.SIGKILL: "SIGKILL",
		syscall.SIGILL: "SIGILL", syscall.SIGBUS: "SIGBUS", syscall.SIGABRT: "SIGABRT",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}

// call makes c on the route in the running child, starting one if there
// is none. It fails only when the running program cannot be started.
func (p *prober) call(c Call) (outcome, error) {
	nr, _ := p.route.ABI.Number(c.Name)
	args := c.args(p.route.ABI, p.route.bits())
	var req strings.Builder
	fmt.Fprintf(&req, "%s %#x", p.route.Via, nr)
	for _, a := range args {
		fmt.Fprintf(&req, " %#x", a)
	}
	if p.c == nil || p.c.gone {
		path := p.cfg.Self
		if p.route.Helper {
			path = p.cfg.Helper
		}
		ch, err := startChild(p.cfg.Server(path))
		if err != nil {
			if p.route.Helper {
				return outcome{startErr: err}, nil
			}
			return outcome{}, fmt.Errorf("probe: starting %s: %w", path, err)
		}
		p.c = ch
	}
	return p.c.ask(req.String(), p.cfg.Timeout), nil
}

func (p *prober) stop() {
	if p.c != nil {
		p.c.in.Close()
		p.c.wait()
	}
}

// checkHelper checks that path is a program of the route's ABI, so that
// its answers are that ABI's.
func checkHelper(path string, r Route) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("helper %s: %w", path, err)
	}
	defer f.Close()
	want := map[string]elf.Machine{"x86": elf.EM_386, "arm": elf.EM_ARM}[r.ABI.Name]
	if f.Class != elf.ELFCLASS32 || f.Machine != want {
		return fmt.Errorf("helper %s is a %v %v program, not a 32-bit %v one (build it with GOARCH=%s)", path, f.Class, f.Machine, want, helperGOARCH)
	}
	return nil
}

// outcome is what became of a request.
type outcome struct {
	answered bool
	errno    syscall.Errno // with an answer: 0 if the call succeeded
	startErr error         // the child could not be started
	signal   syscall.Signal
	// crash is the signal the Go runtime reported dying of: a Go program
	// catches SIGSEGV and a SIGSYS that is delivered, prints it and
	// exits with status 2.
	crash syscall.Signal
	hung  bool
	exit  int
}

func (o outcome) String() string {
	switch {
	case o.answered && o.errno == 0:
		return "success"
	case o.answered:
		return fmt.Sprintf("errno %d (%v)", int(o.errno), o.errno)
	case o.startErr != nil:
		return o.startErr.Error()
	case o.signal != 0:
		return "killed by " + signalName(o.signal)
	case o.crash != 0:
		return "died of " + signalName(o.crash)
	case o.hung:
		return "no answer"
	}
	return fmt.Sprintf("no answer, exit status %d", o.exit)
}

// child is a process that answers requests.
type child struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	answers chan string
	stderr  bytes.Buffer
	gone    bool
}

func startChild(cmd *exec.Cmd) (*child, error) {
	c := &child{cmd: cmd, answers: make(chan string, 1)}
	cmd.Stderr = &c.stderr
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(c.answers)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.answers <- sc.Text()
		}
	}()
	return c, nil
}

// ask sends a request and waits for its answer or the child's end.
func (c *child) ask(req string, timeout time.Duration) outcome {
	if _, err := io.WriteString(c.in, req+"\n"); err == nil {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case line, ok := <-c.answers:
			if ok {
				return parseAnswer(line)
			}
		case <-timer.C:
			c.cmd.Process.Kill()
			o := c.wait()
			return outcome{hung: true, exit: o.exit}
		}
	}
	return c.wait()
}

// parseAnswer reads an answer line of Serve.
func parseAnswer(line string) outcome {
	kind, num, _ := strings.Cut(line, " ")
	n, err := strconv.ParseUint(num, 10, 64)
	switch {
	case err == nil && kind == "ok":
		return outcome{answered: true}
	case err == nil && kind == "errno":
		return outcome{answered: true, errno: syscall.Errno(n)}
	}
	return outcome{startErr: fmt.Errorf("probe: the child answered %q", line)}
}

// wait waits for the child to end and says how it ended.
func (c *child) wait() outcome {
	c.gone = true
	c.in.Close()
	for range c.answers {
	}
	c.cmd.Wait()
	ws, _ := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return outcome{signal: ws.Signal()}
	}
	o := outcome{exit: ws.ExitStatus()}
	if o.exit == 2 {
		o.crash = goCrash(c.stderr.String())
	}
	return o
}

// goCrash returns the signal a Go program's crash report names:
// "SIGSYS: bad system call" for a throw, "[signal SIGSEGV: …" for a
// panic (runtime/signal_unix.go, runtime/panic.go).
func goCrash(stderr string) syscall.Signal {
	for _, s := range []syscall.Signal{syscall.SIGSYS, syscall.SIGSEGV, syscall.SIGILL, syscall.SIGBUS} {
		name := signalName(s)
		if strings.HasPrefix(stderr, name+":") || strings.Contains(stderr, "[signal "+name+":") {
			return s
		}
	}
	return 0
}

// Uname returns the running kernel's release and machine, as uname -rm.
func Uname() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "unknown"
	}
	return cString(u.Release[:]) + " " + cString(u.Machine[:])
}

// cString converts a NUL-terminated field of struct utsname, whose
// element type differs between architectures.
func cString[T int8 | uint8](field []T) string {
	b := make([]byte, 0, len(field))
	for _, c := range field {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// seccompState reads the Seccomp, Seccomp_filters and NoNewPrivs fields
// of /proc/self/status (Documentation/filesystems/proc.rst), or asks
// prctl(2) when /proc is not there.
func seccompState() Seccomp {
	s := Seccomp{Mode: -1, Filters: -1, Source: "/proc/self/status"}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		const prGetSeccomp, prGetNoNewPrivs = 21, 39 // linux/prctl.h
		s.Source = "prctl"
		if r, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetSeccomp, 0, 0); errno == 0 {
			s.Mode = int(r)
		}
		r, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, prGetNoNewPrivs, 0, 0)
		s.NoNewPrivs = r == 1
		return s
	}
	for _, line := range strings.Split(string(b), "\n") {
		key, val, _ := strings.Cut(line, ":")
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			continue
		}
		switch key {
		case "Seccomp":
			s.Mode = n
		case "Seccomp_filters":
			s.Filters = n
		case "NoNewPrivs":
			s.NoNewPrivs = n == 1
		}
	}
	return s
}
