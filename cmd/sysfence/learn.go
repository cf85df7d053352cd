package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

var learnCommand = &command{
	name:    "learn",
	summary: "run a command and write the policy of the calls it made",
	usage: `[-o FILE] [--format allow|profile] [--] CMD [ARGS...]

Run CMD, with everything it starts (children and threads), under a filter
that notifies sysfence of every system call and lets each one run; then
write the smallest policy under which CMD does what it just did. Each call
is recorded under the ABI it was made through: an i386 binary's calls
(int 0x80) under x86, x32 calls under x32.

--format allow writes the names comma-separated, exactly what --allow
takes, so that

	sysfence learn -o calls.txt -- CMD
	sysfence run --allow "$(cat calls.txt)" -- CMD

runs CMD again with every other call killing it (run --allow's default,
kill-process: a call the learning run did not make ends CMD at once,
rather than failing in a way CMD may hide). The list holds the calls CMD
made from its exec on, and the calls sysfence run makes between
installing the filter and executing CMD (see sysfence help run), without
which run refuses the list; not the calls of sysfence's own helper before
the exec, which run does not make. An allowlist covers the native ABI
only: if CMD made calls through another, learn names them and fails;
write a profile instead. --format profile writes a Docker/OCI seccomp
profile (JSON): its architectures are the ABIs CMD used, the names it
allows are the same (those of every ABI, since a profile's names apply
to each architecture it lists), and its default is kill-process.

A policy is learned from one run: a call CMD makes only on another path
(an error, other input, a slower machine) is not in it. CMD runs slower
while learning, since sysfence decides each of its calls. The policy goes
to FILE, or to standard output after CMD has finished; a summary goes to
standard error. learn exits as CMD does, after writing the policy.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		out := fs.String("o", "-", "write the policy to `FILE` (- for standard output)")
		format := fs.String("format", "allow", "the policy's `FORMAT`: allow (names for run --allow) or profile (Docker/OCI JSON)")
		return func(inv *invocation) error {
			return runLearn(inv, *out, *format)
		}
	},
}

// learned is what a learning run records: the system calls made, by ABI,
// from the target's exec on.
type learned struct {
	native *tables.ABI
	mu     sync.Mutex
	execed bool
	calls  map[*tables.ABI]map[string]bool
	// unknown are numbers no table names, as "ABI:number".
	unknown map[string]bool
	total   int
}

// record records one notified call. Until the native execve that starts
// the target, the filtered thread is the notify helper's, whose calls
// are not the target's.
func (l *learned) record(req *notify.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	nr := uint32(req.Data.Nr)
	abi, ok := tables.ByCall(req.Data.Arch, nr)
	if !l.execed {
		if !ok || abi != l.native || nr != mustNumber(abi, "execve") {
			return
		}
		l.execed = true
	}
	l.total++
	if !ok {
		l.unknown[fmt.Sprintf("arch %#x:%d", req.Data.Arch, req.Data.Nr)] = true
		return
	}
	name, ok := abi.SyscallName(nr)
	if !ok {
		l.unknown[abi.Name+":"+strconv.FormatUint(uint64(nr), 10)] = true
		return
	}
	if l.calls[abi] == nil {
		l.calls[abi] = make(map[string]bool)
	}
	l.calls[abi][name] = true
}

func mustNumber(abi *tables.ABI, name string) uint32 {
	nr, ok := abi.Number(name)
	if !ok {
		panic("no " + name + " on " + abi.Name)
	}
	return nr
}

// sorted returns the names recorded for abi, sorted.
func (l *learned) sorted(abi *tables.ABI) []string {
	var names []string
	for name := range l.calls[abi] {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// allowlist returns the names an allowlist for run needs: the calls
// the target made on the native ABI and those sysfence run makes before
// its exec. added counts the latter that the target did not make.
func (l *learned) allowlist() (names []string, added int) {
	names = l.sorted(l.native)
	for _, c := range startCalls {
		if _, ok := l.native.Number(c.name); ok && !slices.Contains(names, c.name) {
			names = append(names, c.name)
			added++
		}
	}
	slices.Sort(names)
	return names, added
}

func runLearn(inv *invocation, out, format string) error {
	if len(inv.args) == 0 {
		return usagef("no command given")
	}
	switch format {
	case "allow":
	case "profile":
	default:
		return usagef("--format %s: want allow or profile", format)
	}
	native, err := nativeABI()
	if err != nil {
		return err
	}
	// Every call of every ABI, known to the table or not, is notified.
	prog, err := (&seccomp.Policy{Default: seccomp.Notify, Foreign: seccomp.Notify, Unknown: seccomp.Notify}).Compile()
	if err != nil {
		return err
	}
	l := &learned{native: native, calls: make(map[*tables.ABI]map[string]bool), unknown: make(map[string]bool)}
	h := notify.Logged(notify.ContinueAll, func(req *notify.Request, _ notify.Response) { l.record(req) })
	start := time.Now()
	state, err := supervise(inv, prog, h)
	if err != nil {
		return err
	}
	took := time.Since(start)

	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.execed {
		return runtimeError{fmt.Errorf("%s was not executed (exit status %d)", inv.args[0], statusOf(state))}
	}
	if format == "profile" {
		return writeProfile(inv, l, out, state, took)
	}
	var foreign []string
	for abi := range l.calls {
		if abi != native {
			foreign = append(foreign, fmt.Sprintf("%s (%s)", abi.Name, strings.Join(l.sorted(abi), ", ")))
		}
	}
	slices.Sort(foreign)
	if len(foreign) > 0 {
		return fmt.Errorf("%s made system calls through %s, which an allowlist for run cannot name: run --allow covers %s only (write --format profile)", inv.args[0], strings.Join(foreign, " and "), native.Name)
	}
	names, added := l.allowlist()
	if len(l.unknown) > 0 {
		unknown := slices.Sorted(maps.Keys(l.unknown))
		fmt.Fprintf(inv.stderr, "sysfence learn: warning: %s made system calls no table names (%s): an allowlist cannot name them, and run gives them ENOSYS\n", inv.args[0], strings.Join(unknown, ", "))
	}
	text := strings.Join(names, ",") + "\n"
	if err := writeOutput(inv.stdout, out, text); err != nil {
		return err
	}
	fmt.Fprintf(inv.stderr, "sysfence learn: %s made %d system calls, %d distinct on %s, in %.2fs; wrote %d names (%d more for sysfence run before its exec)\n",
		inv.args[0], l.total, len(l.calls[native]), native.Name, took.Seconds(), len(names), added)
	return exitAs(inv, state)
}

// exitAs returns nil if CMD succeeded, and its exit status otherwise.
func exitAs(inv *invocation, state *os.ProcessState) error {
	if code := statusOf(state); code != 0 {
		fmt.Fprintf(inv.stderr, "sysfence learn: %s exited with status %d: the policy is what it did until then\n", inv.args[0], code)
		return exitCode(code)
	}
	return nil
}

// writeProfile writes what l learned as a Docker/OCI profile: the native
// ABI and every other ABI CMD used as its architectures, the names of
// all of them allowed (a profile's names apply to every architecture it
// lists), and kill-process for the rest.
func writeProfile(inv *invocation, l *learned, out string, state *os.ProcessState, took time.Duration) error {
	names, added := l.allowlist()
	abis := []*tables.ABI{l.native}
	for abi := range l.calls {
		if abi != l.native {
			abis = append(abis, abi)
			names = append(names, l.sorted(abi)...)
		}
	}
	slices.SortFunc(abis[1:], func(a, b *tables.ABI) int { return strings.Compare(a.Name, b.Name) })
	slices.Sort(names)
	names = slices.Compact(names)
	// Numbers the table does not know and calls through other ABIs
	// were not learned either: they get what a profile gives them, the
	// default action and kill-thread, so that the profile is exact.
	p := &seccomp.Policy{Default: seccomp.KillProcess, Unknown: seccomp.KillProcess, Foreign: seccomp.KillThread,
		ABIs: abis, Rules: seccomp.RulesFor(seccomp.Allow, names...)}
	b, _, err := profile.MarshalPolicy(p, nil)
	if err != nil {
		return err
	}
	if err := writeOutput(inv.stdout, out, string(b)); err != nil {
		return err
	}
	var abiNames []string
	for _, abi := range abis {
		abiNames = append(abiNames, fmt.Sprintf("%s %d", abi.Name, len(l.calls[abi])))
	}
	fmt.Fprintf(inv.stderr, "sysfence learn: %s made %d system calls, distinct by ABI: %s, in %.2fs; wrote a profile of %d names (%d more for sysfence run before its exec)\n",
		inv.args[0], l.total, strings.Join(abiNames, ", "), took.Seconds(), len(names), added)
	return exitAs(inv, state)
}

// writeOutput writes text to the file name, or to stdout for "-".
func writeOutput(stdout io.Writer, name, text string) error {
	if name == "-" || name == "" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		return runtimeError{err}
	}
	return nil
}
