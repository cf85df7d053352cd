//go:build linux

package filter

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// The tests in this file compare Verify and Run with the running kernel.
// A filter can only be tried by installing it, so each program goes to a
// child process: the test binary re-executed by testenv to run the
// scenario kernelScenario, which installs the program on one locked OS
// thread (without TSYNC, so that the Go runtime's other threads stay
// unfiltered), makes the requested system calls on that thread, and
// reports through atomics to the main goroutine, which returns the outcome
// for testenv to print. The filtered thread makes no system call it was
// not asked to make: after its calls it spins until the process exits (the
// child runs with async preemption and the garbage collector off, so
// nothing interrupts it).

func TestMain(m *testing.M) {
	testenv.Main(m, map[string]testenv.Scenario{kernelScenarioName: kernelScenario})
}

const (
	kernelScenarioName = "kernel"
	kernelEnv          = "SYSFENCE_FILTER_TEST_KERNEL" // kernelInput as JSON
)

// kernelInput is what the child is asked to do.
type kernelInput struct {
	Prog  string       // the program, Encode'd in native order, in hex
	Calls []kernelCall // made in order under the filter
}

// kernelCall is a system call to make under the filter.
type kernelCall struct {
	Nr   int32
	Args [6]uint64
}

// kernelOutcome is what the child reports.
type kernelOutcome struct {
	Install syscall.Errno   // the error of seccomp(SECCOMP_SET_MODE_FILTER)
	Errnos  []syscall.Errno // the error of each call made
	Killed  bool            // the thread died in call len(Errnos)
}

// kernelScenario is the child process of the tests that compare with the
// kernel.
func kernelScenario() (any, error) {
	var in kernelInput
	if err := json.Unmarshal([]byte(os.Getenv(kernelEnv)), &in); err != nil {
		return nil, fmt.Errorf("%s: %w", kernelEnv, err)
	}
	b, err := hex.DecodeString(in.Prog)
	if err != nil {
		return nil, err
	}
	var prog []Instruction
	if len(b) > 0 {
		if prog, err = Decode(b, binary.NativeEndian); err != nil {
			return nil, err
		}
	}
	calls := in.Calls
	debug.SetGCPercent(-1)
	runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	var (
		tid       atomic.Int32 // of the filtered thread
		installed atomic.Int32 // errno+1 once seccomp returned
		made      atomic.Int32 // calls made
		finished  atomic.Bool
		errnos    = make([]syscall.Errno, len(calls))
	)
	go func() {
		runtime.LockOSThread() // for good: the thread carries the filter
		tid.Store(int32(unix.Gettid()))
		_, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0)
		if e == 0 {
			e = kernelInstall(prog)
		}
		installed.Store(int32(e) + 1)
		if e == 0 {
			for i, c := range calls {
				a := c.Args
				_, _, errnos[i] = unix.RawSyscall6(uintptr(uint32(c.Nr)),
					uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
				made.Store(int32(i + 1))
			}
		}
		finished.Store(true)
		for {
		}
	}()
	// A call that returns 0 (SECCOMP_RET_KILL_THREAD, which a division by
	// X = 0 makes) kills the filtered thread.
	killed := false
	for start := time.Now(); !finished.Load() && !killed; time.Sleep(20 * time.Microsecond) {
		if t := tid.Load(); t != 0 {
			killed = threadDead(t) && !finished.Load()
		}
		if time.Since(start) > time.Minute {
			return nil, errors.New("the filtered thread is stuck")
		}
	}
	return kernelOutcome{
		Install: syscall.Errno(installed.Load() - 1),
		Errnos:  errnos[:made.Load()],
		Killed:  killed,
	}, nil
}

// threadDead reports whether thread tid of this process has exited: it is
// gone from /proc/self/task, or a zombie there (the thread-group leader
// stays one until the process exits).
func threadDead(tid int32) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X'
}

