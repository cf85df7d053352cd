package notify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// ConnectRule is one entry of a ConnectAllowlist: an IP prefix and port,
// or a unix socket: a path or an abstract name.
type ConnectRule struct {
	// Prefix is the IPv4 or IPv6 network; a single address has all bits.
	Prefix netip.Prefix
	// Port is the port, or 0 for any.
	Port uint16
	// Unix is a unix socket's absolute path, or with Abstract its
	// abstract name (without the leading NUL). When it is set, Prefix and
	// Port are unused.
	Unix string
	// Abstract makes Unix an abstract name (unix(7)).
	Abstract bool
}

// ConnectRuleError is an error of ParseConnectRule: the rule as written
// and what is wrong with it.
type ConnectRuleError struct {
	Rule   string
	Reason string
}

func (e *ConnectRuleError) Error() string {
	return fmt.Sprintf("notify: connect rule %q: %s", e.Rule, e.Reason)
}

// sunPathMax is sizeof(sockaddr_un.sun_path) of include/uapi/linux/un.h.
const sunPathMax = 108

// ParseConnectRule reads the command-line spelling of a ConnectRule:
//
//	127.0.0.1:8080   an address and port
//	127.0.0.1        an address, any port (also 127.0.0.1:*)
//	10.0.0.0/8:443   a network and port
//	[::1]:53         an IPv6 address and port ([fd00::/8]:* a network)
//	::1              an IPv6 address, any port
//	unix:/run/x.sock a unix socket's absolute path
//	unix:@name       an abstract unix socket name
//
// A file whose name starts with "@" is named by its absolute path
// (unix:/dir/@name), so that it is never mistaken for an abstract name. An
// error is a *ConnectRuleError.
func ParseConnectRule(s string) (ConnectRule, error) {
	bad := func(why string) (ConnectRule, error) {
		return ConnectRule{}, &ConnectRuleError{Rule: s, Reason: why}
	}
	if p, ok := strings.CutPrefix(s, "unix:"); ok {
		switch {
		case p == "":
			return bad("empty path")
		case p == "@":
			return bad("empty abstract name")
		case p[0] == '@':
			if len(p) > sunPathMax-1 {
				return bad(fmt.Sprintf("abstract name longer than %d bytes", sunPathMax-1))
			}
			return ConnectRule{Unix: p[1:], Abstract: true}, nil
		case p[0] != '/':
			return bad("a unix socket path must be absolute (a file named @NAME too: unix:/dir/@NAME)")
		case len(p) > sunPathMax-1:
			return bad(fmt.Sprintf("path longer than %d bytes", sunPathMax-1))
		}
		return ConnectRule{Unix: path.Clean(p)}, nil
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
		if r.Abstract {
			return Sockaddr{Family: afUnix, Path: r.Unix, Abstract: true}.String()
		}
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
// are compared as the IPv4 address they map, on both sides. A unix path
// matches only as an absolute path equal to the rule's after path.Clean:
// a caller's relative path must be made absolute (in the caller's root
// and working directory) before it can match, which ConnectAllowlist
// does when it emulates.
func (r ConnectRule) Match(a Sockaddr) bool {
	switch a.Family {
	case afUnix:
		if r.Unix == "" || r.Abstract != a.Abstract {
			return false
		}
		if a.Abstract {
			return r.Unix == a.Path
		}
		return strings.HasPrefix(a.Path, "/") && r.Unix == path.Clean(a.Path)
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

// Errors of ConnectAllowlist, in ConnectDecision.Err.
var (
	// ErrCannotEmulate reports a connect the rules allow that the
	// supervisor cannot make as the caller would, and so refuses: a unix
	// stream socket (the server would record the supervisor as its peer
	// in SO_PEERCRED), a caller whose credentials, root or user namespace
	// the supervisor cannot take on, or a caller thread whose descriptor
	// table it cannot tell apart.
	ErrCannotEmulate = errors.New("notify: cannot connect as the caller")
	// ErrBadFD reports that the caller has no descriptor of the number
	// asked for (EBADF): what the kernel answers a call on it.
	ErrBadFD = errors.New("notify: the caller has no such descriptor")
	// ErrNotConnect reports a notification that is not a connect:
	// another system call, or socketcall with another operation.
	ErrNotConnect = errors.New("notify: not a connect")
)

// ConnectAllowlist is a Handler for connect(2) notifications: a connect
// to an address one of Allow matches is made, and every other fails with
// Errno, except AF_UNSPEC (which dissolves a socket's association and
// reaches no one).
//
// It emulates: it connects a copy of the caller's socket itself
// (pidfd_getfd on the calling thread, Linux 5.6; PIDFD_THREAD, Linux 6.9,
// for a thread with a descriptor table of its own), to the address it
// read and checked, and answers with the outcome, so that the kernel never
// reads the caller's memory again and nothing the caller changes after
// the check counts. See the package documentation for what that
// guarantees and what it does not. It decides connect on the native ABI,
// connect on the compat ABIs of this architecture (i386's 362 on
// x86_64), and socketcall(SYS_CONNECT, …) where an ABI has socketcall;
// the filter must give each of these Notify, as it must the calls that
// reach a connection another way (see the package documentation).
//
// The connect is made as the caller's would be: without blocking the
// supervisor (a caller's blocking connect is waited for with its
// SO_SNDTIMEO, and ends with EINTR when the caller has a signal to
// handle), and for unix sockets in the caller's root and working
// directory with the caller's credentials. What it cannot make as the
// caller it refuses, with ErrCannotEmulate in the decision.
type ConnectAllowlist struct {
	Allow []ConnectRule
	// Errno is the error a refused connect fails with; zero means
	// ECONNREFUSED.
	Errno syscall.Errno
	// Decided, if set, is called with each decision.
	Decided func(req *Request, d ConnectDecision)
	// ContinueAfterCheckUnsafe lets the kernel run an allowed connect
	// instead of emulating it (SECCOMP_USER_NOTIF_FLAG_CONTINUE): the
	// kernel then reads the address again, and a caller whose other
	// thread rewrites it in between connects where it likes. A guard
	// rail against mistaken programs, not a wall against hostile ones;
	// unix paths match only as the caller wrote them.
	ContinueAfterCheckUnsafe bool
}

// ConnectDecision is what ConnectAllowlist did with one connect.
type ConnectDecision struct {
	// FD is the caller's socket descriptor.
	FD int
	// Addr is the address the caller asked for; for a unix path, made
	// absolute in the caller's root and working directory when it could
	// be. Zero if it could not be read.
	Addr Sockaddr
	// Allowed reports that the rules allow Addr.
	Allowed bool
	// Err says why the call failed other than by the rules: the address
	// could not be read, the descriptor could not be taken, or the
	// supervisor cannot connect as the caller (ErrCannotEmulate). Nil
	// when the rules decided, and when the kernel's own answer to the
	// emulated connect is the response.
	Err error
	// Response is the answer the caller gets.
	Response Response
}

// Handle decides one connect.
func (c *ConnectAllowlist) Handle(ctx context.Context, req *Request) Response {
	d := c.handle(ctx, req)
	if c.Decided != nil {
		c.Decided(req, d)
	}
	return d.Response
}

func (c *ConnectAllowlist) handle(ctx context.Context, req *Request) ConnectDecision {
	refuse := Fail(syscall.ECONNREFUSED)
	if c.Errno != 0 {
		refuse = Fail(c.Errno)
	}
	d := ConnectDecision{FD: -1, Response: refuse}
	call, err := readConnectCall(req)
	if err != nil {
		d.Err = err
		return d
	}
	d.FD = call.fd
	raw, addr, err := req.readSockaddr(call.addr, call.len)
	d.Addr = addr
	switch {
	case errors.Is(err, ErrGone):
		d.Err = err
		return d
	case errors.Is(err, ErrMemory):
		// What the kernel would answer: it copies the address in first.
		d.Err, d.Response = err, Fail(syscall.EFAULT)
		return d
	case errors.Is(err, ErrSockaddr):
		d.Err, d.Response = err, Fail(syscall.EINVAL)
		return d
	case err != nil:
		d.Err = err
		return d
	}
	if c.ContinueAfterCheckUnsafe {
		if d.Allowed = addr.Family == afUnspec || c.allows(addr); d.Allowed {
			d.Response = Continue()
		}
		return d
	}
	return req.emulateConnect(ctx, c, call.fd, raw, d)
}

func (c *ConnectAllowlist) allows(a Sockaddr) bool {
	for _, r := range c.Allow {
		if r.Match(a) {
			return true
		}
	}
	return false
}

// connectCall is a connect's arguments, whichever way it was made.
type connectCall struct {
	fd        int
	addr, len uint64
}

// SYS_CONNECT is socketcall's operation number for connect
// (include/uapi/linux/net.h).
const sysConnect = 3

// readConnectCall reads the arguments of a connect: connect on the
// native or a compat ABI, or socketcall(SYS_CONNECT, args) whose three
// arguments are words of the ABI in the caller's memory. A socketcall's
// words are read once, here, and the emulated connect uses these.
func readConnectCall(req *Request) (connectCall, error) {
	abi, name := req.abiCall()
	if abi == nil {
		return connectCall{}, fmt.Errorf("%w: system call %d of arch %#x", ErrNotConnect, req.Data.Nr, req.Data.Arch)
	}
	word := func(v uint64) uint64 {
		if abi.WordSize == 4 {
			return uint64(uint32(v))
		}
		return v
	}
	switch name {
	case "connect":
		a := req.Data.Args
		return connectCall{fd: int(int32(a[0])), addr: word(a[1]), len: word(a[2])}, nil
	case "socketcall":
		if uint32(req.Data.Args[0]) != sysConnect {
			return connectCall{}, fmt.Errorf("%w: socketcall operation %d on %s", ErrNotConnect, uint32(req.Data.Args[0]), abi.Name)
		}
		b := make([]byte, 3*abi.WordSize)
		if err := req.ReadMemory(word(req.Data.Args[1]), b); err != nil {
			return connectCall{}, err
		}
		w := make([]uint64, 3)
		for i := range w {
			if abi.WordSize == 4 {
				w[i] = uint64(abi.ByteOrder().Uint32(b[4*i:]))
			} else {
				w[i] = abi.ByteOrder().Uint64(b[8*i:])
			}
		}
		return connectCall{fd: int(int32(w[0])), addr: w[1], len: w[2]}, nil
	}
	return connectCall{}, fmt.Errorf("%w: %s on %s", ErrNotConnect, name, abi.Name)
}
