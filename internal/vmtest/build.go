package vmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// ErrBuild reports a guest program or initramfs that could not be built.
var ErrBuild = errors.New("vmtest: build")

// Guest programs, as package paths in this module.
const (
	guestPackage    = "github.com/sysfence/seccomp/internal/vmtest/cmd/vmguest"
	probePackage    = "github.com/sysfence/seccomp/internal/vmtest/cmd/vmprobe"
	sysfencePackage = "github.com/sysfence/seccomp/cmd/sysfence"
)

// Paths of the programs inside the guest.
const (
	InitPath    = "/init"
	ProbePath   = "/vmprobe"   // native
	Probe32Path = "/vmprobe32" // the compat ABI's, where there is one
	// SysfencePath is the command line, whose probe the guest runs
	// under filters; the compat ABI's build is beside it, named as
	// sysfence probe looks for its helper: /sysfence-386, /sysfence-arm.
	SysfencePath = "/sysfence"
	// ModuleTestPath is the test binary of the module's root package,
	// whose tests the guest runs too.
	ModuleTestPath = "/seccomp.test"
	consoleMajor   = 5 // /dev/console is character device 5:1 (Documentation/admin-guide/devices.txt)
	consoleMinor   = 1
)

// modulePath is the path of the module whose packages the guest runs.
const modulePath = "github.com/sysfence/seccomp"

// SourceDirs returns the directories of the packages of this module that
// the guest programs of a are built from, tests included.
func SourceDirs(ctx context.Context, a Arch) ([]string, error) {
	format := `{{with .Module}}{{if eq .Path "` + modulePath + `"}}{{$.Dir}}{{end}}{{end}}`
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "-f", format, guestPackage, probePackage, sysfencePackage, modulePath)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+a.GOARCH)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: go list: %w", ErrBuild, err)
	}
	var dirs []string
	for _, d := range strings.Fields(string(out)) {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs, nil
}

// GoBuild compiles a package of this module for Linux on t into out, as a
// static binary (CGO_ENABLED=0); with test, its test binary (go test -c).
func GoBuild(ctx context.Context, pkg string, t Target, test bool, out string) error {
	args := []string{"build", "-trimpath", "-o", out, pkg}
	if test {
		args = []string{"test", "-c", "-trimpath", "-o", out, pkg}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+t.GOARCH, "GOARM="+t.GOARM)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: %s for %s: %w\n%s", ErrBuild, pkg, t.GOARCH, err, output)
	}
	return nil
}

// program is a guest program: its package, its target, whether it is the
// package's test binary, and its path in the guest.
type program struct {
	pkg    string
	target Target
	test   bool
	path   string
}

// BuildInitramfs builds the guest programs for a in dir and packs them
// into the uncompressed cpio archive it returns the path of: the guest as
// /init, the native probe, the probe built for a's compat ABI if it has
// one, sysfence (and its helper for the compat ABI) and the test binary
// of the module's root package. /dev/console is
// there for the kernel to open as /init's standard input and output.
func BuildInitramfs(ctx context.Context, a Arch, dir string) (string, error) {
	native := Target{GOARCH: a.GOARCH}
	bins := []program{
		{guestPackage, native, false, InitPath},
		{probePackage, native, false, ProbePath},
		{sysfencePackage, native, false, SysfencePath},
		{modulePath, native, true, ModuleTestPath},
	}
	if a.Compat.GOARCH != "" {
		bins = append(bins,
			program{probePackage, a.Compat, false, Probe32Path},
			program{sysfencePackage, a.Compat, false, SysfencePath + "-" + a.Compat.GOARCH})
	}
	var buf bytes.Buffer
	w := NewCPIO(&buf)
	for _, d := range []string{"dev", "proc", "tmp"} {
		if err := w.Dir(d, 0o755); err != nil {
			return "", err
		}
	}
	if err := w.CharDevice("dev/console", 0o600, consoleMajor, consoleMinor); err != nil {
		return "", err
	}
	for _, b := range bins {
		out := filepath.Join(dir, a.Name+"-"+b.target.GOARCH+"-"+filepath.Base(b.path))
		if err := GoBuild(ctx, b.pkg, b.target, b.test, out); err != nil {
			return "", err
		}
		data, err := os.ReadFile(out)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrBuild, err)
		}
		if err := w.File(b.path, 0o755, data); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(dir, a.Name+".cpio")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("%w: %w", ErrBuild, err)
	}
	return path, nil
}
