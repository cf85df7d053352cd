package filter

import "testing"

// TestPrecedes checks the kernel's order of precedence between actions
// (seccomp(2), "the return value with the highest precedence").
func TestPrecedes(t *testing.T) {
	order := []Action{KillProcess, KillThread, Trap | 7, Errno(1), Notify, Trace(3), Log, Allow}
	for i, a := range order {
		for j, b := range order {
			if got := a.Precedes(b); got != (i < j) {
				t.Errorf("%v.Precedes(%v) = %v", a, b, got)
			}
		}
	}
	if Errno(1).Precedes(Errno(2)) || Errno(2).Precedes(Errno(1)) {
		t.Error("two errnos precede each other")
	}
}
