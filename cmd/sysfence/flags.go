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
	return fs.String(name, "", "`ABI` "+role+". ABIs are named as libseccomp names them (x86_64, x86, x32, aarch64, arm, riscv64, s390x, mips64n32el, ppc, m68k, sh, parisc, ...), i386 for x86, or by GOARCH (amd64, arm64, ...); sysfence syscalls --arch all lists every one")
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

// lookupABI resolves the value of the ABI flag name; empty means the
// native ABI.
func lookupABI(name, value string) (*tables.ABI, error) {
	if value == "" {
		return nativeABI()
	}
	abi, ok := tables.Lookup(value)
	if !ok {
		return nil, usagef("--%s %s: %v", name, value, &tables.UnknownABIError{Name: value})
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
