//go:build linux

package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/vmtest"
	"github.com/sysfence/seccomp/tables"
)

// unknownNr is a number no system-call table has (they end below 1000).
const unknownNr = 0x3ff0

// nativeRoute is the native ABI, numbered by package syscall.
func nativeRoute() route {
	abi, _ := seccomp.NativeABI()
	return route{name: "native", abi: abi, via: "sys", uname: syscall.SYS_UNAME, getpid: syscall.SYS_GETPID, bits: 64}
}

// Calls of the native ABI besides uname and getpid: mount(NULL, NULL, …)
// fails with EFAULT, reading the target path, before anything else.
func mountNull() call {
	return call{name: "mount", nr: syscall.SYS_MOUNT, plain: failed(syscall.EFAULT)}
}
func getppid() call { return call{name: "getppid", nr: syscall.SYS_GETPPID, plain: succeeded} }
func unknownCall() call {
	return call{name: "unknown", nr: unknownNr, plain: failed(syscall.ENOSYS)}
}

// checksFor returns the checks of a guest, in the order they run.
func checksFor() []check {
	native := nativeRoute()
	compat := compatRoutes()
	var checks []check
	add := func(name string, run func(*C)) { checks = append(checks, check{name, run}) }

	// Without a filter every call does what it does: the premise of
	// every "plain" outcome below, and proof that the foreign routes
	// work at all (x32 needs syscall.x32=y).
	add("unfiltered/native", func(c *C) {
		unfiltered(c, native, mountNull(), getppid(), unknownCall())
	})
	for _, r := range compat {
		add("unfiltered/"+r.name, func(c *C) { unfiltered(c, r) })
	}
	for _, name := range seccomp.BuiltinNames() {
		add("builtin/"+name, func(c *C) { builtin(c, name, native) })
	}
	add("allowlist", func(c *C) { allowlist(c, native) })
	add("tsync", func(c *C) { tsync(c, native) })
	add("bypass/native/no-tsync", func(c *C) { withoutTSync(c, native) })
	add("exec", func(c *C) { execSurvives(c, native) })
	add("export/native", func(c *C) { exported(c, native, native) })
	for _, r := range compat {
		add("export/"+r.name, func(c *C) { exported(c, native, r) })
	}
	for _, r := range compat {
		add("foreign/"+r.name+"/sandbox", func(c *C) { foreignSandbox(c, r) })
		add("foreign/"+r.name+"/uncovered", func(c *C) { foreignUncovered(c, r) })
		add("foreign/"+r.name+"/covered", func(c *C) { foreignCovered(c, native, r) })
		add("bypass/"+r.name+"/nr-only", func(c *C) { bypass(c, native, r) })
	}
	// sysfence probe, as a sandbox's user runs it: under no filter, the
	// built-in sandbox and a filter without an arch check.
	for _, name := range []string{"none", "sandbox", "nr-only-ptrace", denySocket()} {
		add("sysfence-probe/"+strings.Split(name, "@")[0], func(c *C) { sysfenceProbe(c, name) })
	}
	add("args/native", func(c *C) { args(c, native, native) })
	for _, r := range compat {
		add("args/"+r.name, func(c *C) { args(c, native, r) })
	}
	return checks
}

// unfiltered checks the plain outcomes of the calls on a route, without
// a filter.
func unfiltered(c *C, r route, more ...call) {
	s := c.session("none", r)
	defer s.close()
	for _, k := range append([]call{r.getpidCall([6]uint64{}), r.unameNull()}, more...) {
		s.expect(k, filter.Allow)
	}
}

