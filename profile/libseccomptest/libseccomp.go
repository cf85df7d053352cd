//go:build libseccomp && cgo && linux

package libseccomptest

/*
#cgo pkg-config: libseccomp
#include <errno.h>
#include <stdlib.h>
#include <seccomp.h>

static int rule_add(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n, struct scmp_arg_cmp *cmps) {
	return seccomp_rule_add_array(ctx, action, nr, n, cmps);
}
static int rule_add_exact(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n, struct scmp_arg_cmp *cmps) {
	return seccomp_rule_add_exact_array(ctx, action, nr, n, cmps);
}
static uint32_t act_errno(uint16_t n) { return SCMP_ACT_ERRNO(n); }
static uint32_t act_trace(uint16_t n) { return SCMP_ACT_TRACE(n); }
static int nr_error(void) { return __NR_SCMP_ERROR; }
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
)

// Version returns libseccomp's version, as "2.5.4".
func Version() string {
	v := C.seccomp_version()
	return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.micro)
}

// Knows reports whether libseccomp's table for the architecture (a
// token from Arch) has a system call numbered nr, and under which name.
func Knows(arch uint32, nr uint32) (string, bool) {
	cs := C.seccomp_syscall_resolve_num_arch(C.uint32_t(arch), C.int(int32(nr)))
	if cs == nil {
		return "", false
	}
	defer C.free(unsafe.Pointer(cs))
	return C.GoString(cs), true
}

// Program is what libseccomp made of a profile.
type Program struct {
	Insns []filter.Instruction
	// Ignored are the names libseccomp does not know: runc leaves them
	// out of the filter (it logs them at debug level).
	Ignored []string
	// Skipped counts the rules runc leaves out because their action is
	// the default action (libseccomp refuses them).
	Skipped int
}

// Arch returns libseccomp's token for an OCI architecture
// ("SCMP_ARCH_X86_64"), as libseccomp-golang's GetArchFromString does.
func Arch(a specs.Arch) (uint32, error) {
	name := strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_"))
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	tok := uint32(C.seccomp_arch_resolve_name(cs))
	if tok == 0 {
		return 0, fmt.Errorf("libseccomp does not know architecture %s", a)
	}
	return tok, nil
}

// Action returns libseccomp's value for an OCI action, as runc's
// getAction: KILL is KILL_THREAD, ERRNO and TRACE take errnoRet or EPERM.
func Action(a specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	data := uint16(syscall.EPERM)
	if errnoRet != nil {
		data = uint16(*errnoRet)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return uint32(filter.KillThread), nil
	case specs.ActKillProcess:
		return uint32(filter.KillProcess), nil
	case specs.ActTrap:
		return uint32(filter.Trap), nil
	case specs.ActErrno:
		return uint32(C.act_errno(C.uint16_t(data))), nil
	case specs.ActTrace:
		return uint32(C.act_trace(C.uint16_t(data))), nil
	case specs.ActAllow:
		return uint32(filter.Allow), nil
	case specs.ActLog:
		return uint32(filter.Log), nil
	case specs.ActNotify:
		return uint32(filter.Notify), nil
	}
	return 0, fmt.Errorf("invalid action %q", a)
}

var ops = map[specs.LinuxSeccompOperator]C.enum_scmp_compare{
	specs.OpNotEqual:     C.SCMP_CMP_NE,
	specs.OpLessThan:     C.SCMP_CMP_LT,
	specs.OpLessEqual:    C.SCMP_CMP_LE,
	specs.OpEqualTo:      C.SCMP_CMP_EQ,
	specs.OpGreaterEqual: C.SCMP_CMP_GE,
	specs.OpGreaterThan:  C.SCMP_CMP_GT,
	specs.OpMaskedEqual:  C.SCMP_CMP_MASKED_EQ,
}

// Compile builds the filter runc would install for s, with native as
// the native architecture (which runc never removes) and s's
// architectures added, and exports it. Like runc it skips rules whose
// action is the default action and names libseccomp cannot resolve,
// and it splits a rule with two conditions on one argument into one rule
// a condition (runc's OR semantics). It does not add runc's ENOSYS stub
// (patchbpf): that is runc's, not libseccomp's.
func Compile(s *specs.LinuxSeccomp, native specs.Arch) (*Program, error) {
	def, err := Action(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	ctx := C.seccomp_init(C.uint32_t(def))
	if ctx == nil {
		return nil, errors.New("seccomp_init failed")
	}
	defer C.seccomp_release(ctx)
	nativeTok, err := Arch(native)
	if err != nil {
		return nil, err
	}
	if nativeTok != uint32(C.seccomp_arch_native()) {
		if rc := C.seccomp_arch_remove(ctx, C.SCMP_ARCH_NATIVE); rc != 0 {
			return nil, fmt.Errorf("seccomp_arch_remove(native): %v", syscall.Errno(-rc))
		}
		if rc := C.seccomp_arch_add(ctx, C.uint32_t(nativeTok)); rc != 0 {
			return nil, fmt.Errorf("seccomp_arch_add(%s): %v", native, syscall.Errno(-rc))
		}
	}
	for _, a := range s.Architectures {
		tok, err := Arch(a)
		if err != nil {
			return nil, err
		}
		if rc := C.seccomp_arch_add(ctx, C.uint32_t(tok)); rc != 0 && syscall.Errno(-rc) != syscall.EEXIST {
			return nil, fmt.Errorf("seccomp_arch_add(%s): %v", a, syscall.Errno(-rc))
		}
	}
	if len(s.Syscalls) > 32 {
		C.seccomp_attr_set(ctx, C.SCMP_FLTATR_CTL_OPTIMIZE, 2)
	}
	p := &Program{}
	ignored := map[string]bool{}
	for i, call := range s.Syscalls {
		act, err := Action(call.Action, call.ErrnoRet)
		if err != nil {
			return nil, fmt.Errorf("syscalls[%d]: %w", i, err)
		}
		if act == def {
			p.Skipped++
			continue
		}
		var conds []C.struct_scmp_arg_cmp
		var count [6]int
		for _, a := range call.Args {
			op, ok := ops[a.Op]
			if !ok || a.Index > 5 {
				return nil, fmt.Errorf("syscalls[%d]: bad argument %+v", i, a)
			}
			count[a.Index]++
			conds = append(conds, C.struct_scmp_arg_cmp{arg: C.uint(a.Index), op: op, datum_a: C.scmp_datum_t(a.Value), datum_b: C.scmp_datum_t(a.ValueTwo)})
		}
		split := false
		for _, n := range count {
			split = split || n > 1
		}
		for _, name := range call.Names {
			cs := C.CString(name)
			nr := C.seccomp_syscall_resolve_name(cs)
			C.free(unsafe.Pointer(cs))
			if nr == C.nr_error() {
				if !ignored[name] {
					ignored[name] = true
					p.Ignored = append(p.Ignored, name)
				}
				continue
			}
			add := func(c []C.struct_scmp_arg_cmp) error {
				var ptr *C.struct_scmp_arg_cmp
				if len(c) > 0 {
					ptr = (*C.struct_scmp_arg_cmp)(C.malloc(C.size_t(len(c)) * C.size_t(unsafe.Sizeof(c[0]))))
					defer C.free(unsafe.Pointer(ptr))
					copy(unsafe.Slice(ptr, len(c)), c)
				}
				if rc := C.rule_add(ctx, C.uint32_t(act), nr, C.uint(len(c)), ptr); rc != 0 {
					return fmt.Errorf("syscalls[%d] %s: seccomp_rule_add: %w", i, name, syscall.Errno(-rc))
				}
				return nil
			}
			if split {
				for _, c := range conds {
					if err := add([]C.struct_scmp_arg_cmp{c}); err != nil {
						return nil, err
					}
				}
			} else if err := add(conds); err != nil {
				return nil, err
			}
		}
	}
	insns, err := export(ctx, native)
	if err != nil {
		return nil, err
	}
	p.Insns = insns
	return p, nil
}

// export returns the program of a filter whose native architecture
// is native.
func export(ctx C.scmp_filter_ctx, native specs.Arch) ([]filter.Instruction, error) {
	f, err := os.CreateTemp("", "libseccomp-bpf")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if rc := C.seccomp_export_bpf(ctx, C.int(f.Fd())); rc != 0 {
		return nil, fmt.Errorf("seccomp_export_bpf: %v", syscall.Errno(-rc))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	// seccomp_export_bpf writes the byte order of the filter's
	// architectures, not the host's.
	order, swapped := binary.ByteOrder(binary.LittleEndian), false
	if abi, ok := profile.ABIOf(native); ok && abi != nil {
		order = abi.ByteOrder()
		swapped = abi.BigEndian != (binary.NativeEndian.Uint16([]byte{0, 1}) == 1)
	}
	insns, err := filter.Decode(raw, order)
	if err != nil {
		return nil, err
	}
	if swapped {
		// Exporting for an architecture of the other byte order,
		// libseccomp 2.5.4 leaves some return values in the host's
		// order (a cross-endian artifact: on a host of the filter's
		// order nothing is converted). A return value libseccomp
		// writes is an action whose data only errno, trace and trap
		// carry, so a value that is not one, but whose bytes reversed
		// are, was left in the host's order.
		for i := range insns {
			if k := insns[i].K; insns[i].IsReturn() && !plausible(k) && plausible(bits.ReverseBytes32(k)) {
				insns[i].K = bits.ReverseBytes32(k)
			}
		}
	}
	return insns, nil
}

// Resolve returns libseccomp's native number for a system-call name
// (seccomp_syscall_resolve_name): negative for a name the native
// architecture lacks, __NR_SCMP_ERROR for one it does not know.
func Resolve(name string) int32 {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return int32(C.seccomp_syscall_resolve_name(cs))
}

// Call is one call in a sequence Replay makes: seccomp_arch_add(Arch)
// when Arch is not zero, else a rule for Nr (seccomp_rule_add_array, or
// seccomp_rule_add_exact_array when Exact).
type Call struct {
	Arch   uint32
	Nr     int32
	Action uint32
	Exact  bool
	Args   []Cmp
}

// Cmp is struct scmp_arg_cmp: Op numbers the comparisons as
// enum scmp_compare (SCMP_CMP_NE 1 to SCMP_CMP_MASKED_EQ 7).
type Cmp struct {
	Arg  uint
	Op   int
	A, B uint64
}

// Replay makes a filter for the native architecture with default
// action def, makes the calls in order, and returns the error of each
// (nil, or the errno libseccomp returned) and the exported program.
func Replay(def uint32, calls []Call) ([]error, []filter.Instruction, error) {
	ctx := C.seccomp_init(C.uint32_t(def))
	if ctx == nil {
		return nil, nil, errors.New("seccomp_init failed")
	}
	defer C.seccomp_release(ctx)
	errs := make([]error, len(calls))
	for i, c := range calls {
		var rc C.int
		if c.Arch != 0 {
			rc = C.seccomp_arch_add(ctx, C.uint32_t(c.Arch))
		} else {
			var ptr *C.struct_scmp_arg_cmp
			if len(c.Args) > 0 {
				cmps := make([]C.struct_scmp_arg_cmp, len(c.Args))
				for j, a := range c.Args {
					cmps[j] = C.struct_scmp_arg_cmp{arg: C.uint(a.Arg), op: C.enum_scmp_compare(a.Op), datum_a: C.scmp_datum_t(a.A), datum_b: C.scmp_datum_t(a.B)}
				}
				ptr = (*C.struct_scmp_arg_cmp)(C.malloc(C.size_t(len(cmps)) * C.size_t(unsafe.Sizeof(cmps[0]))))
				copy(unsafe.Slice(ptr, len(cmps)), cmps)
			}
			if c.Exact {
				rc = C.rule_add_exact(ctx, C.uint32_t(c.Action), C.int(c.Nr), C.uint(len(c.Args)), ptr)
			} else {
				rc = C.rule_add(ctx, C.uint32_t(c.Action), C.int(c.Nr), C.uint(len(c.Args)), ptr)
			}
			C.free(unsafe.Pointer(ptr))
		}
		if rc != 0 {
			errs[i] = syscall.Errno(-rc)
		}
	}
	insns, err := export(ctx, specs.ArchX86_64)
	return errs, insns, err
}

// plausible reports whether libseccomp could have written k as a return
// value.
func plausible(k uint32) bool {
	a := filter.Action(k)
	switch a.Kind() {
	case filter.ErrnoBase:
		return a.Data() < 4096
	case filter.TraceBase, filter.Trap:
		return true
	case filter.KillProcess, filter.KillThread, filter.Notify, filter.Log, filter.Allow:
		return a.Data() == 0
	}
	return false
}
