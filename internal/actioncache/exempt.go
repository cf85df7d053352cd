// Package actioncache holds what the kernel's seccomp action cache
// knows beside the filters: the system calls it lets through every
// filter. filter.Analyze counts them as allowed, and the compiler's and
// the benchmarks' tests expect them so.
package actioncache

import "github.com/sysfence/seccomp/tables"

// exempt lists the system calls seccomp_uprobe_exception in
// kernel/seccomp.c lets through every filter on the native arch of the
// kernels that define them.
var exempt = []struct {
	audit uint32
	name  string
}{
	{0xc000003e, "uretprobe"}, // AUDIT_ARCH_X86_64
	{0xc000003e, "uprobe"},
}

// Exempt reports whether the kernel lets the system call named name of
// abi through every filter without running it (seccomp_uprobe_exception
// in kernel/seccomp.c), which makes it count as allowed by any program.
func Exempt(abi *tables.ABI, name string) bool {
	for _, e := range exempt {
		if abi.Audit == e.audit && name == e.name {
			return true
		}
	}
	return false
}
