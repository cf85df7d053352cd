package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestParseAction(t *testing.T) {
	tests := []struct {
		in   string
		abi  *tables.ABI
		want Action
	}{
		{"allow", nil, Allow},
		{"kill-process", nil, KillProcess},
		{"kill-thread", nil, KillThread},
		{"trap", nil, Trap},
		{"log", nil, Log},
		{"notify", nil, Notify},
		{"Allow", nil, Allow},
		{"errno:1", nil, Errno(1)},
		{"errno:0", nil, Errno(0)},
		{"errno:4095", nil, Errno(4095)},
		{"errno:EPERM", tables.X86_64, Errno(1)},
		{"errno:enosys", tables.X86_64, Errno(38)},
		{"errno:ENOSYS", tables.MIPS, Errno(89)},
		{"ERRNO:EAGAIN", tables.AArch64, Errno(11)},
		{"trace:0", nil, Trace(0)},
		{"trace:65535", nil, Trace(65535)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAction(tt.in, tt.abi)
			if err != nil || got != tt.want {
				t.Errorf("ParseAction(%q, %v) = %v, %v; want %v", tt.in, tt.abi, got, err, tt.want)
			}
		})
	}
}

// TestParseActionRoundTrip checks that ParseAction reads what
// Action.String writes.
func TestParseActionRoundTrip(t *testing.T) {
	for _, act := range []Action{Allow, KillProcess, KillThread, Trap, Log, Notify, Errno(0), Errno(13), Trace(0), Trace(7)} {
		got, err := ParseAction(act.String(), nil)
		if err != nil || got != act {
			t.Errorf("ParseAction(%q) = %v, %v; want %v", act.String(), got, err, act)
		}
	}
}

func TestParseActionErrors(t *testing.T) {
	tests := []struct {
		in   string
		abi  *tables.ABI
		want error
		text string
	}{
		{"", nil, ErrAction, `"" (want allow,`},
		{"kill", nil, ErrAction, `"kill" (want allow, kill-process`},
		{"allow:1", nil, ErrAction, `allow takes no ":1"`},
		{"errno", nil, ErrAction, "errno needs a number or name"},
		{"errno:", nil, ErrErrno, "empty"},
		{"errno:4096", nil, ErrErrno, `"4096": not a number from 0 to 4095`},
		{"errno:-1", nil, ErrErrno, `"-1": not a number from 0 to 4095`},
		{"errno:1x", nil, ErrErrno, `"1x": not a number`},
		{"errno:EPERM", nil, ErrErrno, "error names need an ABI"},
		{"errno:EPREM", tables.X86_64, ErrErrno, `"EPREM": no such error name on x86_64`},
		{"trace", nil, ErrAction, "trace needs a message number"},
		{"trace:65536", nil, ErrAction, `trace message "65536" is not a number`},
		{"trace:x", nil, ErrAction, `trace message "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAction(tt.in, tt.abi)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("ParseAction(%q) = %v, %v; want an error wrapping %q that says %q", tt.in, got, err, tt.want, tt.text)
			}
		})
	}
}

func TestParseErrno(t *testing.T) {
	tests := []struct {
		in   string
		abi  *tables.ABI
		want uint16
	}{
		{"0", nil, 0},
		{"13", nil, 13},
		{"EACCES", tables.X86_64, 13},
		{"ENOSYS", tables.MIPS64, 89},
		{"EDEADLK", tables.PPC64, 35},
		{"EDEADLOCK", tables.PPC64, 58}, // arch/powerpc/include/uapi/asm/errno.h
	}
	for _, tt := range tests {
		got, err := ParseErrno(tt.in, tt.abi)
		if err != nil || got != tt.want {
			t.Errorf("ParseErrno(%q, %v) = %d, %v; want %d", tt.in, tt.abi, got, err, tt.want)
		}
	}
}
