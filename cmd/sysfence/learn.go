package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	execs:   true,
	summary: "run a command and write the policy of the calls it made",
	usage: `[-o FILE] [--format allow|profile] [--names-only] [--counts FILE]
	[--merge FILE | --base FILE] [--] CMD [ARGS...]

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
made from its exec on, and the few it may make only when timing says
so, which one run may miss: restart_syscall (with which the kernel
resumes a sleep that a SIGSTOP interrupted), rt_sigreturn if it installs
signal handlers, and getpid, gettid, tgkill and sched_yield if it also
runs threads (with which one thread signals another, as the Go runtime
preempts goroutines, or yields to it). Nothing of sysfence's own: run makes no call under the
filter but the execve of CMD. An allowlist covers the native ABI
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

--merge FILE adds this run to the earlier ones FILE holds (what learn
wrote, in the same --format; a FILE that does not exist yet holds none),
so that several runs or test suites make one policy:

	sysfence learn --merge calls.txt -o calls.txt -- CMD1
	sysfence learn --merge calls.txt -o calls.txt -- CMD2

--base FILE starts from a policy you wrote (a list, groups and all, or a
profile with actions of its own) and only widens it: what CMD did that
FILE does not allow is added (to a profile, as entries that allow), the
rest of FILE is kept, and standard error names each addition.

--counts FILE writes how often CMD made each call, NAME COUNT a line in
order of name (calls through another ABI as ABI:NAME), which compile
--weights takes: the program then finds the calls CMD makes most in the
fewest instructions. With --merge, the counts FILE holds are added to.

A policy is learned from one run: a call CMD makes only on another path
(an error, other input, a slower machine) is not in it. CMD runs slower
while learning, since sysfence decides each of its calls. The policy goes
to FILE, or to standard output after CMD has finished (FILE is checked before CMD
starts); a summary goes to standard error.

learn exits as CMD does, after writing the policy; or, as run does and
env(1) too, 125 if sysfence itself fails, 126 if CMD cannot be executed
and 127 if it is not found.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		out := fs.String("o", "-", "write the policy to `FILE` (- for standard output)")
		format := fs.String("format", "allow", "the policy's `FORMAT`: allow (names for run --allow) or profile (Docker/OCI JSON)")
		o := learnOptions{}
		fs.StringVar(&o.counts, "counts", "", "also write how often CMD made each call to `FILE`, for compile --weights")
		fs.BoolVar(&o.namesOnly, "names-only", false, "record the names of the calls only, not the arguments that decide what clone, socket, ioctl, prctl, personality, mmap, mprotect and fcntl do")
		fs.StringVar(&o.merge, "merge", "", "add what earlier runs learned, in `FILE` (in --format; it may not exist yet), to what this run learns")
		fs.StringVar(&o.base, "base", "", "start from the list or profile in `FILE` and only widen it, reporting what was added")
		return func(inv *invocation) error {
			o.out, o.format = *out, *format
			return runLearn(inv, o)
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
	// unknown are numbers no table names, as "ABI:number", at most
	// maxUnknown of them (a command can make 2^32 distinct numbers);
	// moreUnknown counts the calls of the others.
	unknown     map[string]bool
	moreUnknown int
	total       int
	// args are the conditions recorded of the calls argSpecs names, by
	// ABI and name; nil with --names-only.
	args map[*tables.ABI]map[string]learnedArgs
	// bare are the calls allowed whatever their arguments, by a file
	// --merge read, by ABI and name.
	bare map[*tables.ABI]map[string]bool
	// counts are how often each call was made, by ABI and name.
	counts map[*tables.ABI]map[string]uint64
	// stderr is where notes go.
	stderr io.Writer
}

// maxUnknown bounds the distinct unknown numbers a learning run keeps.
const maxUnknown = 64

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
		l.addUnknown(fmt.Sprintf("arch %#x:%d", req.Data.Arch, req.Data.Nr))
		return
	}
	name, ok := abi.SyscallName(nr)
	if !ok {
		l.addUnknown(abi.Name + ":" + strconv.FormatUint(uint64(nr), 10))
		return
	}
	if l.calls[abi] == nil {
		l.calls[abi] = make(map[string]bool)
	}
	l.calls[abi][name] = true
	l.count(abi, name)
	l.recordArgs(abi, name, req.Data.Args)
}

// addUnknown records an unknown number, or counts it past maxUnknown.
func (l *learned) addUnknown(key string) {
	if len(l.unknown) < maxUnknown || l.unknown[key] {
		l.unknown[key] = true
		return
	}
	l.moreUnknown++
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

// restartCall is the call the kernel has a thread make to resume a sleep
// that a stop (SIGSTOP, then SIGCONT) or a handled signal interrupted
// (nanosleep, clock_nanosleep, poll, futex waits with a timeout: the
// calls that return -ERESTART_RESTARTBLOCK). A learning run that was not
// stopped never sees it, yet a run of the same program that is stopped
// and continued makes it; it only finishes a call the filter already
// let through (kernel/signal.c, restart_block).
const restartCall = "restart_syscall"

// timedCalls returns the calls a program that made names also makes
// when timing, not its logic, says so, and which a learning run may
// therefore miss: restart_syscall always; rt_sigreturn, the return from
// a signal handler, if it installed one (rt_sigaction); and if it is
// also multithreaded (clone, clone3), the calls with which one of its
// threads signals another (getpid, gettid, tgkill: raise(3) in C, the
// Go runtime's preemption of a goroutine that runs too long) or yields
// to another while it waits for a lock (sched_yield).
func timedCalls(names []string) []string {
	calls := []string{restartCall}
	if slices.Contains(names, "rt_sigaction") {
		calls = append(calls, "rt_sigreturn")
		if slices.Contains(names, "clone") || slices.Contains(names, "clone3") {
			calls = append(calls, "getpid", "gettid", "tgkill", "sched_yield")
		}
	}
	return calls
}

// allowlist returns the names an allowlist for run needs: the calls the
// target made on the native ABI, and those of timedCalls. run makes
// nothing of its own under the filter but execve, which the target
// made. added are the names of timedCalls that the target did not make.
func (l *learned) allowlist() (names, added []string) {
	names = l.sorted(l.native)
	for _, name := range timedCalls(names) {
		if _, ok := l.native.Number(name); ok && !slices.Contains(names, name) {
			added = append(added, name)
		}
	}
	names = append(names, added...)
	slices.Sort(names)
	return names, added
}

// learnOptions are learn's flags.
type learnOptions struct {
	out, format, counts, merge, base string
	namesOnly                        bool
}

func runLearn(inv *invocation, opts learnOptions) error {
	out, format, counts := opts.out, opts.format, opts.counts
	if len(inv.args) == 0 {
		return usagef("no command given")
	}
	switch format {
	case "allow":
	case "profile":
	default:
		return usagef("--format %s: want allow or profile", format)
	}
	if opts.merge != "" && opts.base != "" {
		return usagef("give --merge or --base, not both")
	}
	native, err := nativeABI()
	if err != nil {
		return err
	}
	// The output is opened before CMD runs, so that a path that cannot
	// be written costs nothing; it is written once CMD has finished.
	o, err := openOutput(inv.stdout, out)
	if err != nil {
		return err
	}
	defer o.abandon()
	var co *output
	if counts != "" {
		if co, err = openOutput(inv.stdout, counts); err != nil {
			return err
		}
		defer co.abandon()
	}
	// Every call of every ABI, known to the table or not, is notified.
	prog, err := (&seccomp.Policy{Default: seccomp.Notify, Foreign: seccomp.Notify, Unknown: seccomp.Notify}).Compile()
	if err != nil {
		return err
	}
	l := &learned{native: native, calls: make(map[*tables.ABI]map[string]bool), unknown: make(map[string]bool), stderr: inv.stderr}
	if !opts.namesOnly {
		l.args = make(map[*tables.ABI]map[string]learnedArgs)
	}
	h := notify.Logged(notify.ContinueAll, func(req *notify.Request, _ notify.Response) { l.record(req) })
	start := time.Now()
	state, err := supervise(inv, prog, h, false)
	if err != nil {
		return err
	}
	took := time.Since(start)

	l.mu.Lock()
	defer l.mu.Unlock()
	status := statusOf(state)
	if !l.execed {
		return runtimeError{fmt.Errorf("%s was not executed (exit status %d)", inv.args[0], status)}
	}
	// The helper's execve failed (it said why, and exited 126 or 127):
	// a command that ran made at least its exit_group, notified too.
	if l.total == 1 && (status == exitCannotExec || status == exitNotFound) {
		return exitCode(status)
	}
	l.noteUnreadable(inv)
	if opts.merge != "" {
		if err := l.merge(opts.merge, format); err != nil {
			return err
		}
		if counts != "" {
			if err := l.mergeCounts(counts); err != nil {
				return err
			}
		}
	}
	if co != nil {
		if err := co.write(l.countsText()); err != nil {
			return err
		}
	}
	if format == "profile" {
		if opts.base != "" {
			text, added, err := l.widenProfile(opts.base)
			if err != nil {
				return err
			}
			return writeWidened(inv, opts, o, text, added, state)
		}
		return writeProfile(inv, l, o, state, took)
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
		if l.moreUnknown > 0 {
			unknown = append(unknown, fmt.Sprintf("and %d more calls of other numbers", l.moreUnknown))
		}
		fmt.Fprintf(inv.stderr, "sysfence learn: warning: %s made system calls no table names (%s): an allowlist cannot name them, and run gives them ENOSYS\n", inv.args[0], strings.Join(unknown, ", "))
	}
	if opts.base != "" {
		text, addedCalls, err := l.widenList(opts.base, names)
		if err != nil {
			return err
		}
		return writeWidened(inv, opts, o, text, addedCalls, state)
	}
	text := strings.Join(sortEntries(l.entries(native, names)), ",") + "\n"
	if err := o.write(text); err != nil {
		return err
	}
	fmt.Fprintf(inv.stderr, "sysfence learn: %s made %d system calls, %d distinct on %s, in %.2fs; wrote %d names (%s among them, which it may make when timing says so)\n",
		inv.args[0], l.total, len(l.calls[native]), native.Name, took.Seconds(), len(names), strings.Join(added, ", "))
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
func writeProfile(inv *invocation, l *learned, o *output, state *os.ProcessState, took time.Duration) error {
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
		ABIs: abis, Rules: l.profileRules(abis, names)}
	b, _, err := profile.MarshalPolicy(p, nil)
	if err != nil {
		return err
	}
	if err := o.write(string(b)); err != nil {
		return err
	}
	var abiNames []string
	for _, abi := range abis {
		abiNames = append(abiNames, fmt.Sprintf("%s %d", abi.Name, len(l.calls[abi])))
	}
	fmt.Fprintf(inv.stderr, "sysfence learn: %s made %d system calls, distinct by ABI: %s, in %.2fs; wrote a profile of %d names (%s among them, which it may make when timing says so)\n",
		inv.args[0], l.total, strings.Join(abiNames, ", "), took.Seconds(), len(names), strings.Join(added, ", "))
	return exitAs(inv, state)
}

// output is where learn writes the policy: standard output, or a file
// opened before the run.
type output struct {
	stdout  io.Writer
	f       *os.File
	created bool // the file did not exist before
	written bool
}

// openOutput opens the file name for writing, creating it if need be but
// leaving its content alone, or stands for stdout if name is "-".
func openOutput(stdout io.Writer, name string) (*output, error) {
	o := &output{stdout: stdout}
	if name == "-" || name == "" {
		return o, nil
	}
	_, statErr := os.Stat(name)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, runtimeError{fmt.Errorf("-o: %w", err)}
	}
	o.f, o.created = f, errors.Is(statErr, fs.ErrNotExist)
	return o, nil
}

// write replaces the file's content with text, or writes it to stdout.
func (o *output) write(text string) error {
	o.written = true
	if o.f == nil {
		_, err := io.WriteString(o.stdout, text)
		return err
	}
	// A regular file gets the text as its whole content; a device or a
	// pipe (-o /dev/null, -o /dev/stderr) is written to as it is.
	var err error
	if st, serr := o.f.Stat(); serr == nil && st.Mode().IsRegular() {
		if err = o.f.Truncate(0); err == nil {
			_, err = o.f.WriteAt([]byte(text), 0)
		}
	} else {
		_, err = io.WriteString(o.f, text)
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return runtimeError{err}
	}
	return nil
}

// writeWidened writes a base policy widened by what CMD did, and says
// what was added.
func writeWidened(inv *invocation, opts learnOptions, o *output, text string, added []learnedCall, state *os.ProcessState) error {
	if err := o.write(text); err != nil {
		return err
	}
	if len(added) == 0 {
		fmt.Fprintf(inv.stderr, "sysfence learn: %s allows everything %s did; added nothing\n", opts.base, inv.args[0])
	} else {
		fmt.Fprintf(inv.stderr, "sysfence learn: added to %s: %s\n", opts.base, joinCalls(added))
	}
	return exitAs(inv, state)
}

// abandon closes a file that was not written, removing it if learn
// created it.
func (o *output) abandon() {
	if o.f == nil || o.written {
		return
	}
	o.f.Close()
	if o.created {
		os.Remove(o.f.Name())
	}
}
