package vmtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
)

// errNotBzImage reports an image that is not an x86 bzImage with an
// xz-compressed payload, which is booted as it is.
var errNotBzImage = errors.New("not an xz-compressed bzImage")

// Fields of the x86 boot protocol header (Documentation/arch/x86/boot.rst).
const (
	bzSetupSects    = 0x1f1 // u8: 512-byte setup sectors after the boot sector (0 means 4)
	bzHeaderMagic   = 0x202 // "HdrS"
	bzVersion       = 0x206 // u16: boot protocol version
	bzPayloadOffset = 0x248 // u32: from the start of the protected-mode code (protocol 2.08+)
	bzPayloadLength = 0x24c // u32
)

var (
	xzMagic  = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
	elfMagic = []byte{0x7f, 'E', 'L', 'F'}
)

// unpackBzImage returns the ELF vmlinux compressed inside an x86 bzImage.
// qemu boots it directly through its PVH entry point, which skips the
// decompressor: about 3 s less per boot under emulation. Debian compresses
// the payload with xz, which the xz tool undoes; any other image is
// errNotBzImage.
func unpackBzImage(ctx context.Context, image []byte) ([]byte, error) {
	payload, err := bzPayload(image)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "xz", "--decompress", "--stdout", "--single-stream")
	cmd.Stdin = bytes.NewReader(payload)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: unpacking bzImage: xz: %w", ErrKernel, err)
	}
	if !bytes.HasPrefix(out, elfMagic) {
		return nil, fmt.Errorf("%w: unpacking bzImage: payload is not an ELF file", ErrKernel)
	}
	return out, nil
}

// bzPayload returns the compressed payload of a bzImage.
func bzPayload(image []byte) ([]byte, error) {
	if len(image) < bzPayloadLength+4 || string(image[bzHeaderMagic:bzHeaderMagic+4]) != "HdrS" {
		return nil, errNotBzImage
	}
	le := binary.LittleEndian
	if le.Uint16(image[bzVersion:]) < 0x208 {
		return nil, errNotBzImage
	}
	sects := int(image[bzSetupSects])
	if sects == 0 {
		sects = 4
	}
	start := (sects+1)*512 + int(le.Uint32(image[bzPayloadOffset:]))
	end := start + int(le.Uint32(image[bzPayloadLength:]))
	if end > len(image) || !bytes.HasPrefix(image[start:end], xzMagic) {
		return nil, errNotBzImage
	}
	return image[start:end], nil
}
