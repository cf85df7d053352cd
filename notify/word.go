package notify

import (
	"encoding/binary"
	"unsafe"
)

// wordSize is the size of a pointer in the callers this binary
// supervises: its own native ABI.
const wordSize = int(unsafe.Sizeof(uintptr(0)))

// readWord reads a native pointer.
func readWord(b []byte) uint64 {
	if wordSize == 4 {
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return binary.NativeEndian.Uint64(b)
}