// builtin checks a built-in program, as Builtin hands it out, against its
// policy: each rule's system call, with arguments that satisfy and that
// violate each of its conditions. Calls the program allows run for real,
// so only those known to be harmless are made.
func builtin(c *C, name string, native route) {
	pol, err := seccomp.BuiltinPolicy(name)
	if err != nil {
		c.Fatalf("%v", err)
	}
	s := c.session(name, native)
	defer s.close()
	s.expect(native.getpidCall([6]uint64{}), filter.Allow)
	s.expect(native.unameNull(), filter.Allow)
	harmless := []string{"getpid", "uname", "personality"}
	seen := make(map[string]bool)
	made := make(map[filter.Action][]string) // calls made, by action
	var notMade []string
	for _, rule := range pol.Rules {
		if rule.ABIs != nil && !slices.ContainsFunc(rule.ABIs, func(a *tables.ABI) bool { return a.Name == native.abi.Name }) {
			continue
		}
		nr, ok := native.abi.Number(rule.Syscall)
		if !ok {
			continue
		}
		first := !seen[rule.Syscall]
		seen[rule.Syscall] = true
		want, err := rule.Action.Resolve(native.abi)
		if err != nil {
			c.Fatalf("%s: rule for %s: %v", name, rule.Syscall, err)
		}
		for i, args := range condVectors(rule.Args) {
			k := call{name: rule.Syscall, nr: nr, args: args, plain: succeeded}
			act := s.simulate(k)
			if i == 0 && first && act != want {
				c.Errorf("%s: %s: simulator answers %v, the policy's first rule for it says %v", name, s.describe(k), act, want)
			}
			if act.Kind() == filter.Allow && !slices.Contains(harmless, rule.Syscall) {
				notMade = append(notMade, s.describe(k))
				continue
			}
			s.check(k, act)
			made[act] = append(made[act], shortCall(rule.Syscall, args))
		}
	}
	acts := slices.Sorted(maps.Keys(made))
	for _, act := range acts {
		c.Logf("%s: %v: %s", name, act, strings.Join(made[act], " "))
	}
	c.Logf("%s: allowed, so not made (they would run): %s", name, strings.Join(notMade, "; "))
}

// shortCall spells a call with its arguments up to the last that is not 0.
func shortCall(name string, args [6]uint64) string {
	n := len(args)
	for n > 0 && args[n-1] == 0 {
		n--
	}
	words := make([]string, n)
	for i := range n {
		words[i] = fmt.Sprintf("%#x", args[i])
	}
	return name + "(" + strings.Join(words, ",") + ")"
}

// condVectors returns the argument vectors for a rule: first one that
// satisfies every condition, then one per condition that violates it.
func condVectors(conds []seccomp.Cond) [][6]uint64 {
	var sat [6]uint64
	for _, cd := range conds {
		sat[cd.Arg] = satisfying(cd)
	}
	vecs := [][6]uint64{sat}
	for _, cd := range conds {
		v := sat
		v[cd.Arg] = violating(cd)
		vecs = append(vecs, v)
	}
	return vecs
}

func satisfying(cd seccomp.Cond) uint64 {
	switch cd.Op {
	case seccomp.Ne, seccomp.Gt:
		return cd.Value + 1
	case seccomp.Lt:
		return cd.Value - 1
	}
	return cd.Value // OpEq, OpLe, OpGe, OpMaskedEq
}

func violating(cd seccomp.Cond) uint64 {
	switch cd.Op {
	case seccomp.Eq:
		return cd.Value ^ 1
	case seccomp.Le:
		return cd.Value + 1
	case seccomp.Ge:
		return cd.Value - 1
	case seccomp.MaskedEq:
		return cd.Value ^ (cd.Mask & -cd.Mask) // flip the lowest bit the mask tests
	}
	return cd.Value // OpNe, OpLt, OpGt
}

// allowlist checks allowlistPolicy: listed calls run, others fail with
// EPERM, unknown numbers with EXDEV, and uname kills the process.
func allowlist(c *C, native route) {
	s := c.session("allowlist", native)
	defer s.close()
	s.expect(native.getpidCall([6]uint64{}), filter.Allow)
	s.expect(getppid(), filter.Errno(uint16(eperm)))
	s.expect(mountNull(), filter.Errno(uint16(eperm)))
	s.expect(unknownCall(), filter.Errno(uint16(syscall.EXDEV)))
	s.expect(native.unameNull(), filter.KillProcess)
}

// tsync checks that Install's filter reaches a thread that was running
// before it: the victim's requests run on such a thread.
func tsync(c *C, native route) {
	s := c.session("sandbox", native)
	s.thread = true
	defer s.close()
	requireOtherThread(c, s)
	s.expect(mountNull(), filter.Errno(uint16(eperm)))
	s.expect(native.getpidCall([6]uint64{}), filter.Allow)
}

