package notify

import (
	"context"
	"fmt"
	"syscall"

	"github.com/sysfence/seccomp"
)

// Mux is a Handler that hands each notification to the handler added for
// its system call on the native ABI, and the others to Default. The zero
// Mux fails every call with ENOSYS; add handlers before serving.
type Mux struct {
	// Default handles the calls no handler was added for, and calls
	// through other ABIs; nil fails them with ENOSYS.
	Default  Handler
	handlers map[int32]Handler
}

// Add makes h handle the named system call of the native ABI ("connect",
// "execve"). A name the native table does not know is an error.
func (m *Mux) Add(name string, h Handler) error {
	nr, err := seccomp.NativeNumber(name)
	if err != nil {
		return fmt.Errorf("notify: Mux.Add: %w", err)
	}
	if m.handlers == nil {
		m.handlers = make(map[int32]Handler)
	}
	m.handlers[int32(nr)] = h
	return nil
}

// Handle dispatches req.
func (m *Mux) Handle(ctx context.Context, req *Request) Response {
	if abi, err := seccomp.NativeABI(); err == nil && req.Data.Arch == abi.Audit {
		if h, ok := m.handlers[req.Data.Nr]; ok {
			return h.Handle(ctx, req)
		}
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
