package notify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Numbers of the routes into a connection, the same on every Linux ABI.
const (
	msgFastOpen   = 0x20000000 // MSG_FASTOPEN, include/linux/socket.h
	sockTypeMask  = 0xf        // SOCK_TYPE_MASK, include/linux/net.h
	sockStream    = 1          // SOCK_STREAM
	sockSeqpacket = 5          // SOCK_SEQPACKET
	ipprotoSCTP   = 132        // IPPROTO_SCTP, include/uapi/linux/in.h
)

// IOURingCalls are io_uring's system calls. A ring connects
// (IORING_OP_CONNECT) and sends (IORING_OP_SENDMSG with MSG_FASTOPEN)
// without connect(2), so ConnectRules refuses them.
var IOURingCalls = []string{"io_uring_setup", "io_uring_enter", "io_uring_register"}

// fastOpenArg is the flags argument of the calls that take MSG_FASTOPEN.
var fastOpenArg = map[string]int{"sendto": 3, "sendmsg": 2, "sendmmsg": 3}

// socketcallOps are socketcall's operations other than SYS_CONNECT that
// open or feed a connection (include/uapi/linux/net.h), with arguments
// in memory a filter cannot read: an SCTP socket, a send with
// MSG_FASTOPEN or to an SCTP peer, SCTP's connectx.
var socketcallOps = []struct {
	op   uint64
	name string
}{{1, "SYS_SOCKET"}, {11, "SYS_SENDTO"}, {14, "SYS_SETSOCKOPT"}, {16, "SYS_SENDMSG"}, {20, "SYS_SENDMMSG"}}

// ConnectRules returns the rules a filter needs for a ConnectAllowlist to
// see every connection the command opens, for a policy covering abis
// (none: the native ABI); put them before the policy's own. connect is
// notified, and so is socketcall(SYS_CONNECT) on the ABIs that have
// socketcall; the other ways into a connection are refused as a kernel
// without them would refuse them: TCP Fast Open (sendto, sendmsg and
// sendmmsg with MSG_FASTOPEN, which connect and send in one call) with
// EOPNOTSUPP, io_uring with ENOSYS, SCTP sockets (which associate by
// sendmsg and setsockopt) with EPROTONOSUPPORT. What they cannot refuse
// (socketcall's other operations, whose arguments lie in memory, and
// the calls of ABIs the policy does not cover) CheckConnectRoutes finds.
func ConnectRules(abis ...*tables.ABI) []seccomp.Rule {
	if len(abis) == 0 {
		if abi, err := seccomp.NativeABI(); err == nil {
			abis = []*tables.ABI{abi}
		}
	}
	rules := seccomp.RulesFor(seccomp.Notify, "connect")
	var withSocketcall []*tables.ABI
	for _, abi := range abis {
		if _, ok := abi.Number("socketcall"); ok {
			withSocketcall = append(withSocketcall, abi)
		}
	}
	// A policy that derives multiplexed rules (seccomp.MultiplexDerive)
	// gives socketcall(SYS_CONNECT) connect's Notify already; one that
	// takes rules as written (a translated profile) needs this one.
	if len(withSocketcall) > 0 {
		rules = append(rules, seccomp.Rule{Syscall: "socketcall", Action: seccomp.Notify, ABIs: withSocketcall,
			Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: sysConnect, Width: 32}}})
	}
	for _, name := range []string{"sendto", "sendmsg", "sendmmsg"} {
		rules = append(rules, seccomp.Rule{Syscall: name, Action: seccomp.ErrnoNamed("EOPNOTSUPP"),
			Args: []seccomp.Cond{{Arg: fastOpenArg[name], Op: seccomp.MaskedEq, Mask: msgFastOpen, Value: msgFastOpen, Width: 32}}})
	}
	rules = append(rules, seccomp.RulesFor(seccomp.ErrnoNamed("ENOSYS"), IOURingCalls...)...)
	for _, domain := range []uint64{afInet, afInet6} {
		rules = append(rules,
			seccomp.Rule{Syscall: "socket", Action: seccomp.ErrnoNamed("EPROTONOSUPPORT"), Args: []seccomp.Cond{
				{Arg: 0, Op: seccomp.Eq, Value: domain, Width: 32}, {Arg: 2, Op: seccomp.Eq, Value: ipprotoSCTP, Width: 32}}},
			seccomp.Rule{Syscall: "socket", Action: seccomp.ErrnoNamed("EPROTONOSUPPORT"), Args: []seccomp.Cond{
				{Arg: 0, Op: seccomp.Eq, Value: domain, Width: 32}, {Arg: 1, Op: seccomp.MaskedEq, Mask: sockTypeMask, Value: sockSeqpacket, Width: 32}}})
	}
	return rules
}