// withoutTSync installs the same program on the installing thread only:
// the thread that was there before is not filtered. This shows that tsync
// can fail.
func withoutTSync(c *C, native route) {
	s := c.session("notsync:sandbox", native)
	s.thread = true
	defer s.close()
	requireOtherThread(c, s)
	k := mountNull()
	if got := s.do(k); !got.matches(k.plain) {
		c.Errorf("%s: %s: got %v, want the unfiltered %v: without TSYNC the older thread has no filter", s.filter, s.describe(k), got, k.plain)
		return
	}
	c.Logf("%s: %s: %v, unfiltered: bypass observed, as expected without TSYNC", s.filter, s.describe(k), k.plain)
}

// requireOtherThread checks that the victim's requests run on a thread
// other than the one that installed the filter (the main thread, whose id
// is the process id).
func requireOtherThread(c *C, s *session) {
	v := s.victim()
	o := v.ask("tid")
	if !o.answered || o.errno != 0 {
		c.Fatalf("%s: tid: %v", s.filter, o)
	}
	if pid := v.cmd.Process.Pid; int(o.val) == pid {
		c.Fatalf("%s: requests run on the main thread %d, not on an older one", s.filter, pid)
	}
	c.Logf("%s: requests run on thread %d, started before the install", s.filter, o.val)
}

// execSurvives checks that the filter stays through execve: the native
// probe, which installs nothing, is refused what the victim was.
func execSurvives(c *C, native route) {
	r := native
	r.name, r.exec = "native-after-exec", vmtest.ProbePath
	s := c.session("sandbox", r)
	defer s.close()
	s.expect(mountNull(), filter.Errno(uint16(eperm)))
	s.expect(r.getpidCall([6]uint64{}), filter.Allow)
}

// exported checks the built-in sandbox installed from its exported bytes,
// as bwrap --seccomp installs it: the bytes are what the kernel of the
// architecture reads.
func exported(c *C, native, r route) {
	s := c.session("export:sandbox", r)
	defer s.close()
	if r.abi != native.abi {
		s.expect(r.unameNull(), filter.KillProcess)
		return
	}
	s.expect(mountNull(), filter.Errno(uint16(eperm)))
	s.expect(r.getpidCall([6]uint64{}), filter.Allow)
}

// foreignSandbox checks that the built-in sandbox kills a call through a
// foreign ABI.
func foreignSandbox(c *C, r route) {
	s := c.session("sandbox", r)
	defer s.close()
	s.expect(r.unameNull(), filter.KillProcess)
}

// foreignUncovered checks that a policy for the native ABI alone kills a
// call through another.
func foreignUncovered(c *C, r route) {
	s := c.session("deny-uname", r)
	defer s.close()
	s.expect(r.getpidCall([6]uint64{}), filter.KillProcess)
}

// foreignCovered checks that a policy covering the route's ABI too
// applies its rules there, by that ABI's numbers.
func foreignCovered(c *C, native, r route) {
	s := c.session("deny-uname@"+native.abi.Name+","+r.abi.Name, r)
	defer s.close()
	s.expect(r.getpidCall([6]uint64{}), filter.Allow)
	s.expect(r.unameNull(), filter.Errno(uint16(eperm)))
}

// bypass checks the wrong filter: it works on the native ABI and is
// bypassed through the route, which the right filters above prevent.
func bypass(c *C, native, r route) {
	s := c.session("nr-only", native)
	s.expect(native.unameNull(), filter.Errno(uint16(eperm)))
	s.close()
	s = c.session("nr-only", r)
	defer s.close()
	s.expect(r.unameNull(), filter.Allow)
	c.Logf("bypass observed: uname through %s is not refused by a filter without an arch check", r.name)
}

// args checks that the kernel does what the simulator says with getpid
// under argsPolicy, for every argument vector, and that every rule and
// the default were reached.
func args(c *C, native, r route) {
	name := "args@" + native.abi.Name
	if r.abi != native.abi {
		name += "," + r.abi.Name
	}
	s := c.session(name, r)
	defer s.close()
	seen := make(map[filter.Action]int)
	vecs := argVectors(r.bits)
	for _, vec := range vecs {
		seen[s.compare(r.getpidCall(vec))]++
	}
	c.Logf("%s: %d calls on %s made as the simulator predicts: %v", name, len(vecs), r.name, seen)
	for _, act := range []filter.Action{filter.Allow, filter.Errno(1), filter.Errno(2), filter.Errno(3), filter.Errno(4), filter.Errno(5), filter.Errno(6)} {
		if seen[act] == 0 {
			c.Errorf("%s: no vector reached %v", name, act)
		}
	}
}
