package vmtest_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sysfence/seccomp/internal/vmtest"
)

// An initramfs with /dev/console and an /init, and the header of its
// first entry: magic, inode, mode, uid, gid, nlink, mtime, file size,
// device major and minor, rdev major and minor, name size and checksum.
func ExampleCPIO() {
	var buf bytes.Buffer
	w := vmtest.NewCPIO(&buf)
	w.Dir("dev", 0o755)
	w.CharDevice("dev/console", 0o600, 5, 1)
	w.File("init", 0o755, []byte("#!/bin/sh\n"))
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	h := buf.String()
	var fields []string
	for i := 6; i < 110; i += 8 {
		fields = append(fields, h[i:i+8])
	}
	fmt.Println(h[:6])
	fmt.Println(strings.Join(fields, " "))
	fmt.Printf("%q\n%d bytes\n", h[110:114], buf.Len())
	// Output:
	// 070701
	// 00000001 000041ed 00000000 00000000 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000004 00000000
	// "dev\x00"
	// 492 bytes
}
