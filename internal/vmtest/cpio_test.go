package vmtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// cpioEntry is an entry read back from an archive.
type cpioEntry struct {
	name         string
	mode, nlink  uint32
	major, minor uint32
	data         string
}

// readCPIO parses a newc archive strictly: magic, alignment, the name's
// NUL, and the trailer at the end, followed by nothing but padding.
func readCPIO(t *testing.T, b []byte) []cpioEntry {
	t.Helper()
	var entries []cpioEntry
	off := 0
	for {
		if off+110 > len(b) || string(b[off:off+6]) != cpioMagic {
			t.Fatalf("offset %d: no header", off)
		}
		var f [13]uint32
		for i := range f {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				t.Fatalf("offset %d: field %d: %v", off, i, err)
			}
			f[i] = uint32(v)
		}
		size, namesize := int(f[6]), int(f[11])
		name := b[off+110 : off+110+namesize]
		if name[namesize-1] != 0 {
			t.Fatalf("offset %d: name %q not NUL-terminated", off, name)
		}
		off = align4(off + 110 + namesize)
		e := cpioEntry{name: string(name[:namesize-1]), mode: f[1], nlink: f[4], major: f[9], minor: f[10]}
		e.data = string(b[off : off+size])
		off = align4(off + size)
		if e.name == cpioTrailer {
			if off != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-off)
			}
			return entries
		}
		entries = append(entries, e)
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

func TestCPIO(t *testing.T) {
	var buf bytes.Buffer
	w := NewCPIO(&buf)
	steps := []error{
		w.Dir("/dev", 0o755),
		w.CharDevice("dev/console", 0o600, 5, 1),
		w.File("init", 0o755, []byte("12345")), // needs padding after the data
		w.File("empty", 0o644, nil),
		w.Close(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []cpioEntry{
		{name: "dev", mode: 0o040755, nlink: 2},
		{name: "dev/console", mode: 0o020600, nlink: 1, major: 5, minor: 1},
		{name: "init", mode: 0o100755, nlink: 1, data: "12345"},
		{name: "empty", mode: 0o100644, nlink: 1},
	}
	got := readCPIO(t, buf.Bytes())
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	// The cpio tool must read it too (CI installs it; elsewhere it may be
	// missing).
	if _, err := exec.LookPath("cpio"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cpio: %v (apt-get install cpio)", err)
		}
		t.Logf("cpio not installed; not cross-checking with it")
	} else {
		cmd := exec.Command("cpio", "-it", "--quiet")
		cmd.Stdin = bytes.NewReader(buf.Bytes())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("cpio -it: %v", err)
		}
		if got, want := strings.Fields(string(out)), []string{"dev", "dev/console", "init", "empty"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("cpio -it lists %q, want %q", got, want)
		}
	}
}

func TestCPIOErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  func(*CPIO) error
	}{
		{"empty name", func(w *CPIO) error { return w.File("/", 0o644, nil) }},
		{"trailer name", func(w *CPIO) error { return w.Dir(cpioTrailer, 0o755) }},
		{"NUL in name", func(w *CPIO) error { return w.File("a\x00b", 0o644, nil) }},
		{"write error", func(w *CPIO) error {
			w.w = failingWriter{}
			return w.File("init", 0o755, []byte("x"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.add(NewCPIO(&buf)); !errors.Is(err, ErrArchive) {
				t.Errorf("got %v, want ErrArchive", err)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
