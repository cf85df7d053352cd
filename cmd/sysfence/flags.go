package main

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// archFlag defines the flag name (--arch, --call-arch) that names an ABI;
// role says what the ABI is for and what its default is.
func archFlag(fs *flag.FlagSet, name, role string) *string {
	return fs.String(name, "", "`ABI` "+role+". ABIs are named as libseccomp names them, with or without SCMP_ARCH_ (x86_64, x86, x32, aarch64, arm, riscv64, s390x, mipsel64n32, ppc, m68k, sh, parisc, ...), by GOARCH (amd64, arm64, ...) or by Debian (i386, ppc64el, mipsn32, hppa, ...); sysfence syscalls --arch all lists every one")
}

// nativeABI returns the ABI of GOARCH, on any OS: a filter for Linux can
// be built and inspected elsewhere.
func nativeABI() (*tables.ABI, error) {
	for _, abi := range tables.All() {
		if slices.Contains(abi.GOARCH, runtime.GOARCH) {
			return abi, nil
		}
	}
	return nil, usagef("no ABI is native to GOARCH %s; name one with --arch", runtime.GOARCH)
}

// nativeName names the native ABI, for help text.
func nativeName() string {
	if abi, err := nativeABI(); err == nil {
		return abi.Name
	}
	return "none for " + runtime.GOARCH
}

// lookupABI resolves the ABI flag name of inv, whose value is value:
// the native ABI when the command line does not give it.
func lookupABI(inv *invocation, name, value string) (*tables.ABI, error) {
	if !inv.given[name] {
		return nativeABI()
	}
	return parseABI(name, value)
}

// parseABI resolves value, given to the ABI flag name, by the names
// tables.Lookup knows: libseccomp's (with or without SCMP_ARCH_), the
// GOARCH and Debian's architecture names. An empty value is refused,
// not taken for the default.
func parseABI(name, value string) (*tables.ABI, error) {
	if value == "" {
		return nil, usagef("--%s names no ABI (leave the flag out for the default)", name)
	}
	abi, ok := tables.Lookup(value)
	if !ok {
		var names []string
		for _, abi := range tables.All() {
			names = append(append(names, abi.Name), abi.Aliases...)
		}
		if hint := didYouMean(value, names); hint != "" {
			return nil, usagef("--%s %s: unknown ABI %q%s", name, value, value, hint)
		}
		return nil, usagef("--%s %s: unknown ABI %q (known: %s)", name, value, value, strings.Join(tables.Names(), ", "))
	}
	return abi, nil
}

// parseArg reads a system-call argument for abi: a number in Go syntax
// (decimal, 0x…, 0o…, 0b…), negative ones sign-extended to the ABI's word
// as libc passes them (-100, AT_FDCWD, is 0xffffffffffffff9c on x86_64 and
// 0xffffff9c on i386). It must fit the word.
func parseArg(abi *tables.ABI, s string) (uint64, error) {
	bits := 8 * abi.WordSize
	if strings.HasPrefix(s, "-") {
		n, err := strconv.ParseInt(s, 0, bits)
		if err != nil {
			return 0, fmt.Errorf("%q is not a %d-bit number", s, bits)
		}
		return uint64(n) & (1<<(bits-1)<<1 - 1), nil
	}
	n, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, fmt.Errorf("%q is not a %d-bit number", s, bits)
	}
	return n, nil
}
