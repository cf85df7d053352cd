package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sysfence/seccomp/filter"
)

// The kernel measurements run in a child process, one per program and
// call: it times the call without a filter, installs the program on its
// own thread, and times the call again; the ratio of the two is what the
// filter costs. The parent never installs anything.
const (
	envChild = "SYSFENCE_BENCH_CHILD" // JSON kernelSpec
)

// kernelSpec is what one child measures.
type kernelSpec struct {
	Prog string // file holding the program, as the kernel reads it; "" for none
	// Defeat installs first a filter that loads an argument, which the
	// action cache cannot skip, so that every filter runs for every call.
	Defeat bool
	Call   string // "getpid" or "personality" (personality(0xffffffff), which queries)
}

type kernelReport struct{ Before, After float64 }

// kernelCase is one column of the kernel table.
type kernelCase struct {
	label  string
	call   string
	defeat bool
}

var kernelCases = []kernelCase{
	{"getpid, cached", "getpid", false},
	{"getpid, cache defeated", "getpid", true},
	{"personality(0xffffffff), argument rule", "personality", false},
}

// defeater is "ld [16]; ret ALLOW": it reads an argument, so
// seccomp_is_const_allow never marks a call as always allowed.
var defeater = []filter.Instruction{
	filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetArgs),
	filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow)),
}

// kernelRatio runs one child and returns the filtered cost of the call
// divided by its cost without a filter.
func kernelRatio(prog []filter.Instruction, kc kernelCase) (float64, error) {
	spec := kernelSpec{Defeat: kc.defeat, Call: kc.call}
	if prog != nil {
		f, err := os.CreateTemp("", "bench-prog-")
		if err != nil {
			return 0, err
		}
		defer os.Remove(f.Name())
		if _, err := f.Write(filter.Encode(prog, binary.LittleEndian)); err != nil {
			return 0, err
		}
		f.Close()
		spec.Prog = f.Name()
	}
	js, _ := json.Marshal(spec)
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), envChild+"="+string(js))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("child: %w", err)
	}
	var rep kernelReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return 0, fmt.Errorf("child said %q: %w", out, err)
	}
	return rep.After / rep.Before, nil
}

// kernelChild is main in the child.
func kernelChild(js string) error {
	var spec kernelSpec
	if err := json.Unmarshal([]byte(js), &spec); err != nil {
		return err
	}
	runtime.LockOSThread() // the filter is installed on this thread only
	call := func() { unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0) }
	if spec.Call == "personality" {
		call = func() { unix.RawSyscall(unix.SYS_PERSONALITY, 0xffffffff, 0, 0) }
	}
	var rep kernelReport
	rep.Before = timeCall(call)
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	if spec.Defeat {
		if err := install(defeater); err != nil {
			return err
		}
	}
	if spec.Prog != "" {
		raw, err := os.ReadFile(spec.Prog)
		if err != nil {
			return err
		}
		prog, err := filter.Decode(raw, binary.LittleEndian)
		if err != nil {
			return err
		}
		if err := install(prog); err != nil {
			return err
		}
	}
	rep.After = timeCall(call)
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// install attaches prog to the calling thread (no TSYNC).
func install(prog []filter.Instruction) error {
	raw := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		raw[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(raw)), Filter: &raw[0]}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return fmt.Errorf("seccomp(SET_MODE_FILTER): %w", e)
	}
	runtime.KeepAlive(raw)
	return nil
}

// timeCall returns the least mean time of call over many short rounds,
// in ns: the minimum is what the call costs when nothing else runs.
func timeCall(call func()) float64 {
	const rounds, per = 300, 2_000
	for range per { // warm up
		call()
	}
	best := 0.0
	for range rounds {
		t := time.Now()
		for range per {
			call()
		}
		ns := float64(time.Since(t).Nanoseconds()) / per
		if best == 0 || ns < best {
			best = ns
		}
	}
	return best
}
