//go:build linux

package notify

import (
	"runtime"
	"testing"
)

// TestIoctlNumbers compares the request numbers with those the uapi
// header's macros give on each family of ioctl encodings (as in
// golang.org/x/sys/unix zerrors_linux_*.go).
func TestIoctlNumbers(t *testing.T) {
	want := map[string]uint32{"recv": 0xc0502100, "send": 0xc0182101, "id_valid": 0x40082102, "addfd": 0x40182103}
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le":
		want["id_valid"], want["addfd"] = 0x80082102, 0x80182103
	}
	got := map[string]uint32{"recv": ioctlNotifRecv, "send": ioctlNotifSend, "id_valid": ioctlNotifIDValid, "addfd": ioctlNotifAddFD}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %#x, want %#x", name, got[name], w)
		}
	}
}

func TestKernelSizes(t *testing.T) {
	s, err := KernelSizes()
	if err != nil {
		t.Skip(err)
	}
	if s.Notif < sizeofNotif || s.Resp < sizeofResp || s.Data < 64 {
		t.Errorf("kernel sizes %+v smaller than the uapi header's", s)
	}
}
