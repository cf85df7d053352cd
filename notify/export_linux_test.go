//go:build linux

package notify

// SetInitCalled lets a test start as a binary whose main forgot Init.
func SetInitCalled(v bool) { initCalled.Store(v) }