// RouteError reports a call through which a program lets a command open
// a connection that a ConnectAllowlist does not see.
type RouteError struct {
	// ABI is the ABI of the call, covered by the program or foreign.
	ABI *tables.ABI
	// Syscall is the system call's name; Call says which of its calls
	// ("socketcall(SYS_SENDTO)", "sendto with MSG_FASTOPEN").
	Syscall, Call string
	// Action is what the program gives the call.
	Action seccomp.Action
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("notify: %s on %s gets %s: it opens connections a ConnectAllowlist does not see", e.Call, e.ABI.Name, e.Action)
}

// Runs reports whether a call given act runs in the kernel without a
// supervisor deciding it: allowed, logged, or handed to a tracer (which
// may let it run).
func Runs(act seccomp.Action, abi *tables.ABI) bool {
	ret, err := act.Resolve(abi)
	if err != nil {
		return true
	}
	k := ret.Kind()
	return k == filter.Allow || k == filter.Log || k == filter.TraceBase
}

// CheckConnectRoutes returns a *RouteError for a call through any ABI of
// this architecture, covered by prog or foreign to it, that prog lets
// open a connection without a supervisor: a connect or
// socketcall(SYS_CONNECT) that is not notified, or a route ConnectRules
// refuses, or one of socketcall's other operations that open or feed a
// connection (which a filter can only refuse whole). Nil means a
// ConnectAllowlist serving prog's listener sees every connection the
// command opens with connect.
func CheckConnectRoutes(prog *seccomp.Program) error {
	abis := seccomp.CompatABIs()
	if abi, err := seccomp.NativeABI(); err == nil {
		abis = append([]*tables.ABI{abi}, abis...)
	}
	type probe struct {
		name, what string
		args       []uint64
	}
	for _, abi := range abis {
		probes := []probe{{"connect", "connect", nil}}
		if _, ok := abi.Number("socketcall"); ok {
			probes = append(probes, probe{"socketcall", "socketcall(SYS_CONNECT)", []uint64{sysConnect}})
			for _, op := range socketcallOps {
				probes = append(probes, probe{"socketcall", "socketcall(" + op.name + ")", []uint64{op.op}})
			}
		}
		for _, name := range []string{"sendto", "sendmsg", "sendmmsg"} {
			args := make([]uint64, fastOpenArg[name]+1)
			args[fastOpenArg[name]] = msgFastOpen
			probes = append(probes, probe{name, name + " with MSG_FASTOPEN", args})
		}
		for _, name := range IOURingCalls {
			probes = append(probes, probe{name, name, nil})
		}
		probes = append(probes,
			probe{"socket", "socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)", []uint64{afInet, sockStream, ipprotoSCTP}},
			probe{"socket", "socket(AF_INET6, SOCK_SEQPACKET, 0)", []uint64{afInet6, sockSeqpacket, 0}})
		slices.SortStableFunc(probes, func(a, b probe) int { return strings.Compare(a.what, b.what) })
		for _, pr := range probes {
			if _, ok := abi.Number(pr.name); !ok {
				continue
			}
			act, err := prog.Evaluate(abi, pr.name, pr.args...)
			if err != nil {
				return err
			}
			notified := act == seccomp.Notify && (pr.name == "connect" || pr.what == "socketcall(SYS_CONNECT)")
			if notified || !Runs(act, abi) && act != seccomp.Notify {
				continue
			}
			return &RouteError{ABI: abi, Syscall: pr.name, Call: pr.what, Action: act}
		}
	}
	return nil
}
