package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// dockerDefault is the --profile value that names moby's default profile.
const dockerDefault = "docker-default"

// profileFlags are the flags that read a seccomp profile (Docker's
// seccomp.json or the OCI linux.seccomp object) and say for which
// container it is resolved. compile and run take them beside the policy
// flags, stats and simulate instead of a program FILE.
type profileFlags struct {
	file       string
	caps       string
	kernel     string
	strict     bool
	firstMatch bool
	verbose    bool
	// foreign and unknown are --foreign and --unknown where the command
	// has no policyFlags to hold them (stats, simulate).
	foreign, unknown string
	// given is the invocation's record of the flags set, and inv the
	// invocation, whose standard input "--profile -" reads.
	given map[string]bool
	inv   *invocation
	// rep writes the reports, once each, unless --quiet.
	rep *reporter
	// missing counts, by ABI, the distinct names of the profile each
	// ABI lacks, for the one line of notes.
	missing     map[*tables.ABI]map[string]bool
	missingABIs []*tables.ABI
}

const profileHelp = `--profile FILE reads a profile in Docker's seccomp.json format or the OCI
runtime-spec's linux.seccomp object; --profile docker-default is moby's
default profile (./docker-default names a file of that name). It is
resolved as Docker resolves it for a container with --caps on a machine of
--arch with kernel --kernel, and decides every call as runc's libseccomp
filter does. System calls an ABI lacks are left out, as libseccomp leaves
them out, and counted in one line on stderr (--verbose lists them, one
line an ABI; --quiet says nothing); --strict refuses them, unknown fields
and the rest of the warnings. --foreign and --unknown replace the actions
a profile's filter gives calls through other ABIs (kill-thread) and
numbers the table does not know (the profile's default).`

// define defines the flags on fs.
func (f *profileFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "profile", "", "read the policy from the seccomp profile `FILE` (Docker or OCI JSON; - for stdin; "+dockerDefault+" for moby's default profile)")
	fs.StringVar(&f.caps, "caps", "", "the container's comma-separated capabilities `CAPS` for the profile's includes and excludes (CAP_SYS_ADMIN or SYS_ADMIN; none for none; default Docker's default set)")
	fs.StringVar(&f.kernel, "kernel", "", "resolve the profile's minKernel rules for Linux `X.Y` (default: the running kernel)")
	fs.BoolVar(&f.strict, "strict", false, "refuse a profile naming system calls an ABI lacks, unknown fields, or values Docker ignores")
	fs.BoolVar(&f.firstMatch, "first-match", false, "let the first of overlapping profile rules with different actions decide (libseccomp has no such order; they are refused otherwise)")
	fs.BoolVar(&f.verbose, "verbose", false, "list the names of the profile each ABI lacks, one line an ABI, instead of counting them")
}

// defineStandalone defines the flags on fs for a command without policy
// flags (stats, simulate): the profile's, --foreign, --unknown and
// --quiet.
func (f *profileFlags) defineStandalone(fs *flag.FlagSet) {
	f.define(fs)
	f.rep = new(reporter)
	f.rep.define(fs)
	defineActionFlags(fs, &f.foreign, &f.unknown, true)
}

// bind takes the flags the invocation set; call it before anything else.
func (f *profileFlags) bind(inv *invocation) { f.given, f.inv = inv.given, inv }

// isGiven reports whether --profile was given.
func (f *profileFlags) isGiven() bool { return f.given["profile"] }

// profileOnly are the flags that apply to --profile alone.
var profileOnly = []string{"caps", "kernel", "strict", "first-match", "verbose"}

// check refuses the profile's options without --profile.
func (f *profileFlags) check() error {
	if f.isGiven() {
		if f.file == "" {
			return usagef("--profile names no file")
		}
		return nil
	}
	for _, name := range profileOnly {
		if f.given[name] {
			return usagef("--%s applies to --profile", name)
		}
	}
	return nil
}

var kernelVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+([.-].*)?$`)

// options returns the profile options for abi, with foreign and unknown
// when the command line gave them.
func (f *profileFlags) options(abi *tables.ABI, foreign, unknown seccomp.Action) (*profile.Options, error) {
	opts := &profile.Options{ABI: abi, Kernel: f.kernel, Strict: f.strict, FirstMatch: f.firstMatch, Foreign: foreign, Unknown: unknown}
	if f.given["kernel"] && !kernelVersion.MatchString(f.kernel) {
		return nil, usagef("--kernel %s: want a version such as 6.8", f.kernel)
	}
	if f.given["caps"] {
		caps, err := parseCaps(f.caps)
		if err != nil {
			return nil, err
		}
		opts.Capabilities = caps
	}
	return opts, nil
}

// parseCaps reads the value of --caps: capabilities by their name in
// linux/capability.h, with or without CAP_, in any case; "none" or ""
// for none.
func parseCaps(value string) ([]string, error) {
	caps := []string{}
	for _, c := range strings.Split(value, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || c == "NONE" {
			continue
		}
		if !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		if !slices.Contains(capabilities, c) {
			return nil, usagef("--caps: %s is not a capability of linux/capability.h%s", c, didYouMean(c, capabilities))
		}
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps, nil
}

// capabilities are the capabilities of include/uapi/linux/capability.h
// (Linux 6.18), in the order of their numbers.
var capabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// maxProfileBytes bounds what --profile reads: moby's default profile is
// under 20 KB, and a profile of a megabyte already holds more rules
// than a seccomp program can decide.
const maxProfileBytes = 4 << 20

// read parses the profile --profile names.
func (f *profileFlags) read() (*profile.Profile, error) {
	if f.file == dockerDefault {
		p, err := profile.Default()
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, usagef("--profile %s: moby builds its default profile on Linux only", dockerDefault)
		}
		return p, err
	}
	data, err := readFileBounded(f.inv, f.file, maxProfileBytes)
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.file, err)
	}
	return p, nil
}

// translate reads the profile and translates it for abi, reporting on
// stderr what the translation noticed.
func (f *profileFlags) translate(abi *tables.ABI, foreign, unknown seccomp.Action, stderr io.Writer) (*profile.Result, error) {
	opts, err := f.options(abi, foreign, unknown)
	if err != nil {
		return nil, err
	}
	p, err := f.read()
	if err != nil {
		return nil, err
	}
	res, err := p.Translate(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.file, err)
	}
	f.report(res, stderr)
	return res, nil
}

// report notes what the translation res noticed: the names each ABI
// lacks, counted for the one line of flushNotes (listed, one line an ABI,
// with --verbose), and the other warnings, one line each.
func (f *profileFlags) report(res *profile.Result, stderr io.Writer) {
	if f.missing == nil {
		f.missing = make(map[*tables.ABI]map[string]bool)
	}
	var abis []*tables.ABI
	names := make(map[*tables.ABI][]string)
	for _, m := range res.Missing {
		if _, ok := f.missing[m.ABI]; !ok {
			f.missing[m.ABI] = make(map[string]bool)
			f.missingABIs = append(f.missingABIs, m.ABI)
		}
		f.missing[m.ABI][m.Syscall] = true
		if _, ok := names[m.ABI]; !ok {
			abis = append(abis, m.ABI)
		}
		if !slices.Contains(names[m.ABI], m.Syscall) {
			names[m.ABI] = append(names[m.ABI], m.Syscall)
		}
	}
	if f.verbose {
		for _, abi := range abis {
			n := names[abi]
			if abi == nil {
				f.rep.note(stderr, fmt.Sprintf("%s: no ABI has %s: left out (--strict refuses them)", f.file, strings.Join(n, ", ")))
				continue
			}
			f.rep.note(stderr, fmt.Sprintf("%s: %s has no %s (%d of the names): left out, as libseccomp leaves them out (--strict refuses them)", f.file, abi.Name, strings.Join(n, ", "), len(n)))
		}
	}
	for _, w := range res.Warnings {
		if !errors.Is(w, profile.ErrMissingSyscall) {
			f.rep.warn(stderr, fmt.Sprintf("%s: %s (--strict refuses it)", f.file, message(w)))
		}
	}
	for _, fo := range res.Folded {
		f.rep.note(stderr, fmt.Sprintf("%s: %s, and so does sysfence", f.file, fo))
	}
}

// flushNotes writes the one line that counts the names the ABIs lack,
// once the command has translated the profile for every ABI it needs.
func (f *profileFlags) flushNotes(stderr io.Writer) {
	if f.verbose || len(f.missingABIs) == 0 {
		return
	}
	var counts []string
	least, most := math.MaxInt, 0
	for _, abi := range f.missingABIs {
		n := len(f.missing[abi])
		least, most = min(n, least), max(n, most)
		where := "no ABI"
		if abi != nil {
			where = abi.Name
		}
		counts = append(counts, fmt.Sprintf("%d on %s", n, where))
	}
	where := strings.Join(counts, ", ")
	if len(counts) > 3 {
		where = fmt.Sprintf("%d to %d on each of %d ABIs", least, most, len(counts))
	}
	f.rep.note(stderr, fmt.Sprintf("%s: left out the names an ABI lacks, as libseccomp does: %s (--verbose lists them)", f.file, where))
}

// program compiles the profile for abi, for the commands that inspect a
// program.
func (f *profileFlags) program(abi *tables.ABI, stderr io.Writer) (*seccomp.Program, error) {
	var foreign, unknown seccomp.Action
	for _, a := range []struct {
		flag, value string
		action      *seccomp.Action
	}{{"foreign", f.foreign, &foreign}, {"unknown", f.unknown, &unknown}} {
		if f.given[a.flag] {
			*a.action = seccomp.Action(a.value)
			if err := checkAction(a.flag, a.value, *a.action, abi); err != nil {
				return nil, err
			}
		}
	}
	res, err := f.translate(abi, foreign, unknown, stderr)
	if err != nil {
		return nil, err
	}
	f.flushNotes(stderr)
	prog, err := res.Compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.file, err)
	}
	return prog, nil
}