// kernelInstall installs prog on the calling thread.
func kernelInstall(prog []Instruction) syscall.Errno {
	filters := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filters[i] = unix.SockFilter{Code: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(prog))}
	if len(filters) > 0 {
		fprog.Filter = &filters[0]
	}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filters)
	return e
}

// kernelRun runs prog and calls in a child process.
func kernelRun(t *testing.T, prog []Instruction, calls []kernelCall) kernelOutcome {
	t.Helper()
	in, err := json.Marshal(kernelInput{Prog: hex.EncodeToString(Encode(prog, binary.NativeEndian)), Calls: calls})
	if err != nil {
		t.Fatal(err)
	}
	var o kernelOutcome
	testenv.Run(t, testenv.Self(t), kernelScenarioName, kernelEnv+"="+string(in), "GODEBUG=asyncpreemptoff=1").Decode(t, &o)
	return o
}

// kernelOrSkip stops the test unless the kernel installs a trivial filter.
func kernelOrSkip(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no child processes")
	}
	o := kernelRun(t, []Instruction{insRet(uint32(Allow))}, nil)
	testenv.Require(t, o.Install == 0, fmt.Sprintf("needs a kernel that installs seccomp filters: seccomp(2) says %v", o.Install))
}

// kernelVerifyCorpus returns the programs of the Verify tests, random
// programs and random mutations of valid ones.
func kernelVerifyCorpus() [][]Instruction {
	progs := [][]Instruction{verifyAllOpcodes, simAllowList, disasmTwoArches, statsProgram}
	for _, tt := range verifyRejects {
		progs = append(progs, tt.prog)
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 150 {
		progs = append(progs, randProgram(r, 24))
	}
	for range 150 {
		prog := randValidProgram(r, 24)
		pc := r.IntN(len(prog))
		switch r.IntN(4) {
		case 0:
			prog[pc].Code = uint16(r.IntN(256))
		case 1:
			prog[pc].K = []uint32{0, 16, 32, 63, 64, randK(r), skfADOff + 4*uint32(r.IntN(20))}[r.IntN(7)]
		case 2:
			prog[pc].Jt = uint8(r.IntN(len(prog) - pc + 1))
		default:
			prog[pc].Jf = uint8(r.IntN(len(prog) - pc + 1))
		}
		progs = append(progs, prog)
	}
	return progs
}

func TestVerifyAgreesWithKernel(t *testing.T) {
	kernelOrSkip(t)
	accepted := 0
	for i, prog := range kernelVerifyCorpus() {
		err := Verify(prog)
		if err == nil {
			accepted++
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			o := kernelRun(t, prog, nil)
			switch {
			case err == nil && o.Install != 0:
				t.Errorf("Verify accepts, the kernel refuses: %v\n%s", o.Install, Disassemble(prog))
			case err != nil && o.Install != unix.EINVAL:
				t.Errorf("Verify refuses (%v), the kernel says %v\n%s", err, o.Install, Disassemble(prog))
			}
		})
	}
	t.Logf("%d programs accepted", accepted)
}

// kernelVariant returns prog with every return replaced by one of
// SECCOMP_RET_ERRNO with the 11 bits of the original value at bit 11*part,
// so that the system call's error reports them and never runs. (Go takes
// a return of -4095 for a success, so errors use 11 bits, not 12.) Jumps
// are relinked around the instructions "ret a" grows into.
func kernelVariant(prog []Instruction, part int) []Instruction {
	shift := uint32(kernelPartBits * part)
	pos := make([]int, len(prog)+1)
	for pc, ins := range prog {
		pos[pc+1] = pos[pc] + 1
		if ins.Code == BPF_RET|BPF_A {
			pos[pc+1] += 3
		}
	}
	var out []Instruction
	for pc, ins := range prog {
		next := pos[pc] + 1
		switch {
		case ins.Code == BPF_RET|BPF_K:
			ins.K = uint32(ErrnoBase) | ins.K>>shift&kernelPartMask
		case ins.Code == BPF_RET|BPF_A:
			out = append(out,
				Stmt(BPF_ALU|BPF_RSH|BPF_K, shift),
				Stmt(BPF_ALU|BPF_AND|BPF_K, kernelPartMask),
				Stmt(BPF_ALU|BPF_OR|BPF_K, uint32(ErrnoBase)))
		case ins.Code == BPF_JMP|BPF_JA:
			ins.K = uint32(pos[pc+1+int(ins.K)] - next)
		case ins.IsJump():
			ins.Jt = uint8(pos[pc+1+int(ins.Jt)] - next)
			ins.Jf = uint8(pos[pc+1+int(ins.Jf)] - next)
		}
		out = append(out, ins)
	}
	return out
}

