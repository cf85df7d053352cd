//go:build linux

// Command vmprobe answers the requests of package probe on its standard
// input and output. The kernel tests build it for the 32-bit ABI of each
// guest (i386 on x86_64, arm on aarch64) and exec it under a filter, to see
// what the filter does to a process of that ABI.
package main

import (
	"fmt"
	"os"

	"github.com/sysfence/seccomp/internal/probe"
)

func main() {
	if err := probe.Serve(os.Stdin, os.Stdout, func(f func()) { f() }); err != nil {
		fmt.Fprintln(os.Stderr, "vmprobe:", err)
		os.Exit(2)
	}
}
