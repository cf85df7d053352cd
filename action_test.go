package seccomp

import (
	"errors"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestActionSpellings(t *testing.T) {
	tests := []struct {
		in   Action
		abi  *tables.ABI
		want filter.Action
	}{
		{"allow", nil, filter.Allow},
		{"kill-process", nil, filter.KillProcess},
		{"kill-thread", nil, filter.KillThread},
		{"trap", nil, filter.Trap},
		{"trap:7", nil, filter.Trap | 7},
		{"trap:0xffff", nil, filter.Trap | 0xffff},
		{"log", nil, filter.Log},
		{"notify", nil, filter.Notify},
		{"Allow", nil, filter.Allow},
		{"errno:1", nil, filter.Errno(1)},
		{"errno:0", nil, filter.Errno(0)},
		{"errno:4095", nil, filter.Errno(4095)},
		{"errno:EPERM", tables.X86_64, filter.Errno(1)},
		{"errno:enosys", tables.X86_64, filter.Errno(38)},
		{"errno:ENOSYS", tables.MIPS, filter.Errno(89)},
		{"ERRNO:EAGAIN", tables.AArch64, filter.Errno(11)},
		{"errno:EDEADLOCK", tables.PPC64, filter.Errno(58)}, // arch/powerpc/include/uapi/asm/errno.h
		{"trace:0", nil, filter.Trace(0)},
		{"trace:65535", nil, filter.Trace(65535)},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			got, err := tt.in.Resolve(tt.abi)
			if err != nil || got != tt.want {
				t.Errorf("Resolve = %v, %v; want %#x", got, err, uint32(tt.want))
			}
		})
	}
}

func TestActionErrors(t *testing.T) {
	tests := []struct {
		in   Action
		abi  *tables.ABI
		text string
	}{
		{"", nil, `"": none given`},
		{"kill", nil, `"kill": want allow, kill-process`},
		{"allow:1", nil, `allow takes no data`},
		{"errno", nil, "errno needs a number or a name"},
		{"errno:", nil, "errno is empty"},
		{"errno:4096", nil, `"4096" is not an error number from 0 to 4095`},
		{"errno:99999", nil, `"99999" is not an error number from 0 to 4095`},
		{"errno:-1", nil, `"-1" is not an error number`},
		{"errno:1x", nil, `"1x" is not an error number`},
		{"errno:EPERM", nil, "error names need an ABI"},
		{"errno:EPREM", tables.X86_64, `"EPREM" is not an error name on x86_64`},
		{"trace", nil, "trace needs a message number"},
		{"trace:65536", nil, `trace data "65536" is not a number from 0 to 65535`},
		{"trap:x", nil, `trap data "x"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			got, err := tt.in.Resolve(tt.abi)
			var ae *ActionError
			if !errors.Is(err, ErrInvalidAction) || !errors.As(err, &ae) || ae.Action != tt.in || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Resolve = %v, %v; want an *ActionError that says %q", got, err, tt.text)
			}
			if n := strings.Count(err.Error(), "seccomp:"); n != 1 {
				t.Errorf("%q names the package %d times", err, n)
			}
		})
	}
}
