//go:build linux

package notify

// SetInitCalled lets a test start as a binary whose main forgot Init.
func SetInitCalled(v bool) { initCalled.Store(v) }

// SetNoPIDFDThread makes GetFD act as on a kernel without PIDFD_THREAD.
func SetNoPIDFDThread(v bool) { noPIDFDThread.Store(v) }
