package notify

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// ConnectRule is one entry of a ConnectAllowlist: an IP prefix and port,
// or a unix socket path.
type ConnectRule struct {
	// Prefix is the IPv4 or IPv6 network; a single address has all bits.
	Prefix netip.Prefix
	// Port is the port, or 0 for any.
	Port uint16
	// Unix is a unix socket path ("@name" for an abstract one). When it
	// is set, Prefix and Port are unused.
	Unix string
}

// ParseConnectRule reads the command-line spelling of a ConnectRule:
//
//	127.0.0.1:8080   an address and port
//	127.0.0.1        an address, any port (also 127.0.0.1:*)
//	10.0.0.0/8:443   a network and port
//	[::1]:53         an IPv6 address and port ([fd00::/8]:* a network)
//	::1              an IPv6 address, any port
//	unix:/run/x.sock a unix socket path; unix:@name an abstract one
func ParseConnectRule(s string) (ConnectRule, error) {
	bad := func(why string) (ConnectRule, error) {
		return ConnectRule{}, fmt.Errorf("notify: connect rule %q: %s", s, why)
	}
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if path == "" {
			return bad("empty path")
		}
		return ConnectRule{Unix: path}, nil
	}
	host, port := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return bad("no ]")
		}
		host, port = s[1:end], s[end+1:]
		if port != "" {
			var ok bool
			if port, ok = strings.CutPrefix(port, ":"); !ok {
				return bad("want :port after ]")
			}
		}
	case strings.Count(s, ":") == 1:
		host, port, _ = strings.Cut(s, ":")
	}
	var r ConnectRule
	if strings.Contains(host, "/") {
		p, err := netip.ParsePrefix(host)
		if err != nil {
			return bad(err.Error())
		}
		r.Prefix = p.Masked()
	} else {
		a, err := netip.ParseAddr(host)
		if err != nil {
			return bad(err.Error())
		}
		r.Prefix = netip.PrefixFrom(a, a.BitLen())
	}
	if port != "" && port != "*" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return bad("port is not a number from 1 to 65535 or *")
		}
		r.Port = uint16(n)
	}
	return r, nil
}

func (r ConnectRule) String() string {
	if r.Unix != "" {
		return "unix:" + r.Unix
	}
	host := r.Prefix.String()
	if r.Prefix.IsSingleIP() {
		host = r.Prefix.Addr().String()
	}
	if r.Prefix.Addr().Is6() {
		host = "[" + host + "]"
	}
	if r.Port == 0 {
		return host + ":*"
	}
	return host + ":" + strconv.Itoa(int(r.Port))
}

// Match reports whether the rule allows a. IPv4-mapped IPv6 addresses
// are compared as the IPv4 address they map, on both sides.
func (r ConnectRule) Match(a Sockaddr) bool {
	switch a.Family {
	case afUnix:
		return r.Unix != "" && r.Unix == a.Path
	case afInet, afInet6:
		if r.Unix != "" || !r.Prefix.IsValid() {
			return false
		}
		if r.Port != 0 && r.Port != a.AddrPort.Port() {
			return false
		}
		p := r.Prefix
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Contains(a.AddrPort.Addr().Unmap().WithZone(""))
	}
	return false
}

// ConnectAllowlist is a Handler for connect(2) notifications: a connect
// to an address one of Allow matches continues, and every other fails
// with Errno, except AF_UNSPEC (which dissolves a datagram socket's
// association and reaches no one).
//
// By default it decides by the address read from the caller's memory and
// then lets the kernel run the call, which reads the address again: a
// caller whose other thread rewrites the address in between connects
// where it likes. That is a guard against programs that are mistaken, not
// ones that are hostile; see the package documentation. With Emulate it
// is a wall.
type ConnectAllowlist struct {
	Allow []ConnectRule
	// Emulate makes the supervisor connect the caller's socket itself,
	// to the address it checked, and return the outcome: the kernel never
	// reads the caller's memory again. It takes a copy of the socket with
	// pidfd_getfd (Linux 5.6; the supervisor needs ptrace access to the
	// caller), and reaches unix socket paths through /proc/PID/root and
	// /proc/PID/cwd, so that they resolve as the caller's would; a path
	// too long for that fails with ENAMETOOLONG. A blocking connect then
	// blocks the handler, not the caller's other threads.
	Emulate bool
	// Errno is the error a refused connect fails with; zero means
	// ECONNREFUSED.
	Errno syscall.Errno
	// Decided, if set, is called with each decision: the address (zero
	// if it could not be read), whether it was allowed, and the error
	// reading it.
	Decided func(req *Request, addr Sockaddr, allowed bool, err error)
}

// Handle decides one connect. A notification of another system call,
// or of a foreign ABI, fails with Errno.
func (c *ConnectAllowlist) Handle(_ context.Context, req *Request) Response {
	refuse := Fail(syscall.ECONNREFUSED)
	if c.Errno != 0 {
		refuse = Fail(c.Errno)
	}
	raw, addr, allowed, err := c.decide(req)
	resp := refuse
	switch {
	case allowed && c.Emulate:
		if resp, err = req.connect(int(int32(req.Data.Args[0])), raw, addr); err != nil {
			resp = refuse
		}
	case allowed:
		resp = Continue()
	}
	if c.Decided != nil {
		c.Decided(req, addr, allowed, err)
	}
	return resp
}

func (c *ConnectAllowlist) decide(req *Request) ([]byte, Sockaddr, bool, error) {
	if !isNative(req, "connect") {
		return nil, Sockaddr{}, false, fmt.Errorf("notify: ConnectAllowlist given system call %d of arch %#x", req.Data.Nr, req.Data.Arch)
	}
	raw, addr, err := req.readSockaddr(req.Data.Args[1], req.Data.Args[2])
	if err != nil {
		return nil, addr, false, err
	}
	if addr.Family == afUnspec {
		return raw, addr, true, nil
	}
	for _, r := range c.Allow {
		if r.Match(addr) {
			return raw, addr, true, nil
		}
	}
	return raw, addr, false, nil
}
