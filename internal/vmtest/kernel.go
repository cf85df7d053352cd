package vmtest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrKernel reports a kernel that could not be resolved, fetched or
// unpacked.
var ErrKernel = errors.New("vmtest: kernel")

// Kernel is a kernel image ready to boot.
type Kernel struct {
	// Package and Version name the Debian package it came from.
	Package string
	Version string
	// Path is the image: an uncompressed vmlinux or Image where one
	// could be had, else the image as packaged.
	Path string
}

// CacheDir returns the directory kernels and apt state are kept in:
// $XDG_CACHE_HOME/sysfence-vmtest, or the same under the user's cache
// directory.
func CacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no cache directory: %w", ErrKernel, err)
	}
	return filepath.Join(dir, "sysfence-vmtest"), nil
}

// FetchKernel returns the kernel that Debian's metapackage
// linux-image-<DebArch> currently depends on, downloading and unpacking it
// on first use. The apt state lives under cache; the host's apt setup is
// neither read nor changed. If the package lists cannot be refreshed
// (no network), the lists from the last run are used, so a cached kernel
// still boots offline.
func FetchKernel(ctx context.Context, a Arch, cache string, logf func(string, ...any)) (Kernel, error) {
	apt, err := newAptDir(filepath.Join(cache, "apt", a.DebArch), a)
	if err != nil {
		return Kernel{}, err
	}
	if out, err := apt.run(ctx, "", "apt-get", "update"); err != nil {
		logf("%s: apt-get update failed, using the lists of the last run: %v\n%s", a.Name, err, out)
	}
	meta := "linux-image-" + a.DebArch
	if a.Flavour != "" {
		meta = "linux-image-" + a.Flavour
	}
	fields, err := apt.show(ctx, meta)
	if err != nil {
		return Kernel{}, err
	}
	pkg, err := imageDependency(meta, fields["Depends"])
	if err != nil {
		return Kernel{}, err
	}
	if fields, err = apt.show(ctx, pkg); err != nil {
		return Kernel{}, err
	}
	k := Kernel{Package: pkg, Version: fields["Version"]}
	archDir := filepath.Join(cache, "kernels", a.DebArch)
	dir := filepath.Join(archDir, sanitize(pkg+"_"+k.Version))
	k.Path = filepath.Join(dir, "kernel")
	if _, err := os.Stat(k.Path); err == nil {
		return k, nil
	}
	logf("%s: downloading %s %s", a.Name, pkg, k.Version)
	if err := apt.fetchImage(ctx, pkg, dir); err != nil {
		return Kernel{}, err
	}
	return k, pruneOthers(archDir, filepath.Base(dir))
}

// pruneOthers removes the kernels in dir other than keep: those the
// metapackage no longer depends on.
func pruneOthers(dir, keep string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKernel, err)
	}
	for _, e := range entries {
		if e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("%w: %w", ErrKernel, err)
			}
		}
	}
	return nil
}

// aptDir is a private apt configuration: its own sources, state, cache and
// an empty dpkg status, selected by APT_CONFIG.
type aptDir struct {
	root string
	conf string
}

func newAptDir(root string, a Arch) (*aptDir, error) {
	d := &aptDir{root: root, conf: filepath.Join(root, "apt.conf")}
	for _, sub := range []string{"state/lists/partial", "cache/archives/partial", "parts", "download"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKernel, err)
		}
	}
	// Dir::Etc::Parts pointing at an empty directory keeps the host's
	// apt.conf.d (proxies aside, which come from the environment) out.
	// The package lists stay compressed and apt keeps no binary caches
	// of them: the state is small enough for a CI cache.
	conf := fmt.Sprintf(`Dir::State "%[1]s/state";
Dir::State::status "%[1]s/status";
Dir::Cache "%[1]s/cache";
Dir::Etc::SourceList "%[1]s/sources.list";
Dir::Etc::SourceParts "%[1]s/parts";
Dir::Etc::Parts "%[1]s/parts";
Dir::Etc::Preferences "%[1]s/preferences";
Dir::Etc::PreferencesParts "%[1]s/parts";
APT::Architecture "%[2]s";
APT::Architectures { "%[2]s"; };
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Debug::NoLocking "true";
`, root, a.DebArch)
	if os.Getuid() == 0 {
		// apt drops root to _apt for downloads, and _apt may not write
		// to root's cache directory; stay root instead.
		conf += "APT::Sandbox::User \"root\";\n"
	}
	files := map[string]string{
		"apt.conf":     conf,
		"sources.list": strings.Join(a.Sources, "\n") + "\n",
		"status":       "",
		"preferences":  "",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKernel, err)
		}
	}
	return d, nil
}

