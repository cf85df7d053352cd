package main

import (
	"flag"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

var versionCommand = &command{
	name:    "version",
	summary: "print the version of sysfence and the kernel version of its tables",
	usage: `

Print the module version sysfence was built from ("(devel)" for a build in
a checkout) and the Linux version its system-call tables reflect.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		return func(inv *invocation) error {
			if err := inv.argCount(0, 0, ""); err != nil {
				return err
			}
			_, err := fmt.Fprintf(inv.stdout, "sysfence %s\ntables: Linux %s\n", moduleVersion(), tablesKernel())
			return err
		}
	},
}

// moduleVersion returns the version of the module sysfence was built from.
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(unknown version)"
	}
	return info.Main.Path + " " + info.Main.Version
}

// tablesKernel lists the kernel versions of the tables, one unless some
// table was generated from another source.
func tablesKernel() string {
	var versions []string
	for _, abi := range tables.All() {
		if !slices.Contains(versions, abi.Kernel) {
			versions = append(versions, abi.Kernel)
		}
	}
	return strings.Join(versions, ", ")
}
