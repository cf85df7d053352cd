package notify

import (
	"context"
	"fmt"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// Mux is a Handler that hands each notification to the handler added for
// its system call and ABI, and the others to Default. The zero Mux fails
// every call with ENOSYS; add handlers before serving.
type Mux struct {
	// Default handles the calls no handler was added for; nil fails
	// them with ENOSYS.
	Default  Handler
	handlers map[muxKey]Handler
}

type muxKey struct {
	arch uint32
	nr   int32
}

// Add makes h handle the named system call of the native ABI ("connect",
// "execve"). A name the native table does not know is an error.
func (m *Mux) Add(name string, h Handler) error {
	abi, err := seccomp.NativeABI()
	if err != nil {
		return err
	}
	nr, ok := abi.Number(name)
	if !ok {
		return fmt.Errorf("notify: Mux.Add: no system call %q on %s", name, abi.Name)
	}
	m.add(abi, nr, h)
	return nil
}

// AddEveryABI makes h handle the named system call on the native ABI and
// on every compat ABI of this architecture that has it (connect on
// x86_64, i386 and x32; socketcall on i386 alone). h must read the
// arguments by the ABI of each call (ConnectAllowlist does). A name no
// table has is an error.
func (m *Mux) AddEveryABI(name string, h Handler) error {
	abis := seccomp.CompatABIs()
	if abi, err := seccomp.NativeABI(); err == nil {
		abis = append(abis, abi)
	}
	found := false
	for _, abi := range abis {
		if nr, ok := abi.Number(name); ok {
			m.add(abi, nr, h)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("notify: Mux.AddEveryABI: no ABI of this architecture has system call %q", name)
	}
	return nil
}

func (m *Mux) add(abi *tables.ABI, nr uint32, h Handler) {
	if m.handlers == nil {
		m.handlers = make(map[muxKey]Handler)
	}
	m.handlers[muxKey{abi.Audit, int32(nr)}] = h
}

// Handle dispatches req.
func (m *Mux) Handle(ctx context.Context, req *Request) Response {
	if h, ok := m.handlers[muxKey{req.Data.Arch, req.Data.Nr}]; ok {
		return h.Handle(ctx, req)
	}
	if m.Default != nil {
		return m.Default.Handle(ctx, req)
	}
	return Fail(syscall.ENOSYS)
}

// Logged returns a handler that runs h and then calls log with each
// request and the response h chose, before it is sent: a hook for
// tracing every call a supervisor decides. log runs on Serve's goroutine
// and delays the caller while it runs.
func Logged(h Handler, log func(req *Request, resp Response)) Handler {
	return HandlerFunc(func(ctx context.Context, req *Request) Response {
		resp := h.Handle(ctx, req)
		log(req, resp)
		return resp
	})
}

// ContinueAll is the Handler that lets every call run: with a filter
// whose Default is Notify and a Logged hook recording each request's
// Data.Nr and Data.Arch, it learns which system calls a program makes.
var ContinueAll Handler = HandlerFunc(func(context.Context, *Request) Response { return Continue() })
