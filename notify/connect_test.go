package notify_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/notify"
)

func TestParseConnectRule(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"127.0.0.1", "127.0.0.1:*"},
		{"127.0.0.1:*", "127.0.0.1:*"},
		{"10.1.2.3/8:443", "10.0.0.0/8:443"},
		{"[::1]:53", "[::1]:53"},
		{"::1", "[::1]:*"},
		{"[fd00::/8]:*", "[fd00::/8]:*"},
		{"unix:/run/x.sock", "unix:/run/x.sock"},
		{"unix:@abstract", "unix:@abstract"},
		{"unix:/run/@file", "unix:/run/@file"}, // a file named @file
		{"unix:/run/../run/x.sock", "unix:/run/x.sock"},
	} {
		r, err := notify.ParseConnectRule(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if r.String() != tc.out {
			t.Errorf("%s: %s, want %s", tc.in, r, tc.out)
		}
	}
	for _, bad := range []string{"", "unix:", "unix:@", "unix:x.sock", "unix:@x" + strings.Repeat("x", 107), "host:80", "127.0.0.1:0", "127.0.0.1:65536", "[::1", "[::1]80", "1.2.3.4/33"} {
		if _, err := notify.ParseConnectRule(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Linux address families (include/linux/socket.h).
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

func sockaddr4(ip string, port uint16) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint16(b, afInet)
	binary.BigEndian.PutUint16(b[2:], port)
	a := netip.MustParseAddr(ip).As4()
	copy(b[4:], a[:])
	return b
}

func sockaddr6(ip string, port uint16) []byte {
	b := make([]byte, 28)
	binary.NativeEndian.PutUint16(b, afInet6)
	binary.BigEndian.PutUint16(b[2:], port)
	a := netip.MustParseAddr(ip).As16()
	copy(b[8:], a[:])
	return b
}

func sockaddrUnix(path string) []byte {
	b := make([]byte, 2, 110)
	binary.NativeEndian.PutUint16(b, afUnix)
	return append(append(b, path...), 0)
}

func TestConnectRuleMatch(t *testing.T) {
	rules := map[string]string{"v4": "127.0.0.0/8:80", "v6": "[::1]:*", "unix": "unix:/run/a.sock", "abstract": "unix:@name"}
	for _, tc := range []struct {
		addr []byte
		want string // the rule that matches, or ""
	}{
		{sockaddr4("127.0.0.5", 80), "v4"},
		{sockaddr4("127.0.0.5", 81), ""},
		{sockaddr4("10.0.0.1", 80), ""},
		{sockaddr6("::ffff:127.0.0.1", 80), "v4"}, // IPv4-mapped, on an IPv6 socket
		{sockaddr6("::1", 9999), "v6"},
		{sockaddr6("::2", 9999), ""},
		{sockaddrUnix("/run/a.sock"), "unix"},
		{sockaddrUnix("/run/a.sock2"), ""},
		{append(sockaddrUnix("")[:2], "\x00name"...), "abstract"},
	} {
		sa, err := notify.ParseSockaddr(tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for name, s := range rules {
			r, err := notify.ParseConnectRule(s)
			if err != nil {
				t.Fatal(err)
			}
			if r.Match(sa) {
				if got != "" {
					t.Errorf("%v matches %s and %s", sa, got, name)
				}
				got = name
			}
		}
		if got != tc.want {
			t.Errorf("%v matches %q, want %q", sa, got, tc.want)
		}
	}
}

func TestParseSockaddrShort(t *testing.T) {
	for _, b := range [][]byte{nil, {1}, sockaddr4("1.2.3.4", 1)[:7], sockaddr6("::1", 1)[:23]} {
		if _, err := notify.ParseSockaddr(b); err == nil {
			t.Errorf("%x: no error", b)
		}
	}
}

func ExampleParseConnectRule() {
	r, _ := notify.ParseConnectRule("[::ffff:127.0.0.1]:8080")
	sa, _ := notify.ParseSockaddr(sockaddr4("127.0.0.1", 8080))
	fmt.Println(r, sa, r.Match(sa))
	// Output: [::ffff:127.0.0.1]:8080 127.0.0.1:8080 true
}

// ConnectRules leave no way around the supervisor; connect notified
// alone leaves several, and CheckConnectRoutes names one.
func TestConnectRoutes(t *testing.T) {
	if _, err := seccomp.NativeABI(); err != nil {
		t.Skip(err) // no seccomp on this system
	}
	for _, tc := range []struct {
		name  string
		rules []seccomp.Rule
		want  string // a part of the RouteError, or "" for none
	}{
		{"ConnectRules", notify.ConnectRules(), ""},
		{"connect alone", seccomp.RulesFor(seccomp.Notify, "connect"), "io_uring_enter"},
		{"no Fast Open rule", append(seccomp.RulesFor(seccomp.Notify, "connect"), seccomp.RulesFor(seccomp.ErrnoNamed("ENOSYS"), notify.IOURingCalls...)...), "MSG_FASTOPEN"},
		{"connect not notified", nil, "connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := (&seccomp.Policy{Default: seccomp.Allow, Rules: tc.rules}).Compile()
			if errors.Is(err, errors.ErrUnsupported) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			err = notify.CheckConnectRoutes(prog)
			var re *notify.RouteError
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckConnectRoutes: %v, want nil", err)
			case tc.want != "" && (!errors.As(err, &re) || !strings.Contains(re.Call, tc.want)):
				t.Errorf("CheckConnectRoutes: %v, want a RouteError naming %s", err, tc.want)
			}
		})
	}
	// The compat ABIs, when the policy lets them run.
	if len(seccomp.CompatABIs()) > 0 {
		prog, err := (&seccomp.Policy{Default: seccomp.Allow, Rules: notify.ConnectRules(), Foreign: seccomp.Allow}).Compile()
		if err != nil {
			t.Fatal(err)
		}
		var re *notify.RouteError
		if err := notify.CheckConnectRoutes(prog); !errors.As(err, &re) || re.ABI == nil {
			t.Errorf("Foreign: allow: %v, want a RouteError on a compat ABI", err)
		}
	}
}
