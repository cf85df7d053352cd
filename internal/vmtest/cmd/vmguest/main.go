//go:build linux

// Command vmguest is the /init of the virtual machines that test filters
// on real kernels (see package vmtest, which builds and boots it).
//
// As process 1 it runs every check for its architecture, reports on the
// console in vmtest's line protocol and powers the machine off. A check
// never installs a filter itself: it starts victims, copies of this
// program (run as "vmguest victim FILTER [thread]") that install the
// named filter and then make the system calls the check asks for, over
// package probe's request protocol on their standard input and output. A
// victim killed by its filter therefore takes nothing with it, and every
// request has a deadline.
//
// After its own checks it runs the tests of the module's root package, one
// test binary process per test, from the test binary in the initramfs.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/vmtest"
)

// checkTimeout bounds each check, victims included; the slowest guest
// (riscv64 under emulation) needs a few seconds for the longest.
const checkTimeout = 90 * time.Second

func main() {
	if len(os.Args) > 1 && os.Args[1] == "victim" {
		os.Exit(victimMain(os.Args[2:]))
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "usage: vmguest is the /init of a test machine, or vmguest victim FILTER [thread]")
		os.Exit(2)
	}
	initMain()
}

// initMain runs the checks and powers off. It does not return: process 1
// exiting would panic the kernel.
func initMain() {
	rep := vmtest.Reporter{W: os.Stdout}
	if err := setUp(); err != nil {
		fmt.Println("vmguest:", err)
	}
	rep.Begin(probe.Uname())
	checks := checksFor()
	if more, err := moduleTestChecks(); err != nil {
		checks = append(checks, check{"module", func(c *C) { c.Fatalf("%v", err) }})
	} else {
		checks = append(checks, more...)
	}
	for _, c := range checks {
		rep.Plan(c.name)
	}
	for _, c := range checks {
		runCheck(rep, c, checkTimeout)
	}
	rep.Done()
	powerOff()
}

// setUp makes the guest a little like a system: /proc, a devtmpfs on /dev
// (the console stays open from the initramfs's node) and the loopback
// interface up, for tests that talk to themselves over 127.0.0.1.
func setUp() error {
	if err := syscall.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	if err := syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
		return fmt.Errorf("mount /dev: %w", err)
	}
	return upLoopback()
}

// upLoopback sets IFF_UP on lo with SIOCGIFFLAGS and SIOCSIFFLAGS
// (netdevice(7)). struct ifreq is the interface name in IFNAMSIZ (16)
// bytes, then a union whose ifr_flags is a short (include/uapi/linux/if.h);
// 40 bytes hold it on every architecture.
func upLoopback() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bringing up lo: %w", err)
	}
	defer syscall.Close(fd)
	var ifr [40]byte
	copy(ifr[:], "lo")
	for _, req := range []uintptr{syscall.SIOCGIFFLAGS, syscall.SIOCSIFFLAGS} {
		if req == syscall.SIOCSIFFLAGS {
			flags := binary.NativeEndian.Uint16(ifr[16:]) | syscall.IFF_UP
			binary.NativeEndian.PutUint16(ifr[16:], flags)
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr))); errno != 0 {
			return fmt.Errorf("bringing up lo: ioctl %#x: %w", req, errno)
		}
	}
	return nil
}

// powerOff stops the machine, and with it qemu.
func powerOff() {
	syscall.Sync()
	err := syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	fmt.Println("vmguest: power off:", err)
	for {
		time.Sleep(time.Hour)
	}
}
