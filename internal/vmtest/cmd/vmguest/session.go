//go:build linux

package main

import (
	"fmt"
	"strings"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// eperm is the EPERM of every ABI the guests run (asm-generic/errno-base.h).
const eperm = syscall.EPERM

// A route is a way into the kernel: the ABI a call is made through, and
// how a victim makes it. The numbers are the kernel's for that route,
// written down independently of package tables (from the syscall package
// for the native ABI, from the kernel's syscall tables for the others),
// so that a wrong table shows as a wrong answer.
type route struct {
	name string
	abi  *tables.ABI
	// via is the request that makes the call: "sys" or "int80".
	via string
	// exec is the program the victim execs first to make the calls
	// (the compat ABI's probe); "" if the victim makes them itself.
	exec string
	// uname and getpid are the numbers of two calls on the route, as
	// seccomp_data.nr shows them (with the x32 bit on x32).
	uname, getpid uint32
	// bits is the width of the arguments the route can pass.
	bits int
}

// call is one system call made on a route.
type call struct {
	name string
	nr   uint32
	args [6]uint64
	// plain is what the call returns when the filter allows it.
	plain outcome
}

// Calls every route has: uname(NULL) fails with EFAULT without touching
// anything, getpid succeeds.
func (r route) unameNull() call {
	return call{name: "uname", nr: r.uname, plain: failed(syscall.EFAULT)}
}
func (r route) getpidCall(args [6]uint64) call {
	return call{name: "getpid", nr: r.getpid, args: args, plain: succeeded}
}

// session sends calls on one route to victims that installed one filter,
// starting a new victim when one has been killed.
type session struct {
	c      *C
	filter string
	route  route
	thread bool
	prog   *seccomp.Program // nil for "none"
	v      *victim
}

func (c *C) session(filter string, r route) *session {
	prog, err := programFor(filter)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return &session{c: c, filter: filter, route: r, prog: prog}
}

// victim returns the running victim, starting one (and its exec) if there
// is none.
func (s *session) victim() *victim {
	if s.v == nil || s.v.gone {
		s.v = s.c.startVictim(s.filter, s.thread)
		if s.route.exec != "" {
			s.v.send("exec " + s.route.exec)
		}
	}
	return s.v
}

// close ends the running victim, which must exit cleanly.
func (s *session) close() {
	if s.v == nil || s.v.gone {
		return
	}
	if o := s.v.wait(); !o.matches(outcome{}) {
		s.c.Errorf("%s: victim ended with %v", s.filter, o)
	}
}

// data is the seccomp_data the kernel builds for k on the session's route.
func (s *session) data(k call) *filter.SeccompData {
	return &filter.SeccompData{Nr: int32(k.nr), Arch: s.route.abi.Audit, Args: k.args}
}

// simulate returns what the simulator says the filter does with k.
func (s *session) simulate(k call) filter.Action {
	if s.prog == nil {
		return filter.Allow
	}
	res, err := filter.Run(s.prog.Instructions(), s.data(k), s.prog.ByteOrder())
	if err != nil {
		s.c.Fatalf("%s: simulating %s: %v", s.filter, s.describe(k), err)
	}
	if s.route.abi.WordSize == 4 {
		// The ABI's arguments are 32-bit words: what the filter does
		// must not depend on the upper halves of seccomp_data.args,
		// whatever the kernel leaves there.
		low := s.data(k)
		for i := range low.Args {
			low.Args[i] &= 0xffff_ffff
		}
		if lres, err := filter.Run(s.prog.Instructions(), low, s.prog.ByteOrder()); err != nil || lres.Ret != res.Ret {
			s.c.Errorf("%s: %s: simulator answers %v, but %v with the upper halves cleared (%v)", s.filter, s.describe(k), res.Ret, lres.Ret, err)
		}
	}
	return res.Ret
}

// expect makes the call and checks that the filter does act with it, in
// the simulator and in the kernel.
func (s *session) expect(k call, act filter.Action) {
	if sim := s.simulate(k); sim != act {
		s.c.Errorf("%s: %s: simulator answers %v, want %v", s.filter, s.describe(k), sim, act)
	}
	got, want := s.do(k), effect(act, k.plain)
	if !got.matches(want) {
		s.c.Errorf("%s: %s: got %v, want %v (%v)", s.filter, s.describe(k), got, want, act)
		return
	}
	s.c.Logf("%s: %s: %v (%v)", s.filter, s.describe(k), got, act)
}

// compare makes the call and checks that the kernel does what the
// simulator says. It returns the simulator's answer.
func (s *session) compare(k call) filter.Action {
	act := s.simulate(k)
	s.check(k, act)
	return act
}

// check makes the call and checks that the kernel does act with it.
func (s *session) check(k call, act filter.Action) {
	if got, want := s.do(k), effect(act, k.plain); !got.matches(want) {
		s.c.Errorf("%s: %s: got %v, want %v (%v)", s.filter, s.describe(k), got, want, act)
	}
}

// do makes the call in a victim.
func (s *session) do(k call) outcome {
	return s.victim().ask(s.request(k))
}

func (s *session) request(k call) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %#x", s.route.via, k.nr)
	for _, a := range k.args {
		fmt.Fprintf(&b, " %#x", a)
	}
	return b.String()
}

func (s *session) describe(k call) string {
	args := make([]string, len(k.args))
	for i, a := range k.args {
		args[i] = fmt.Sprintf("%#x", a)
	}
	return fmt.Sprintf("%s %s(%s) [nr %#x]", s.route.name, k.name, strings.Join(args, ","), k.nr)
}

// effect is what a call comes to under a filter action, plain being what
// it comes to when allowed.
func effect(act filter.Action, plain outcome) outcome {
	switch act.Kind() {
	case filter.Allow, filter.Log:
		return plain
	case filter.ErrnoBase:
		return failed(syscall.Errno(act.Data()))
	case filter.KillProcess:
		return killedSys
	}
	// Other actions leave a Go victim hanging or crashing; no check
	// uses them.
	panic(fmt.Sprintf("vmguest: no expected outcome for action %v", act))
}
