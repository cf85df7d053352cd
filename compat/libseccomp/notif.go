package seccomp

// NotifRespFlagContinue lets the notified call run
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE); see package notify's documentation
// on what it cannot protect against.
const NotifRespFlagContinue uint32 = 1

// ScmpNotifData is what the filter saw of a notified call.
type ScmpNotifData struct {
	// Syscall is the number, as the calling architecture numbers it.
	Syscall ScmpSyscall `json:"syscall,omitempty"`
	// Arch is the calling architecture.
	Arch ScmpArch `json:"arch,omitempty"`
	// InstrPointer is the address of the system-call instruction.
	InstrPointer uint64 `json:"instr_pointer,omitempty"`
	// Args are the six arguments, raw.
	Args []uint64 `json:"args,omitempty"`
}

// ScmpNotifReq is a notification (struct seccomp_notif).
type ScmpNotifReq struct {
	// ID names the notification in NotifRespond and NotifIDValid.
	ID uint64 `json:"id,omitempty"`
	// Pid is the caller's thread ID in the listener's PID namespace.
	Pid uint32 `json:"pid,omitempty"`
	// Flags is zero in every kernel so far.
	Flags uint32 `json:"flags,omitempty"`
	// Data is the call.
	Data ScmpNotifData `json:"data,omitempty"`
}

// ScmpNotifResp is the answer to a notification (struct
// seccomp_notif_resp): the call fails with Error when it is not zero,
// else returns Val; with NotifRespFlagContinue in Flags (and Error and
// Val zero) it runs.
type ScmpNotifResp struct {
	// ID is the notification's.
	ID uint64 `json:"id,omitempty"`
	// Error is a positive error number, or 0.
	Error int32 `json:"error,omitempty"`
	// Val is the return value when Error is 0.
	Val uint64 `json:"val,omitempty"`
	// Flags is 0 or NotifRespFlagContinue.
	Flags uint32 `json:"flags,omitempty"`
}