// kernelRunCorpus returns valid programs that do not read the instruction
// pointer, which the test cannot know.
func kernelRunCorpus() [][]Instruction {
	progs := [][]Instruction{simAllowList, simArgCheck, verifyAllOpcodes, disasmTwoArches, statsProgram}
	r := rand.New(rand.NewPCG(11, 12))
	for len(progs) < 200 {
		prog := randValidProgram(r, 40)
		if !slices.ContainsFunc(prog, func(ins Instruction) bool {
			return ins.Code == BPF_LD|BPF_W|BPF_ABS && (ins.K == OffsetIP || ins.K == OffsetIP+4)
		}) {
			progs = append(progs, prog)
		}
	}
	return progs
}

func TestRunAgreesWithKernel(t *testing.T) {
	kernelOrSkip(t)
	var native *tables.ABI
	for _, abi := range tables.All() {
		if slices.Contains(abi.GOARCH, runtime.GOARCH) {
			native = abi
		}
	}
	if native == nil {
		t.Skipf("no ABI is native to GOARCH %s", runtime.GOARCH)
	}
	r := rand.New(rand.NewPCG(13, 14))
	for i, prog := range kernelRunCorpus() {
		calls := make([]kernelCall, 16)
		for j := range calls {
			d := randData(r, prog)
			calls[j] = kernelCall{Nr: d.Nr, Args: d.Args}
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			kernelCompareRun(t, prog, native, calls)
		})
	}
}

// kernelCompareRun runs prog on calls in the kernel and in Run, and fails
// t where they differ.
func kernelCompareRun(t *testing.T, prog []Instruction, native *tables.ABI, calls []kernelCall) {
	got := make([]uint32, len(calls))
	for part := range 3 {
		variant := kernelVariant(prog, part)
		if err := Verify(variant); err != nil {
			t.Fatalf("variant %d: %v\n%s", part, err, Disassemble(variant))
		}
		for done := 0; done < len(calls); {
			o := kernelRun(t, variant, calls[done:])
			if o.Install != 0 {
				t.Fatalf("the kernel refuses variant %d: %v\n%s", part, o.Install, Disassemble(variant))
			}
			for _, e := range o.Errnos {
				got[done] |= uint32(e) << (kernelPartBits * part)
				done++
			}
			if o.Killed {
				got[done] = killedByDivision
				done++
			}
		}
	}
	for j, c := range calls {
		data := SeccompData{Nr: c.Nr, Arch: native.Audit, Args: c.Args}
		in := interpreter{prog: prog, data: data.words(binary.NativeEndian)}
		res := in.run()
		want := uint32(res.Ret)
		if last := prog[in.pc-1]; last.Code == BPF_ALU|BPF_DIV|BPF_X && in.x == 0 && res.Ret == KillThread {
			want = killedByDivision
		}
		if got[j] != want {
			t.Errorf("call %+v: the kernel returns %#x, Run %#x\n%s", c, got[j], want, Disassemble(prog))
		}
	}
}

// The return value travels in 3 parts of 11 bits.
const (
	kernelPartBits = 11
	kernelPartMask = 1<<kernelPartBits - 1
)

// killedByDivision stands for a call whose filter returned 0 by dividing by
// X = 0: the variants cannot turn that return into an error, and the
// kernel kills the thread.
const killedByDivision = 0xdead0000
