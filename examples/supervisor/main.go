// Command supervisor runs a command whose connect(2) calls may reach only
// the addresses it is given: a seccomp filter notifies this process of
// each connect, and it connects the command's socket itself when the
// address is allowed, or fails the call with ECONNREFUSED.
//
//	supervisor -allow 127.0.0.1:8080,[::1]:53,unix:/run/x.sock -- curl http://127.0.0.1:8080/
//
// Copy it and change the policy or the handler: notify.Mux dispatches by
// system call, notify.LogExec logs executions. Only connect is
// supervised here; the other ways into a connection (TCP Fast Open,
// io_uring, SCTP) are refused, and every other call runs as usual. See the
// notify package documentation for what this guarantees.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/notify"
)

func main() {
	// When this binary is started by notify.Start as the helper that
	// installs the filter and executes the command, Init does that and
	// never returns. It must come first.
	notify.Init()
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "supervisor:", err)
	}
	os.Exit(code)
}

// run supervises the command line of args and returns its exit status.
func run(args []string) (int, error) {
	fs := flag.NewFlagSet("supervisor", flag.ContinueOnError)
	allow := fs.String("allow", "", "comma-separated `ADDRS` the command may connect to (127.0.0.1:8080, [::1]:53, 10.0.0.0/8:443, unix:/path for datagram sockets)")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if fs.NArg() == 0 {
		return 2, errors.New("usage: supervisor -allow ADDRS -- COMMAND [ARG...]")
	}
	var allowed []notify.ConnectRule
	for _, a := range strings.Split(*allow, ",") {
		if a == "" {
			continue
		}
		r, err := notify.ParseConnectRule(a)
		if err != nil {
			return 2, err
		}
		allowed = append(allowed, r)
	}

	// Every call is allowed but connect, which this process decides,
	// and the calls that connect without connect(2) (TCP Fast Open,
	// io_uring, SCTP), which fail. Calls through i386 are killed (the
	// policy's Foreign default); CheckConnectRoutes makes sure.
	prog, err := (&seccomp.Policy{Default: seccomp.Allow, Rules: notify.ConnectRules()}).Compile()
	if err != nil {
		return 1, err
	}
	if err := notify.CheckConnectRoutes(prog); err != nil {
		return 1, err
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := notify.Start(ctx, cmd, prog)
	if err != nil {
		return 1, err
	}
	defer l.Close()
	// The supervisor connects a copy of the command's socket to the
	// address it checked: the command cannot swap the address between
	// the check and the call. Each call on a goroutine of its own, so
	// that a blocking connect holds up no other.
	go l.ServeEach(ctx, &notify.ConnectAllowlist{
		Allow: allowed,
		Errno: syscall.ECONNREFUSED,
		Decided: func(req *notify.Request, d notify.ConnectDecision) {
			switch {
			case d.Err != nil:
				fmt.Fprintf(os.Stderr, "supervisor: pid %d: connect %s: %v (%v)\n", req.PID, d.Addr, d.Err, d.Response)
			case !d.Allowed:
				fmt.Fprintf(os.Stderr, "supervisor: pid %d: connect %s refused\n", req.PID, d.Addr)
			}
		},
	})

	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}
