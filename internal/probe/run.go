package probe

import (
	"os/exec"
	"runtime"
	"time"
)

// Config says how Run starts the processes that make the calls.
type Config struct {
	// Server returns a command that runs Serve on its standard input
	// and output as the program at path: the running program, or the
	// helper. The command's output must be the answers alone.
	Server func(path string) *exec.Cmd
	// Self is the path of the running program.
	Self string
	// Helper is the path of the 32-bit helper program, a build of the
	// same program for HelperGOARCH; "" when there is none, and then
	// NoHelper says why.
	Helper   string
	NoHelper string
	// Timeout bounds the wait for one answer, the start of a process
	// included; 0 means 10 seconds.
	Timeout time.Duration
}

func goarch() string { return runtime.GOARCH }
