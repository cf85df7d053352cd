//go:build linux

package probe_test

import (
	"os"
	"strings"

	"github.com/sysfence/seccomp/internal/probe"
)

// Two requests: a number no kernel has (ENOSYS, 38) and one Serve does
// not know.
func ExampleServe() {
	in := strings.NewReader("sys 0x3ff0 0 0\nfork\n")
	probe.Serve(in, os.Stdout, func(f func()) { f() })
	// Output:
	// errno 38
	// bad unknown request "fork"
}
