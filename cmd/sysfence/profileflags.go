package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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
	set        map[string]bool
	// reported holds the lines already written to stderr, so that a
	// profile compiled for several GOARCHes reports each ABI once.
	reported map[string]bool
}

const profileHelp = `--profile FILE reads a profile in Docker's seccomp.json format or the OCI
runtime-spec's linux.seccomp object; --profile docker-default is moby's
default profile (./docker-default names a file of that name). It is
resolved as Docker resolves it for a container with --caps on a machine of
--arch with kernel --kernel, and decides every call as runc's libseccomp
filter does. System calls an ABI lacks are reported on stderr, one line
an ABI, and left out; --strict refuses them, unknown fields and the rest
of those reports.`

// define defines the flags on fs.
func (f *profileFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "profile", "", "read the policy from the seccomp profile `FILE` (Docker or OCI JSON; "+dockerDefault+" for moby's default profile)")
	fs.StringVar(&f.caps, "caps", "", "the container's comma-separated capabilities `CAPS` for the profile's includes and excludes (CAP_SYS_ADMIN or SYS_ADMIN; none for none; default Docker's default set)")
	fs.StringVar(&f.kernel, "kernel", "", "resolve the profile's minKernel rules for Linux `X.Y` (default: the running kernel)")
	fs.BoolVar(&f.strict, "strict", false, "refuse a profile naming system calls an ABI lacks, unknown fields, or values Docker ignores")
	fs.BoolVar(&f.firstMatch, "first-match", false, "let the first of overlapping profile rules with different actions decide (libseccomp has no such order; they are refused otherwise)")
}

// parsed records which flags the command line gave; call it after
// parsing.
func (f *profileFlags) parsed(fs *flag.FlagSet) {
	f.set = make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
}

// given reports whether --profile was given.
func (f *profileFlags) given() bool { return f.set["profile"] }

// check refuses the profile's options without --profile.
func (f *profileFlags) check() error {
	if f.given() {
		if f.file == "" {
			return usagef("--profile names no file")
		}
		return nil
	}
	for _, name := range []string{"caps", "kernel", "strict", "first-match"} {
		if f.set[name] {
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
	if f.set["kernel"] && !kernelVersion.MatchString(f.kernel) {
		return nil, usagef("--kernel %s: want a version such as 6.8", f.kernel)
	}
	if f.set["caps"] {
		opts.Capabilities = []string{}
		for _, c := range strings.Split(f.caps, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if c == "" || c == "NONE" {
				continue
			}
			if !strings.HasPrefix(c, "CAP_") {
				c = "CAP_" + c
			}
			if !slices.Contains(opts.Capabilities, c) {
				opts.Capabilities = append(opts.Capabilities, c)
			}
		}
	}
	return opts, nil
}

// read parses the profile --profile names.
func (f *profileFlags) read() (*profile.Profile, error) {
	if f.file == dockerDefault {
		p, err := profile.Default()
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, usagef("--profile %s: moby builds its default profile on Linux only", dockerDefault)
		}
		return p, err
	}
	data, err := os.ReadFile(f.file)
	if err != nil {
		return nil, runtimeError{err}
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

// report writes, one line each, the system calls each ABI lacks and the
// other warnings of res, skipping lines written before.
func (f *profileFlags) report(res *profile.Result, stderr io.Writer) {
	var abis []*tables.ABI
	names := make(map[*tables.ABI][]string)
	for _, m := range res.Missing {
		if _, ok := names[m.ABI]; !ok {
			abis = append(abis, m.ABI)
		}
		if !slices.Contains(names[m.ABI], m.Syscall) {
			names[m.ABI] = append(names[m.ABI], m.Syscall)
		}
	}
	var lines []string
	for _, abi := range abis {
		n := names[abi]
		if abi == nil {
			lines = append(lines, fmt.Sprintf("%s: no ABI has %s: left out (--strict refuses them)", f.file, strings.Join(n, ", ")))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %s has no %s (%d of the names): left out, as libseccomp leaves them out (--strict refuses them)", f.file, abi.Name, strings.Join(n, ", "), len(n)))
	}
	for _, w := range res.Warnings {
		if !errors.Is(w, profile.ErrMissingSyscall) {
			lines = append(lines, fmt.Sprintf("%s: %s (--strict refuses it)", f.file, message(w)))
		}
	}
	for _, fo := range res.Folded {
		lines = append(lines, fmt.Sprintf("%s: %s, and so does sysfence", f.file, fo))
	}
	for _, l := range lines {
		f.once(stderr, "sysfence: "+l+"\n")
	}
}

// once writes line unless it wrote it before.
func (f *profileFlags) once(w io.Writer, line string) {
	if f.reported == nil {
		f.reported = make(map[string]bool)
	}
	if !f.reported[line] {
		f.reported[line] = true
		io.WriteString(w, line)
	}
}

// program compiles the profile for abi, for the commands that inspect a
// program.
func (f *profileFlags) program(abi *tables.ABI, stderr io.Writer) (*seccomp.Program, error) {
	res, err := f.translate(abi, "", "", stderr)
	if err != nil {
		return nil, err
	}
	prog, err := res.Compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.file, err)
	}
	return prog, nil
}
