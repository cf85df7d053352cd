package vmtest

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestParseControl(t *testing.T) {
	in := []byte(`Package: linux-image-amd64
Source: linux-signed-amd64 (6.1.119+1)
Version: 6.1.119-1
Depends: linux-image-6.1.0-28-amd64 (= 6.1.119-1)
Description: Linux for 64-bit PCs (meta-package)
 This package depends on the latest Linux kernel
Version-Extra: continued: no

Package: other
Version: 1
`)
	got := parseControl(in)
	for field, want := range map[string]string{
		"Package": "linux-image-amd64",
		"Version": "6.1.119-1",
		"Depends": "linux-image-6.1.0-28-amd64 (= 6.1.119-1)",
	} {
		if got[field] != want {
			t.Errorf("%s: got %q, want %q", field, got[field], want)
		}
	}
	if len(got) != 6 {
		t.Errorf("got %d fields, want the 6 of the first paragraph: %q", len(got), got)
	}
}

func TestImageDependency(t *testing.T) {
	for _, tc := range []struct {
		depends, want string
	}{
		{"linux-image-6.1.0-28-amd64 (= 6.1.119-1)", "linux-image-6.1.0-28-amd64"},
		{"initramfs-tools, linux-image-6.12.12+deb13-riscv64 (= 6.12.12-1)", "linux-image-6.12.12+deb13-riscv64"},
		{"linux-image-arm64, foo", ""},
		{"", ""},
	} {
		t.Run(tc.depends, func(t *testing.T) {
			got, err := imageDependency("linux-image-arm64", tc.depends)
			if got != tc.want || (err == nil) != (tc.want != "") {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
			if err != nil && !errors.Is(err, ErrKernel) {
				t.Errorf("error %v does not wrap ErrKernel", err)
			}
		})
	}
}

func TestFindImage(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		kind byte
		data string
	}{
		{"./boot/", tar.TypeDir, ""},
		{"./boot/config-6.1.0-28-amd64", tar.TypeReg, "CONFIG_SECCOMP=y"},
		{"./boot/vmlinuz-6.1.0-28-amd64", tar.TypeReg, "kernel"},
		{"./lib/modules/x.ko", tar.TypeReg, "module"},
	} {
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: f.kind, Size: int64(len(f.data)), Mode: 0o644})
		tw.Write([]byte(f.data))
	}
	tw.Close()
	got, err := findImage(tar.NewReader(&buf))
	if err != nil || string(got) != "kernel" {
		t.Errorf("got %q, %v; want the kernel", got, err)
	}
	if _, err := findImage(tar.NewReader(bytes.NewReader(nil))); err == nil {
		t.Error("found an image in an empty archive")
	}
}

// fakeBzImage builds the parts of a bzImage that bzPayload reads: two
// setup sectors after the boot sector, then the protected-mode code with
// the payload 16 bytes in.
func fakeBzImage(version uint16, payload []byte) []byte {
	const sects = 2
	img := make([]byte, (sects+1)*512+16+len(payload)+8)
	img[bzSetupSects] = sects
	copy(img[bzHeaderMagic:], "HdrS")
	le := binary.LittleEndian
	le.PutUint16(img[bzVersion:], version)
	le.PutUint32(img[bzPayloadOffset:], 16)
	le.PutUint32(img[bzPayloadLength:], uint32(len(payload)))
	copy(img[(sects+1)*512+16:], payload)
	return img
}

func TestBzPayload(t *testing.T) {
	xz := append(append([]byte{}, xzMagic...), "compressed"...)
	for _, tc := range []struct {
		name  string
		image []byte
		want  []byte
	}{
		{"xz payload", fakeBzImage(0x20f, xz), xz},
		{"gzip payload", fakeBzImage(0x20f, []byte{0x1f, 0x8b, 8, 0}), nil},
		{"protocol before 2.08", fakeBzImage(0x207, xz), nil},
		{"arm64 Image", make([]byte, 4096), nil},
		{"short", []byte("MZ"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bzPayload(tc.image)
			if tc.want == nil {
				if !errors.Is(err, errNotBzImage) {
					t.Errorf("got %q, %v; want errNotBzImage", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
