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
	usage: `[-o FILE] [--format allow|profile] [--names-only] [--counts FILE] [--] CMD [ARGS...]

Run CMD, with everything it starts (children and threads), under a filter
that notifies sysfence of every system call and lets each one run; then
write the smallest policy under which CMD does what it just did. Each call
is recorded under the ABI it was made through: an i386 binary's calls
(int 0x80) under x86, x32 calls under x32.

--format allow writes the calls comma-separated, exactly what --allow
takes, sorted by name, so that

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

Of the calls whose arguments decide what they can do, learn records
those arguments and allows only the values seen: clone's namespace
flags (a clone with CLONE_NEWUSER is killed if CMD cloned without it),
socket's family and type, ioctl's request, prctl's option, personality,
whether mmap and mprotect's prot has PROT_EXEC, and fcntl's command. An
entry NAME:argN=V:argN&MASK=V compares the low 32 bits of each argument,
all the kernel reads of these int parameters; the list has one entry per
value seen, in numeric order. In a profile, the same values compare all
64 bits. --names-only records names alone.

--counts FILE writes how often CMD made each call, NAME COUNT a line in
order of name (calls through another ABI as ABI:NAME), which compile
--weights takes: the program then finds the calls CMD makes most in the
fewest instructions.

A policy is learned from one run: a call CMD makes only on another path
(an error, other input, a slower machine) is not in it. CMD runs slower
while learning, since sysfence decides each of its calls. The policy goes
to FILE, or to standard output after CMD has finished; a summary goes to
standard error. learn exits as CMD does, after writing the policy.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		out := fs.String("o", "-", "write the policy to `FILE` (- for standard output)")
		format := fs.String("format", "allow", "the policy's `FORMAT`: allow (names for run --allow) or profile (Docker/OCI JSON)")
		counts := fs.String("counts", "", "also write how often CMD made each call to `FILE`, for compile --weights")
		namesOnly := fs.Bool("names-only", false, "record the names of the calls only, not the arguments that decide what clone, socket, ioctl, prctl, personality, mmap, mprotect and fcntl do")
		return func(inv *invocation) error {
			return runLearn(inv, *out, *format, *namesOnly, *counts)
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
	// args are the conditions recorded of the calls argSpecs names, by
	// ABI and name; nil with --names-only.
	args map[*tables.ABI]map[string]learnedArgs
	// counts are how often each call was made, by ABI and name.
	counts map[*tables.ABI]map[string]uint64
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
	l.count(abi, name)
	l.recordArgs(abi, name, req.Data.Args)
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
// its exec, with the arguments of each (see learnArgs). added counts the
// latter that the target did not make.
func (l *learned) allowlist() (names []string, added int) {
	names = l.sorted(l.native)
	for _, c := range startCalls {
		if _, ok := l.native.Number(c.name); ok {
			if !slices.Contains(names, c.name) {
				names = append(names, c.name)
				added++
			}
			var args [6]uint64
			copy(args[:], c.args)
			l.recordArgs(l.native, c.name, args)
		}
	}
	slices.Sort(names)
	return names, added
}

func runLearn(inv *invocation, out, format string, namesOnly bool, counts string) error {
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
	if !namesOnly {
		l.args = make(map[*tables.ABI]map[string]learnedArgs)
	}
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
	if counts != "" {
		if err := writeOutput(inv.stdout, counts, l.countsText()); err != nil {
			return err
		}
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
	text := strings.Join(l.entries(native, names), ",") + "\n"
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
	p := &seccomp.Policy{Default: seccomp.KillProcess, ABIs: abis, Rules: l.profileRules(abis, names)}
	b, lost, err := profile.MarshalPolicy(p)
	if err != nil {
		return err
	}
	for _, s := range lost {
		if !strings.HasPrefix(s, "Foreign") && !strings.HasPrefix(s, "Unknown") { // no profile has them; the default covers both
			fmt.Fprintf(inv.stderr, "sysfence learn: note: the profile cannot say: %s\n", s)
		}
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
