// Package notify supervises system calls that a seccomp filter gives
// SECCOMP_RET_USER_NOTIF (seccomp.Notify): a supervisor process receives
// each such call from a listener, looks at it, and answers: a return
// value, an error, "run it" (Continue), or a file descriptor installed in
// the caller (ReturnFD). The kernel interface is seccomp_unotify(2) and
// Documentation/userspace-api/seccomp_filter.rst; the structures and
// ioctls are those of include/uapi/linux/seccomp.h. Like the root
// package, it imports the standard library only, and on other operating
// systems every call fails with an error wrapping errors.ErrUnsupported.
//
// # The model
//
// A filter installed with seccomp.FlagNewListener yields a Listener. The
// filter must be installed in the process to supervise, and the listener
// used in another: Start does both for a command, by running this binary
// again as a helper (Init, called first in main, is that helper; Start
// fails without it) which installs the filter, sends the listener back
// over a socket and executes the command. Serve (or ServeEach, one
// goroutine per call) then receives notifications and answers each with
// a Handler until the context is cancelled or every filtered task has
// exited. A connect allowlist that a hostile command cannot walk around
// (see "What ConnectAllowlist guarantees"):
//
//	func main() {
//		notify.Init() // the helper half of Start; returns at once otherwise
//		…
//		rule, err := notify.ParseConnectRule("127.0.0.1:8080")
//		// connect notified, the other ways into a connection refused.
//		prog, err := (&seccomp.Policy{Default: seccomp.Allow, Rules: notify.ConnectRules()}).Compile()
//		err = notify.CheckConnectRoutes(prog) // nil: no way around
//		cmd := exec.Command("curl", "http://127.0.0.1:8080/")
//		l, err := notify.Start(ctx, cmd, prog)
//		defer l.Close()
//		// Emulates: connects a copy of curl's socket to the address it
//		// checked, as curl would.
//		go l.ServeEach(ctx, &notify.ConnectAllowlist{Allow: []notify.ConnectRule{rule}})
//		err = cmd.Wait()
//	}
//
// A Notification carries seccomp_data as the filter saw it: number and
// AUDIT_ARCH_* of the calling ABI, instruction pointer and arguments. A
// filter whose Default is Notify and the ContinueAll handler, wrapped in
// Logged, record every call a program makes without changing what it
// does. Mux dispatches by system-call name, LogExec logs execve and
// execveat, ConnectAllowlist filters connect by address.
//
// # What Continue cannot protect against
//
// Arguments that are pointers (a path, a sockaddr, an argv) point into
// the caller's memory. The supervisor reads that memory (ReadMemory,
// ReadString, ReadSockaddr, ReadExec), decides, and answers; with
// Continue the kernel then runs the call and reads the memory again. Any
// other thread of the caller, or any process sharing its memory, can
// rewrite it in between: what was checked is not what runs
// (time-of-check to time-of-use). The uapi header puts it plainly: the
// notifier cannot be used to implement a security policy with Continue.
// So:
//
//   - Decide by pointed-to data with Continue only to help a program that
//     is not hostile: to log it (learning a profile, auditing execs) or to
//     keep a mistaken program from reaching the wrong address. A
//     ConnectAllowlist or LogExec is a guard rail, not a wall.
//   - Failing a call (Fail) and answering it yourself (Return, ReturnFD)
//     are safe: the kernel never runs the call, so nothing is read again.
//     To enforce, emulate: do the work in the supervisor from what it read
//     (open the file, connect a copy of the caller's socket from
//     Request.GetFD) and hand the result back with ReturnFD or Return.
//     ConnectAllowlist does so unless ContinueAfterCheckUnsafe is set;
//     TestConnectRace shows a caller that rewrites its address reach a
//     refused port with Continue, and never when emulated.
//   - Decisions by register arguments alone (numbers, flags, descriptor
//     numbers) are not subject to the race: the kernel keeps the values
//     the filter saw.
//   - Let another mechanism hold the line (the filter's own kill and errno
//     rules, namespaces, Landlock, permissions) and use Continue only to
//     relax what it already makes safe.
//
// # What ConnectAllowlist guarantees
//
// With a filter that passes CheckConnectRoutes (ConnectRules before the
// policy's own rules, no compat ABI left to run), a ConnectAllowlist
// (which emulates unless ContinueAfterCheckUnsafe is set) guarantees, for
// connections the command opens after it starts:
//
//   - A socket is connected only to an address a rule allows, whatever
//     the command rewrites after the check (the supervisor connects a
//     copy of the caller's socket to the bytes it checked).
//   - The socket connected is the calling thread's own (its descriptor
//     table, even after unshare(CLONE_FILES)); a bad descriptor fails
//     with EBADF, as the kernel's connect would.
//   - A unix path is resolved in the caller's root and working directory
//     with the caller's credentials, and matched as the absolute path it
//     names there; an abstract name matches only a unix:@name rule.
//   - A unix stream or seqpacket connect is refused (ErrCannotEmulate):
//     made by the supervisor, it would show the server the supervisor as
//     its peer (SO_PEERCRED, SO_PEERPIDFD). Unix datagram sockets are
//     connected.
//   - A caller's blocking connect is waited for without holding up other
//     calls (with ServeEach), ends at its SO_SNDTIMEO (EINPROGRESS) or
//     with EINTR when it has a signal to handle; a cancelled ctx ends
//     every wait.
//   - It fails closed: what it cannot read, or cannot do as the caller
//     would (another user namespace; a thread whose descriptor table
//     cannot be told apart on a kernel without PIDFD_THREAD), is refused.
//
// It does not, by itself:
//
//   - see connections opened without connect: TCP Fast Open (sendto and
//     sendmsg with MSG_FASTOPEN), io_uring (IORING_OP_CONNECT), SCTP
//     (associations by sendmsg and setsockopt), socketcall on 32-bit
//     ABIs, and connect through a compat ABI the filter does not notify.
//     The filter must deny these: ConnectRules does, and
//     CheckConnectRoutes finds a program that lets any of them run;
//   - restrict datagrams: UDP sendto and sendmsg with an address reach any
//     host, and so do raw and packet sockets of a command with
//     CAP_NET_RAW;
//   - restrict inbound traffic: bind, listen and accept are not connect;
//   - pin a unix path to one socket: a rule names a path, and a command
//     that can write to its directory can point it elsewhere (to a
//     socket it may reach with its own credentials);
//   - restrict sockets the command did not connect itself: inherited
//     descriptors, descriptors received over a unix socket, an io_uring
//     with a polling thread created before the filter, or connections
//     made for it by a process outside the filter that it can control
//     (ptrace, /proc/PID/mem of a process of the same user);
//   - keep the command's Landlock domain or LSM label on the connects it
//     emulates: the kernel checks them as the supervisor's (the socket,
//     and with it the network namespace, is still the command's);
//   - protect the supervisor from a command that can reach it (ptrace,
//     /proc/PID/mem, signals, the same user): run it apart.
//
// Reading memory has a race of its own: the caller may die and its PID be
// reused. ReadMemory checks the notification's ID
// (SECCOMP_IOCTL_NOTIF_ID_VALID) after it opens /proc/PID/mem and again
// after it reads, so bytes it returns came from the caller while it was
// still stopped in the call.
//
// # Lifetimes
//
// A caller waits in its call until it is answered, it dies, or the
// listener is closed, when the kernel fails its call (and every later
// notified call) with ENOSYS. A signal interrupts a waiting call, which is
// restarted with a new notification, unless the filter was installed with
// seccomp.FlagWaitKillableRecv (Linux 5.19; Start uses it where the kernel
// has it), after which only a fatal signal does. Responses to a caller
// that is gone fail with ErrGone, which Serve ignores.
package notify
