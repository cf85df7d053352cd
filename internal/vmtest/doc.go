// Package vmtest proves the module's filters on real kernels of every
// architecture it supports natively: x86_64 (with its i386 and x32
// ABIs), aarch64 (with 32-bit arm), s390x and ppc64le (which reach the
// socket and System V IPC calls through socketcall and ipc natively too)
// and riscv64, booted under qemu-system in software emulation. Simulation is not proof, and the
// kernel a developer or CI runs on has neither the other architectures nor,
// usually, x32.
//
// TestKernels, run by go test, does the whole job for each entry of
// Arches:
//
//  1. FetchKernel resolves the kernel package that Debian's metapackage
//     linux-image-<arch> depends on today, downloads it with apt-get
//     download from a private apt configuration (the host's apt setup is
//     not touched) and caches its image under CacheDir, keyed by
//     package and version. An x86 bzImage is unpacked to its vmlinux
//     once, which boots faster.
//  2. BuildInitramfs builds the guest programs statically for the
//     architecture (cmd/vmguest as /init, cmd/vmprobe, vmprobe for the
//     32-bit compat ABI, sysfence and its 32-bit helper, and the root
//     package's test binary) and packs them with CPIO, a writer of the kernel's newc initramfs format.
//  3. Start boots the kernel with that initramfs and reads the serial
//     console, where the guest reports in lines starting with Prefix
//     (see Reporter and ParseLine). The boot and every check the guest
//     runs become subtests, TestKernels/<arch>/boot and
//     TestKernels/<arch>/<check>, which last as long as they took in the
//     guest; a check without a result, a kernel panic or a guest that does
//     not power off in time fails.
//
// The checks themselves are in cmd/vmguest: the built-in programs, an
// allowlist, TSYNC, exec, the exported bytes installed as bwrap does,
// calls through every foreign ABI (i386 int 0x80 and binaries, x32, arm
// binaries) against filters that cover them and filters that do not,
// argument rules against the simulator, a filter without an arch check
// whose bypass the guest must observe, and sysfence probe under no filter,
// the built-in sandbox, a filter without an arch check and one that
// denies socket (on every ABI of the guest), whose report must agree with
// the simulator on every route the guest offers, and under the last must
// show socketcall(SYS_SOCKET) refused wherever the ABI has socketcall
// (natively on s390x and ppc64le, through int 0x80 and from an i386
// program on x86_64). Run one guest with
//
//	go test -v -run 'TestKernels/^s390x$' ./internal/vmtest
//
// The tests of the module's root
// package run in every guest too, as TestKernels/<arch>/module/<test>.
//
// Without qemu, apt or the Debian archive (and no cached kernel)
// TestKernels skips, unless CI=true, when it fails. go test -short skips
// it. Run it alone, with its verdicts, by
//
//	go test -v -run TestKernels ./internal/vmtest
package vmtest
