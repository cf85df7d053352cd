//go:build linux

package main

import (
	"github.com/sysfence/seccomp/internal/vmtest"
	"github.com/sysfence/seccomp/tables"
)

// Numbers of arch/arm/tools/syscall.tbl.
const (
	armUname  = 122 // newuname
	armGetpid = 20
)

// compatRoutes are the ways into an aarch64 kernel other than its own
// ABI: a 32-bit arm (EABI) program.
func compatRoutes() []route {
	return []route{
		{name: "arm-binary", abi: tables.ARM, via: "sys", exec: vmtest.Probe32Path, uname: armUname, getpid: armGetpid, bits: 32},
	}
}
