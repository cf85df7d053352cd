package vmtest

// Debian archives the kernels come from, as lines of a sources.list(5).
// The keyring is the one every Debian system has (debian-archive-keyring).
const (
	debianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
	bookworm      = "deb [signed-by=" + debianKeyring + "] http://deb.debian.org/debian bookworm main"
	bookwormSec   = "deb [signed-by=" + debianKeyring + "] http://deb.debian.org/debian-security bookworm-security main"
	trixie        = "deb [signed-by=" + debianKeyring + "] http://deb.debian.org/debian trixie main"
)

// Arch is one guest: where its kernel comes from, how the guest programs
// are built for it and how qemu boots it.
type Arch struct {
	// Name is the kernel's name for the architecture (uname -m).
	Name string
	// GOARCH of the guest's /init.
	GOARCH string
	// Compat is the 32-bit Go target that the guest kernel also runs
	// (i386 on x86_64, arm on aarch64); empty if there is none.
	Compat Target
	// DebArch is Debian's name for the architecture; the kernel is the
	// package the metapackage linux-image-<DebArch> depends on, or
	// Flavour where Debian names it otherwise.
	DebArch string
	// Flavour names the metapackage linux-image-<Flavour> where it is
	// not DebArch (powerpc64le on ppc64el).
	Flavour string
	// Sources are the sources.list lines the kernel is fetched from.
	Sources []string
	// QEMU is the emulator binary, and Machine its machine options.
	QEMU    string
	Machine []string
	// Append is the kernel command line.
	Append string
}

// Target is a Go build target.
type Target struct {
	GOARCH string
	GOARM  string
}

// Arches lists the guests, in the order they are booted. The ABIs Go has
// no port to (ppc, s390, m68k, sh, sheb, parisc, parisc64) have none:
// every guest program is Go.
var Arches = []Arch{
	{
		Name:    "x86_64",
		GOARCH:  "amd64",
		Compat:  Target{GOARCH: "386"},
		DebArch: "amd64",
		Sources: []string{bookworm, bookwormSec},
		QEMU:    "qemu-system-x86_64", // the default pc machine and qemu64 CPU
		// x32 is built into Debian's kernel but off unless asked for
		// (CONFIG_X86_X32_DISABLED); syscall.x32=y turns it on.
		Append: "console=ttyS0 syscall.x32=y",
	},
	{
		Name:    "aarch64",
		GOARCH:  "arm64",
		Compat:  Target{GOARCH: "arm", GOARM: "7"},
		DebArch: "arm64",
		Sources: []string{bookworm, bookwormSec},
		QEMU:    "qemu-system-aarch64",
		// cortex-a57 runs AArch32 code at EL0, which "max" may not.
		Machine: []string{"-M", "virt", "-cpu", "cortex-a57"},
		Append:  "console=ttyAMA0",
	},
	{
		// s390x and ppc64le reach the socket and System V IPC calls
		// through socketcall(2) and ipc(2) natively too, which the
		// probe's battery makes: rules must decide both routes.
		Name:    "s390x",
		GOARCH:  "s390x",
		DebArch: "s390x",
		Sources: []string{bookworm, bookwormSec},
		QEMU:    "qemu-system-s390x",
		Machine: []string{"-M", "s390-ccw-virtio", "-cpu", "max"},
		Append:  "console=ttysclp0",
	},
	{
		Name:    "ppc64le",
		GOARCH:  "ppc64le",
		DebArch: "ppc64el",
		Flavour: "powerpc64le",
		Sources: []string{bookworm, bookwormSec},
		QEMU:    "qemu-system-ppc64",
		// Debian's ppc64el kernel needs POWER8 or later; SLOF, which
		// ships with qemu, is the firmware.
		Machine: []string{"-M", "pseries", "-cpu", "POWER9"},
		Append:  "console=hvc0",
	},
	{
		Name:    "riscv64",
		GOARCH:  "riscv64",
		DebArch: "riscv64",
		Sources: []string{trixie},
		QEMU:    "qemu-system-riscv64",
		// OpenSBI, which ships with qemu, is the firmware.
		Machine: []string{"-M", "virt", "-bios", "default"},
		Append:  "console=ttyS0",
	},
}
