package tables

// Multiplexers: some ABIs reach the socket and System V IPC calls through
// one system call each, socketcall(2) and ipc(2), that takes the
// operation as its first argument. The operation numbers are the same on
// every architecture: SYS_SOCKET … SYS_SENDMMSG of include/uapi/linux/net.h
// for socketcall, SEMOP … SHMCTL of include/uapi/linux/ipc.h for ipc. An
// ABI has a multiplexer when its table has the call, so a table added
// later gets them without a change here.

// Multiplexed is a system call as an ABI also reaches it through a
// multiplexer: socketcall(Op, args) or ipc(Op, …).
type Multiplexed struct {
	// Via is the multiplexer's name, "socketcall" or "ipc".
	Via string
	// Nr is the multiplexer's number on the ABI.
	Nr uint32
	// Op is the operation: socketcall's call (SYS_SOCKET is 1), or
	// ipc's call less its version, which the kernel keeps in the high
	// 16 bits (ipc/syscall.c: version = call >> 16; call &= 0xffff).
	// Both parameters are C ints, so the kernel reads the low 32 bits of
	// the register only.
	Op uint32
	// Args gives, for each argument of the call (in the order of its C
	// prototype), the index of the multiplexer's argument that carries
	// it in a register, or -1 when the kernel reads it from memory
	// (socketcall's arguments are an array in user memory, behind its
	// second argument) or changes it on the way (ipc strips IPC_64 from
	// the commands of semctl, msgctl and shmctl). Indexes past the
	// call's arity are -1 too.
	Args [6]int8
}

// OpMask is the part of ipc's first argument that holds the operation;
// the bits above hold the version (include/uapi/linux/ipc.h, IPCCALL).
// socketcall compares its whole first argument.
const OpMask = 0xffff

// muxOp is one operation of a multiplexer.
type muxOp struct {
	name string
	op   uint32
	args [6]int8
}

// memory marks every argument as read from memory.
var memory = [6]int8{-1, -1, -1, -1, -1, -1}

// socketcallOps are the operations of socketcall, SYS_SOCKET to
// SYS_SENDMMSG (include/uapi/linux/net.h). net/socket.c copies the
// arguments from the array its second argument points to.
var socketcallOps = []muxOp{
	{"socket", 1, memory}, {"bind", 2, memory}, {"connect", 3, memory},
	{"listen", 4, memory}, {"accept", 5, memory}, {"getsockname", 6, memory},
	{"getpeername", 7, memory}, {"socketpair", 8, memory}, {"send", 9, memory},
	{"recv", 10, memory}, {"sendto", 11, memory}, {"recvfrom", 12, memory},
	{"shutdown", 13, memory}, {"setsockopt", 14, memory}, {"getsockopt", 15, memory},
	{"sendmsg", 16, memory}, {"recvmsg", 17, memory}, {"accept4", 18, memory},
	{"recvmmsg", 19, memory}, {"sendmmsg", 20, memory},
}

// ipcOps are the operations of ipc (include/uapi/linux/ipc.h), with
// where ksys_ipc in ipc/syscall.c (and compat_ksys_ipc, the same for
// 32-bit callers) finds each argument: ipc(call, first, second, third,
// ptr, fifth) is seccomp's args[0..5].
//
//   - semctl's arg is read from memory at ptr; msgrcv's msgp and msgtyp
//     are read from memory (struct ipc_kludge) when the version is 0 and
//     taken from ptr and fifth otherwise, so they count as memory.
//   - The cmd of semctl, msgctl and shmctl goes through
//     ipc_parse_version, which on most ABIs strips IPC_64 (0x100): a
//     condition on the register would not be a condition on the command.
var ipcOps = []muxOp{
	{"semop", 1, [6]int8{1, 4, 2, -1, -1, -1}},
	{"semget", 2, [6]int8{1, 2, 3, -1, -1, -1}},
	{"semctl", 3, [6]int8{1, 2, -1, -1, -1, -1}},
	{"semtimedop", 4, [6]int8{1, 4, 2, 5, -1, -1}},
	{"msgsnd", 11, [6]int8{1, 4, 2, 3, -1, -1}},
	{"msgrcv", 12, [6]int8{1, -1, 2, -1, 3, -1}},
	{"msgget", 13, [6]int8{1, 2, -1, -1, -1, -1}},
	{"msgctl", 14, [6]int8{1, -1, 4, -1, -1, -1}},
	{"shmat", 21, [6]int8{1, 4, 2, -1, -1, -1}},
	{"shmdt", 22, [6]int8{4, -1, -1, -1, -1, -1}},
	{"shmget", 23, [6]int8{1, 2, 3, -1, -1, -1}},
	{"shmctl", 24, [6]int8{1, -1, 4, -1, -1, -1}},
}

// multiplexers pairs each multiplexer with its operations.
var multiplexers = []struct {
	name string
	ops  []muxOp
}{{"socketcall", socketcallOps}, {"ipc", ipcOps}}

// Multiplexed reports whether the ABI also reaches the named system call
// (its own name, not an alias) through a multiplexer, and how. The call
// need not be in the ABI's table: on i386, accept, send, recv, semop and
// semtimedop exist only through socketcall and ipc.
func (a *ABI) Multiplexed(name string) (Multiplexed, bool) {
	for _, m := range multiplexers {
		for _, op := range m.ops {
			if op.name != name {
				continue
			}
			nr, ok := a.Number(m.name)
			if !ok {
				return Multiplexed{}, false
			}
			return Multiplexed{Via: m.name, Nr: nr, Op: op.op, Args: op.args}, true
		}
	}
	return Multiplexed{}, false
}

// MultiplexedName returns the system call that operation op of the
// multiplexer via ("socketcall" or "ipc") performs.
func MultiplexedName(via string, op uint32) (string, bool) {
	for _, m := range multiplexers {
		if m.name != via {
			continue
		}
		for _, o := range m.ops {
			if o.op == op {
				return o.name, true
			}
		}
	}
	return "", false
}

// Multiplexers returns the names of the ABI's multiplexers that its
// table has: "socketcall", "ipc", both or neither.
func (a *ABI) Multiplexers() []string {
	var out []string
	for _, m := range multiplexers {
		if _, ok := a.Number(m.name); ok {
			out = append(out, m.name)
		}
	}
	return out
}
