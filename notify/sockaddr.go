package notify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Address families of include/linux/socket.h, the same on every Linux
// architecture (the syscall package's values are the host's, which differ
// on other systems).
const (
	afUnspec = 0  // AF_UNSPEC
	afUnix   = 1  // AF_UNIX
	afInet   = 2  // AF_INET
	afInet6  = 10 // AF_INET6
)

// ErrSockaddr reports a socket address that cannot be decoded.
var ErrSockaddr = errors.New("notify: bad socket address")

// Sockaddr is a socket address as a caller passes it to connect, bind or
// sendto: struct sockaddr_in, sockaddr_in6 or sockaddr_un (include/uapi/
// linux/in.h, in6.h, un.h).
type Sockaddr struct {
	// Family is the Linux address family: AF_INET (2), AF_INET6 (10),
	// AF_UNIX (1), AF_UNSPEC (0), or another, whose address is not
	// decoded.
	Family uint16
	// AddrPort is the address and port of AF_INET and AF_INET6. An
	// IPv4-mapped IPv6 address is kept as it is; compare with Unmap.
	AddrPort netip.AddrPort
	// Path is the AF_UNIX path as the caller wrote it (relative to its
	// working directory unless it starts with "/"), or, when Abstract is
	// set, the abstract name without its leading NUL. An unnamed socket
	// has "".
	Path string
	// Abstract reports an abstract AF_UNIX name (sun_path starting with
	// NUL, unix(7)), which no file of the same name can stand for.
	Abstract bool
}

func (s Sockaddr) String() string {
	switch s.Family {
	case afInet, afInet6:
		return s.AddrPort.String()
	case afUnix:
		switch {
		case s.Abstract:
			// Abstract names may hold any byte, NUL included.
			q := strconv.QuoteToGraphic(s.Path)
			return "unix:@" + q[1:len(q)-1]
		case strings.HasPrefix(s.Path, "@"):
			return "unix:./" + s.Path // a file named @…, not an abstract name
		}
		return "unix:" + s.Path
	case afUnspec:
		return "unspec"
	}
	return "family " + strconv.Itoa(int(s.Family))
}

// ParseSockaddr decodes a socket address as the kernel would read it from
// a caller of this machine's byte order: sa_family in native order, ports
// in network order.
func ParseSockaddr(b []byte) (Sockaddr, error) {
	if len(b) < 2 {
		return Sockaddr{}, fmt.Errorf("%w: %d bytes", ErrSockaddr, len(b))
	}
	s := Sockaddr{Family: binary.NativeEndian.Uint16(b)}
	switch s.Family {
	case afInet:
		if len(b) < 8 {
			return s, fmt.Errorf("%w: AF_INET in %d bytes", ErrSockaddr, len(b))
		}
		s.AddrPort = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:]))
	case afInet6:
		if len(b) < 24 {
			return s, fmt.Errorf("%w: AF_INET6 in %d bytes", ErrSockaddr, len(b))
		}
		addr := netip.AddrFrom16([16]byte(b[8:24]))
		if len(b) >= 28 {
			if scope := binary.NativeEndian.Uint32(b[24:]); scope != 0 {
				addr = addr.WithZone(strconv.Itoa(int(scope)))
			}
		}
		s.AddrPort = netip.AddrPortFrom(addr, binary.BigEndian.Uint16(b[2:]))
	case afUnix:
		path := b[2:]
		switch {
		case len(path) == 0:
		case path[0] == 0:
			s.Path, s.Abstract = string(path[1:]), true
		default:
			if i := strings.IndexByte(string(path), 0); i >= 0 {
				path = path[:i]
			}
			s.Path = string(path)
		}
	}
	return s, nil
}

// maxSockaddr is sizeof(struct sockaddr_storage), the most connect reads.
const maxSockaddr = 128

// ReadSockaddr reads the socket address of length n at addr in the
// caller's memory (connect's second and third arguments), as ReadMemory
// does.
func (r *Request) ReadSockaddr(addr, n uint64) (Sockaddr, error) {
	_, sa, err := r.readSockaddr(addr, n)
	return sa, err
}

// readSockaddr is ReadSockaddr, also returning the bytes read.
func (r *Request) readSockaddr(addr, n uint64) ([]byte, Sockaddr, error) {
	n = uint64(uint32(n)) // socklen_t
	if n > maxSockaddr {
		return nil, Sockaddr{}, fmt.Errorf("%w: length %d", ErrSockaddr, n)
	}
	b := make([]byte, n)
	if err := r.ReadMemory(addr, b); err != nil {
		return nil, Sockaddr{}, err
	}
	sa, err := ParseSockaddr(b)
	return b, sa, err
}