// run runs an apt command in dir with the private configuration.
func (d *aptDir) run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "APT_CONFIG="+d.conf, "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%w: %s %s: %w: %s", ErrKernel, name, strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// show returns the fields of the candidate version of a package.
func (d *aptDir) show(ctx context.Context, pkg string) (map[string]string, error) {
	out, err := d.run(ctx, "", "apt-cache", "show", "--no-all-versions", pkg)
	if err != nil {
		return nil, err
	}
	fields := parseControl(out)
	if fields["Version"] == "" {
		return nil, fmt.Errorf("%w: apt-cache show %s: no version", ErrKernel, pkg)
	}
	return fields, nil
}

// parseControl reads the fields of the first paragraph of a Debian
// control file (deb822(5)); continuation lines are dropped.
func parseControl(b []byte) map[string]string {
	fields := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			fields[name] = strings.TrimSpace(value)
		}
	}
	return fields
}

// imageDependency picks the kernel image package out of the Depends field
// of a linux-image metapackage ("linux-image-6.1.0-28-amd64 (= …)").
func imageDependency(meta, depends string) (string, error) {
	for _, dep := range strings.Split(depends, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(dep), " ")
		if strings.HasPrefix(name, "linux-image-") && name != meta {
			return name, nil
		}
	}
	return "", fmt.Errorf("%w: %s depends on no linux-image package (Depends: %q)", ErrKernel, meta, depends)
}

// fetchImage downloads pkg and writes its kernel image to dir/kernel.
func (d *aptDir) fetchImage(ctx context.Context, pkg, dir string) error {
	dl := filepath.Join(d.root, "download")
	if err := clearDir(dl); err != nil {
		return err
	}
	if _, err := d.run(ctx, dl, "apt-get", "download", pkg); err != nil {
		return err
	}
	debs, _ := filepath.Glob(filepath.Join(dl, "*.deb"))
	if len(debs) != 1 {
		return fmt.Errorf("%w: apt-get download %s left %d packages", ErrKernel, pkg, len(debs))
	}
	defer os.Remove(debs[0])
	image, err := imageFromDeb(ctx, debs[0])
	if err != nil {
		return err
	}
	if vmlinux, err := unpackBzImage(ctx, image); err == nil {
		image = vmlinux
	} else if !errors.Is(err, errNotBzImage) {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %w", ErrKernel, err)
	}
	tmp := filepath.Join(dir, "kernel.tmp")
	if err := os.WriteFile(tmp, image, 0o644); err != nil {
		return fmt.Errorf("%w: %w", ErrKernel, err)
	}
	return os.Rename(tmp, filepath.Join(dir, "kernel"))
}

func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKernel, err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("%w: %w", ErrKernel, err)
		}
	}
	return nil
}

// imageFromDeb returns /boot/vmlinuz-* or /boot/vmlinux-* of a kernel
// package, read from the data archive that dpkg-deb --fsys-tarfile
// streams.
func imageFromDeb(ctx context.Context, deb string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKernel, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKernel, err)
	}
	image, findErr := findImage(tar.NewReader(stdout))
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%w: dpkg-deb --fsys-tarfile %s: %w", ErrKernel, filepath.Base(deb), err)
	}
	if findErr != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKernel, filepath.Base(deb), findErr)
	}
	return image, nil
}

func findImage(tr *tar.Reader) ([]byte, error) {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no /boot/vmlinuz-* or /boot/vmlinux-*")
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, ".")
		if h.Typeflag == tar.TypeReg && (strings.HasPrefix(name, "/boot/vmlinuz-") || strings.HasPrefix(name, "/boot/vmlinux-")) {
			return io.ReadAll(tr)
		}
	}
}

// sanitize makes a package name and version safe as a file name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r == '~' {
			return '_'
		}
		return r
	}, s)
}
