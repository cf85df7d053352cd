package seccomp

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// MaxProgramBytes is the size of the longest program the kernel loads:
// 4096 struct sock_filter records of 8 bytes (BPF_MAXINSNS in
// include/uapi/linux/bpf_common.h).
const MaxProgramBytes = filter.MaxInstructions * filter.InstructionSize

// ReadProgram reads a program as WriteTo writes it (raw struct
// sock_filter records, what bwrap --seccomp FD reads), verifies it and
// returns it as a Program. It reads at most MaxProgramBytes+1 bytes, so a
// endless or huge r costs no more than that: a longer input is refused
// with an error wrapping filter.ErrTooLong.
//
// The byte order and the ABIs are those of the program. ReadProgram
// decodes the bytes in the native byte order, then in the other, and
// keeps the order in which the program verifies and checks for the
// AUDIT_ARCH_* value of some ABI of that order; the ABIs are the ones it
// checks for (see ABIs for how x86_64 is told from x32). abis, when
// given, say what the caller expects: they must share one byte order and
// be among the program's ABIs, or ReadProgram refuses the program with an
// error wrapping ErrInvalidPolicy that says which ABIs it covers; the
// Program then covers abis. A program that never reads seccomp_data.arch
// covers abis, or, with none given, the native ABI.
func ReadProgram(r io.Reader, abis ...*tables.ABI) (*Program, error) {
	if i := slices.Index(abis, nil); i >= 0 {
		return nil, fmt.Errorf("%w: ReadProgram: abis[%d] is nil", ErrInvalidPolicy, i)
	}
	for _, abi := range abis[min(1, len(abis)):] {
		if abi.BigEndian != abis[0].BigEndian {
			return nil, fmt.Errorf("%w: %s and %s differ in byte order", ErrInvalidPolicy, abis[0].Name, abi.Name)
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxProgramBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxProgramBytes {
		return nil, fmt.Errorf("seccomp: a program is at most %d bytes (%d instructions), and this is longer: %w", MaxProgramBytes, filter.MaxInstructions, filter.ErrTooLong)
	}

	// The orders to try, the expected one first.
	first := binary.ByteOrder(binary.LittleEndian)
	if len(abis) > 0 {
		first = abis[0].ByteOrder()
	} else if native := nativeABI(); native != nil {
		first = native.ByteOrder()
	}
	orders := []binary.ByteOrder{first, otherOrder(first)}
	type reading struct {
		order binary.ByteOrder
		insns []filter.Instruction
		abis  []*tables.ABI
		err   error
	}
	var readings []reading
	for _, order := range orders {
		insns, err := filter.Decode(b, order)
		var abis []*tables.ABI
		if err == nil {
			var vm *filter.VM
			if vm, err = filter.NewVM(insns); err == nil {
				abis = newArchCheck(insns, vm, order).detect()
			}
		}
		readings = append(readings, reading{order, insns, abis, err})
	}
	// Prefer a reading that verifies and names ABIs, then one that
	// verifies, the expected order first.
	pick := -1
	for i, rd := range readings {
		if rd.err == nil && (pick < 0 || len(rd.abis) > 0 && len(readings[pick].abis) == 0) {
			pick = i
		}
	}
	if pick < 0 {
		return nil, fmt.Errorf("%w: %w", ErrNotProgram, readings[0].err)
	}
	rd := readings[pick]
	if len(abis) > 0 && rd.order != abis[0].ByteOrder() {
		if len(rd.abis) > 0 {
			return nil, fmt.Errorf("%w: the program is for %s (%s), not %s (%s)", ErrInvalidPolicy, abiNames(rd.abis), orderName(rd.order), abis[0].Name, orderName(abis[0].ByteOrder()))
		}
		return nil, fmt.Errorf("%w: the program decodes only as %s, and %s is %s", ErrInvalidPolicy, orderName(rd.order), abis[0].Name, orderName(abis[0].ByteOrder()))
	}
	p := &Program{insns: rd.insns}
	switch {
	case !readsArch(rd.insns) && len(abis) > 0:
		p.abis = slices.Clone(abis)
	case !readsArch(rd.insns):
		native := nativeABI()
		if native == nil || native.ByteOrder() != rd.order {
			return nil, fmt.Errorf("%w: the program does not check seccomp_data.arch, so name the ABI it is for", ErrInvalidPolicy)
		}
		p.abis = []*tables.ABI{native}
	case len(rd.abis) == 0:
		return nil, fmt.Errorf("%w: the program checks seccomp_data.arch for no ABI of package tables (%v)", ErrInvalidPolicy, rd.order)
	case len(abis) > 0:
		for _, abi := range abis {
			if !slices.Contains(rd.abis, abi) {
				return nil, fmt.Errorf("%w: the program is for %s, not %s", ErrInvalidPolicy, abiNames(rd.abis), abi.Name)
			}
		}
		p.abis = slices.Clone(abis)
	default:
		p.abis = rd.abis
	}
	return p, nil
}

// orderName says "big-endian" or "little-endian".
func orderName(o binary.ByteOrder) string {
	if o == binary.ByteOrder(binary.BigEndian) {
		return "big-endian"
	}
	return "little-endian"
}

func otherOrder(o binary.ByteOrder) binary.ByteOrder {
	if o == binary.ByteOrder(binary.BigEndian) {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// ABIs returns the ABIs the program covers: those it was compiled for,
// given to NewProgram or ReadProgram, or detected by ReadProgram.
//
// A program covers an ABI when it compares seccomp_data.arch with the
// ABI's AUDIT_ARCH_* value and then decides its calls by its own rules.
// x86_64 and x32 share AUDIT_ARCH_X86_64, so for them the second half is
// what tells: a program covers one of them when some call in its table
// (x32's numbers have bit 0x40000000 set) meets another action than the
// same number from an architecture no filter knows, which is the
// program's foreign action. This package's compiler sends x32 numbers
// (0x40000000 to 0x7fffffff) of a program that covers x86_64 only to the
// foreign action, and every x86_64 number of a program that covers x32
// only.
func (p *Program) ABIs() []*tables.ABI {
	if p.abis == nil {
		if abi := nativeABI(); abi != nil {
			return []*tables.ABI{abi}
		}
		return nil
	}
	return slices.Clone(p.abis)
}

// unknownArch is an AUDIT_ARCH value that no ABI has: a call from an
// architecture the program does not know, which meets its foreign action.
const unknownArch = 0

// archCheck finds out which ABIs a verified program covers. It runs the
// program at most twice for each number of each ABI's table, whatever
// the number of candidates: the run from an unknown architecture is the
// same for every ABI, and each ABI is decided once.
type archCheck struct {
	insns   []filter.Instruction
	vm      *filter.VM
	order   binary.ByteOrder
	foreign map[uint32]filter.Action // by number, from unknownArch
	decided map[*tables.ABI]bool
}

func newArchCheck(insns []filter.Instruction, vm *filter.VM, order binary.ByteOrder) *archCheck {
	return &archCheck{insns: insns, vm: vm, order: order, foreign: make(map[uint32]filter.Action), decided: make(map[*tables.ABI]bool)}
}

func (c *archCheck) run(arch, nr uint32) filter.Action {
	return c.vm.Run(&filter.SeccompData{Nr: int32(nr), Arch: arch}, c.order).Ret
}

// decides reports whether the program gives some call of abi's table
// another action than the same number from an unknown architecture.
func (c *archCheck) decides(abi *tables.ABI) bool {
	if d, ok := c.decided[abi]; ok {
		return d
	}
	d := false
	for i := range abi.Len() {
		nr := abi.At(i).Nr
		f, ok := c.foreign[nr]
		if !ok {
			f = c.run(unknownArch, nr)
			c.foreign[nr] = f
		}
		if c.run(abi.Audit, nr) != f {
			d = true
			break
		}
	}
	c.decided[abi] = d
	return d
}

// sameAudit returns the ABIs of package tables that share abi's
// AUDIT_ARCH value (x32 for x86_64, x86_64 for x32), abi excluded.
func sameAudit(abi *tables.ABI) []*tables.ABI {
	var out []*tables.ABI
	for _, a := range tables.All() {
		if a.Audit == abi.Audit && a.Name != abi.Name {
			out = append(out, a)
		}
	}
	return out
}

// covers checks that a program that reads seccomp_data.arch covers each
// of abis, as ABIs describes. When neither of two ABIs that share an
// AUDIT_ARCH value is decided (a program that gives all their calls one
// action), either may be named.
func (c *archCheck) covers(abis []*tables.ABI) error {
	if !readsArch(c.insns) {
		return nil
	}
	for _, abi := range abis {
		if !comparesWith(c.insns, abi.Audit) {
			return fmt.Errorf("%w: the program checks seccomp_data.arch but never for %s (AUDIT_ARCH %#x); was it compiled for another ABI?", ErrInvalidPolicy, abi.Name, abi.Audit)
		}
		others := sameAudit(abi)
		if len(others) == 0 || c.decides(abi) {
			continue
		}
		var covered []string
		for _, o := range others {
			if c.decides(o) {
				covered = append(covered, o.Name)
			}
		}
		if len(covered) > 0 {
			return fmt.Errorf("%w: the program gives every %s call its foreign action; it covers %s, which shares AUDIT_ARCH %#x", ErrInvalidPolicy, abi.Name, strings.Join(covered, ", "), abi.Audit)
		}
	}
	return nil
}

// detect returns the ABIs of the check's byte order that the program
// covers, in the order of tables.All, or nil when it does not read
// seccomp_data.arch. A constant the program compares with is an ABI's
// only if the program treats that ABI's calls otherwise than an unknown
// architecture's (personality(PER_LINUX32) compares with 8, which is
// AUDIT_ARCH_MIPS); where no candidate is treated otherwise (a program
// that allows everything from everywhere), the candidates stand.
func (c *archCheck) detect() []*tables.ABI {
	if !readsArch(c.insns) {
		return nil
	}
	var candidates, decided []*tables.ABI
	for _, abi := range tables.All() {
		if abi.ByteOrder() != c.order || !comparesWith(c.insns, abi.Audit) {
			continue
		}
		if c.covers([]*tables.ABI{abi}) != nil {
			continue
		}
		if c.decides(abi) {
			decided = append(decided, abi)
		} else if abi.NrBit == 0 {
			// Of ABIs sharing an AUDIT_ARCH value that the program
			// does not tell apart, name only the one without a
			// number bit.
			candidates = append(candidates, abi)
		}
	}
	if decided != nil {
		return decided
	}
	return candidates
}
