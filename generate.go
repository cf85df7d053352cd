// Package seccomp builds and installs seccomp-BPF filters for Linux sandboxes,
// without cgo and without libseccomp.
//
// Everything that depends on the architecture is decided when the program
// is compiled: the syscall tables of every Linux ABI live in package tables,
// generated from golang.org/x/sys/unix or a Linux source tree, and the
// native ABI of each GOARCH, together with the built-in filters compiled for
// it, is generated into zsyscalls_linux_<goarch>.go. Nothing is probed at
// run time and importing the package costs no initialisation.
//
// Every filter begins with a check of seccomp_data.arch, so a system call
// made through another ABI (i386 int 0x80 or x32 numbers on x86_64, 32-bit
// arm on aarch64) never reaches the kernel unfiltered.
package seccomp

//go:generate go run ./gen
//go:generate go run ./gen -programs
