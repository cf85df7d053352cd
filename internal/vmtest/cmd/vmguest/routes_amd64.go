//go:build linux

package main

import (
	"syscall"

	"github.com/sysfence/seccomp/internal/vmtest"
	"github.com/sysfence/seccomp/tables"
)

// Numbers of arch/x86/entry/syscalls/syscall_32.tbl (i386) and of
// syscall_64.tbl, whose common entries x32 shares with the x32 bit
// (__X32_SYSCALL_BIT, arch/x86/include/uapi/asm/unistd.h) set.
const (
	i386Uname  = 122 // newuname
	i386Getpid = 20
	x32Bit     = 0x40000000
)

// compatRoutes are the ways into an x86_64 kernel other than its own ABI:
// int 0x80 from 64-bit code, x32 numbers (with syscall.x32=y) and a
// 32-bit i386 program.
func compatRoutes() []route {
	return []route{
		{name: "int80", abi: tables.I386, via: "int80", uname: i386Uname, getpid: i386Getpid, bits: 64},
		{name: "x32", abi: tables.X32, via: "sys", uname: x32Bit | syscall.SYS_UNAME, getpid: x32Bit | syscall.SYS_GETPID, bits: 64},
		{name: "i386-binary", abi: tables.I386, via: "sys", exec: vmtest.Probe32Path, uname: i386Uname, getpid: i386Getpid, bits: 32},
	}
}
