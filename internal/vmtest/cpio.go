package vmtest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// ErrArchive reports an entry that cannot be written to a cpio archive.
var ErrArchive = errors.New("vmtest: cpio")

// File modes of a cpio entry, as in the st_mode of stat(2) (<sys/stat.h>).
const (
	modeDir  = 0o040000 // S_IFDIR
	modeReg  = 0o100000 // S_IFREG
	modeChar = 0o020000 // S_IFCHR
)

// cpioMagic starts every header of the "new ASCII" (newc) format without
// checksums, the one the kernel's initramfs unpacker reads
// (init/initramfs.c; usr/gen_init_cpio.c writes it).
const cpioMagic = "070701"

// cpioTrailer names the entry that ends an archive.
const cpioTrailer = "TRAILER!!!"

// CPIO writes an uncompressed newc cpio archive, the format of an
// initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
// Every header is 110 ASCII bytes: the magic "070701" and thirteen 8-digit
// hexadecimal fields. The name, with its terminating NUL, follows and is
// padded so that the data starts on a multiple of four bytes; the data is
// padded the same way. An entry named "TRAILER!!!" ends the archive.
//
// Entries are written in the order given; a directory must come before the
// entries inside it.
type CPIO struct {
	w   io.Writer
	off int64  // bytes written so far, for padding
	ino uint32 // last inode number handed out
	err error  // first write error; later calls return it
}

// NewCPIO returns a CPIO that writes to w.
func NewCPIO(w io.Writer) *CPIO { return &CPIO{w: w} }

// Dir adds a directory.
func (c *CPIO) Dir(name string, perm fs.FileMode) error {
	return c.entry(name, modeDir|uint32(perm.Perm()), 2, 0, 0, nil)
}

// File adds a regular file holding data.
func (c *CPIO) File(name string, perm fs.FileMode, data []byte) error {
	return c.entry(name, modeReg|uint32(perm.Perm()), 1, 0, 0, data)
}

// CharDevice adds a character device node, such as /dev/console (5, 1),
// which the kernel opens as the standard input and output of /init.
func (c *CPIO) CharDevice(name string, perm fs.FileMode, major, minor uint32) error {
	return c.entry(name, modeChar|uint32(perm.Perm()), 1, major, minor, nil)
}

// Close writes the trailer. It does not close the underlying writer.
func (c *CPIO) Close() error {
	c.ino = 0
	return c.writeHeader(cpioTrailer, 0, 1, 0, 0, 0)
}

func (c *CPIO) entry(name string, mode, nlink, major, minor uint32, data []byte) error {
	name = strings.TrimPrefix(name, "/")
	if name == "" || name == cpioTrailer || strings.ContainsRune(name, 0) {
		return fmt.Errorf("%w: bad entry name %q", ErrArchive, name)
	}
	if uint64(len(data)) > 0xffffffff {
		return fmt.Errorf("%w: %s: %d bytes do not fit the 32-bit size field", ErrArchive, name, len(data))
	}
	c.ino++
	if err := c.writeHeader(name, mode, nlink, uint32(len(data)), major, minor); err != nil {
		return err
	}
	c.write(data)
	c.pad()
	return c.err
}

// writeHeader writes the header and the padded name of one entry.
func (c *CPIO) writeHeader(name string, mode, nlink, size, major, minor uint32) error {
	fields := []uint32{
		c.ino, mode, 0, 0, nlink, 0, // ino, mode, uid, gid, nlink, mtime
		size, 0, 0, major, minor, // filesize, devmajor, devminor, rdevmajor, rdevminor
		uint32(len(name) + 1), 0, // namesize (with the NUL), check
	}
	var b strings.Builder
	b.WriteString(cpioMagic)
	for _, f := range fields {
		fmt.Fprintf(&b, "%08x", f)
	}
	b.WriteString(name)
	b.WriteByte(0)
	c.write([]byte(b.String()))
	c.pad()
	return c.err
}

// pad writes zeros up to the next multiple of four bytes.
func (c *CPIO) pad() {
	if n := (4 - c.off%4) % 4; n > 0 {
		c.write(make([]byte, n))
	}
}

func (c *CPIO) write(p []byte) {
	if c.err != nil || len(p) == 0 {
		return
	}
	n, err := c.w.Write(p)
	c.off += int64(n)
	if err != nil {
		c.err = fmt.Errorf("%w: %w", ErrArchive, err)
	}
}
