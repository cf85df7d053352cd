//go:build linux

package notify_test

import (
	"encoding/binary"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/tables"
)

func init() { scenarios["compat"] = scenarioCompat }

// i386 system calls (arch/x86/entry/syscalls/syscall_32.tbl) and
// socketcall's SYS_CONNECT (include/uapi/linux/net.h).
const (
	i386Socketcall = 102
	i386Socket     = 359
	i386Connect    = 362
	sysConnect     = 3
)

// scenarioCompat connects through the i386 ABI, with connect (362) and
// socketcall(SYS_CONNECT), to each address of addrEnv, and reports the
// errno of each.
func scenarioCompat() (any, error) {
	low, err := testenv.Low32(4096)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range strings.Fields(os.Getenv(addrEnv)) {
		ap := netip.MustParseAddrPort(a)
		sa := low[:16]
		binary.NativeEndian.PutUint16(sa, syscall.AF_INET)
		binary.BigEndian.PutUint16(sa[2:], ap.Port())
		ip := ap.Addr().As4()
		copy(sa[4:], ip[:])
		for _, how := range []string{"connect", "socketcall"} {
			fd, errno, _ := probe.Int80(i386Socket, syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if errno != 0 {
				return nil, errno
			}
			addr := uintptr(unsafe.Pointer(&sa[0]))
			if how == "connect" {
				_, errno, _ = probe.Int80(i386Connect, fd, addr, 16)
			} else {
				args := low[64:76]
				binary.NativeEndian.PutUint32(args[0:], uint32(fd))
				binary.NativeEndian.PutUint32(args[4:], uint32(addr))
				binary.NativeEndian.PutUint32(args[8:], 16)
				_, errno, _ = probe.Int80(i386Socketcall, sysConnect, uintptr(unsafe.Pointer(&args[0])))
			}
			out[how+" "+a] = ""
			if errno != 0 {
				out[how+" "+a] = errno.Error()
			}
			syscall.Close(int(fd))
		}
	}
	return out, nil
}

// Point 6 of issue 16: connect through i386 (362) and
// socketcall(SYS_CONNECT) were not supervised: ConnectAllowlist refused
// every call but the native connect. Both are decided, and made, as the
// native connect is.
func TestConnectCompatABIs(t *testing.T) {
	requireNotify(t)
	allowed, denied := listen(t, "tcp4", "127.0.0.1:0"), listen(t, "tcp4", "127.0.0.1:0")
	prog := compile(t, &seccomp.Policy{
		ABIs:    []*tables.ABI{tables.X86_64, tables.I386},
		Default: seccomp.Allow,
		Rules: []seccomp.Rule{
			{Syscall: "connect", Action: seccomp.Notify},
			{Syscall: "socketcall", Action: seccomp.Notify, ABIs: []*tables.ABI{tables.I386},
				Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: sysConnect, Width: 32}}},
		},
	})
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, allowed.Addr().String()), Errno: syscall.EACCES}
	mux := &notify.Mux{}
	for _, name := range []string{"connect", "socketcall"} {
		if err := mux.AddEveryABI(name, allow); err != nil {
			t.Fatal(err)
		}
	}
	tg := start(t, prog, "compat", addrEnv+"="+allowed.Addr().String()+" "+denied.Addr().String())
	defer tg.l.Close()
	wait := serve(t.Context(), tg.l, mux)
	var got map[string]string
	tg.wait(t, &got)
	wait()
	for _, how := range []string{"connect", "socketcall"} {
		if g := got[how+" "+allowed.Addr().String()]; g != "" {
			t.Errorf("i386 %s to the allowed address: %q, want success", how, g)
		}
		if g := got[how+" "+denied.Addr().String()]; g != syscall.EACCES.Error() {
			t.Errorf("i386 %s to the refused address: %q, want EACCES", how, g)
		}
	}
}
