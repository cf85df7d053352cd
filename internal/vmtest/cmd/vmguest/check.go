//go:build linux

package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sysfence/seccomp/internal/vmtest"
)

// A check is one named test the guest runs and reports.
type check struct {
	name string
	run  func(c *C)
}

// C is the state of a running check, a small testing.T.
type C struct {
	ctx  context.Context
	rep  vmtest.Reporter
	name string

	mu      sync.Mutex
	failed  bool
	skipped bool
	over    bool // the check has been reported; later output is dropped
}

// Logf reports a line of output.
func (c *C) Logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.over {
		c.rep.Log(c.name, fmt.Sprintf(format, args...))
	}
}

// Errorf reports a failure and goes on.
func (c *C) Errorf(format string, args ...any) {
	c.Logf(format, args...)
	c.mu.Lock()
	c.failed = true
	c.mu.Unlock()
}

// Fatalf reports a failure and ends the check.
func (c *C) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	runtime.Goexit()
}

// Skipf reports why the check cannot run in this guest and ends it.
func (c *C) Skipf(format string, args ...any) {
	c.Logf(format, args...)
	c.mu.Lock()
	c.skipped = true
	c.mu.Unlock()
	runtime.Goexit()
}

// runCheck runs one check with a deadline and reports its result. A check
// that overruns is reported as failed and abandoned; its victims are
// killed with its context.
func runCheck(rep vmtest.Reporter, chk check, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &C{ctx: ctx, rep: rep, name: chk.name}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				c.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		chk.run(c)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		c.Errorf("timed out after %v", timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.over = true
	status := vmtest.Pass
	switch {
	case c.failed:
		status = vmtest.Fail
	case c.skipped:
		status = vmtest.Skip
	}
	rep.Result(c.name, status, time.Since(start))
}
