package seccomp

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"

	sysfence "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/libseccomp"
	"github.com/sysfence/seccomp/tables"
)

var (
	errBadFilter = errors.New("filter is invalid or uninitialized")
	// errDefAction is AddRule's error for a rule whose action is the
	// filter's default action (libseccomp's EACCES).
	errDefAction = errors.New("requested action matches default action of filter")
	errInval     = syscall.EINVAL
)

// ScmpFilter is a filter being built: a default action, the
// architectures it covers, attributes and rules. Its methods may be
// called from several goroutines. A zero ScmpFilter is invalid: make
// one with NewFilter.
type ScmpFilter struct {
	lock  sync.Mutex
	valid bool

	def, badArch                ScmpAction
	nnp, tsync, log, ssb, rawRC bool
	optimize                    uint32
	arches                      []ScmpArch // resolved, native first
	rules                       []rule
	// written indexes the conditional rules as libseccomp writes them
	// for each architecture, for its EEXIST check.
	written map[writtenKey][]written
	notifFd ScmpFd
}

// writtenKey is a call on an architecture as libseccomp writes its
// rules: socketcall or ipc for the calls it multiplexes there.
type writtenKey struct {
	arch ScmpArch
	call string
}

// written is a conditional rule as libseccomp writes it.
type written struct {
	conds  []ScmpCondition
	action ScmpAction
}

// rule is one AddRule call: libseccomp applies it to the architectures
// the filter has when it is added, and to no architecture added later.
type rule struct {
	call   ScmpSyscall
	action ScmpAction
	conds  []ScmpCondition
	arches []ScmpArch
}

// NewFilter returns a filter for the native architecture whose default
// action is defaultAction, with no_new_privs and TSYNC set, bad-arch
// action kill-thread and optimisation level 1, as libseccomp's.
func NewFilter(defaultAction ScmpAction) (*ScmpFilter, error) {
	if err := defaultAction.check(); err != nil {
		return nil, err
	}
	f := &ScmpFilter{}
	if err := f.reset(defaultAction); err != nil {
		return nil, err
	}
	f.tsync = true
	return f, nil
}

func (f *ScmpFilter) reset(def ScmpAction) error {
	native, err := GetNativeArch()
	if err != nil {
		return err
	}
	// Field by field: the lock is held.
	f.valid, f.def, f.badArch = true, def, ActKillThread
	f.nnp, f.tsync, f.log, f.ssb, f.rawRC, f.optimize = true, false, false, false, false, 1
	f.arches, f.rules, f.written, f.notifFd = []ScmpArch{native}, nil, nil, -1
	return nil
}

// IsValid reports whether the filter was made by NewFilter and is
// neither released nor merged into another.
func (f *ScmpFilter) IsValid() bool {
	f.lock.Lock()
	defer f.lock.Unlock()
	return f.valid
}

// Reset empties the filter: the native architecture only, no rules,
// attributes as NewFilter sets them (TSYNC off, as libseccomp's reset
// leaves it), and defaultAction.
func (f *ScmpFilter) Reset(defaultAction ScmpAction) error {
	if err := defaultAction.check(); err != nil {
		return err
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	return f.reset(defaultAction)
}

// Release invalidates the filter. A listener Load returned stays open.
func (f *ScmpFilter) Release() {
	f.lock.Lock()
	defer f.lock.Unlock()
	f.valid = false
	f.rules, f.written = nil, nil
}

// Merge moves src's architectures and rules into f and invalidates src.
// The two must have the same attributes and no architecture in common.
func (f *ScmpFilter) Merge(src *ScmpFilter) error {
	if f == src {
		return fmt.Errorf("filters could not be merged: a filter cannot merge itself: %w", errInval)
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	src.lock.Lock()
	defer src.lock.Unlock()
	if !src.valid || !f.valid {
		return errors.New("one or more of the filter contexts is invalid or uninitialized")
	}
	if f.def != src.def || f.badArch != src.badArch || f.nnp != src.nnp || f.tsync != src.tsync ||
		f.log != src.log || f.ssb != src.ssb || f.optimize != src.optimize || f.rawRC != src.rawRC {
		return fmt.Errorf("filters could not be merged due to a mismatch in attributes or invalid filter: %w", errInval)
	}
	for _, a := range src.arches {
		if slices.Contains(f.arches, a) {
			return fmt.Errorf("filters could not be merged: both cover %s: %w", a, syscall.EEXIST)
		}
	}
	f.arches = append(f.arches, src.arches...)
	f.rules = append(f.rules, src.rules...)
	for k, w := range src.written {
		if f.written == nil {
			f.written = map[writtenKey][]written{}
		}
		f.written[k] = w
	}
	src.valid = false
	return nil
}

// IsArchPresent reports whether the filter covers arch.
func (f *ScmpFilter) IsArchPresent(arch ScmpArch) (bool, error) {
	a, err := arch.resolve()
	if err != nil {
		return false, err
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return false, errBadFilter
	}
	return slices.Contains(f.arches, a), nil
}

// AddArch makes the filter cover arch; rules added afterwards apply to
// it too, rules added before do not. Adding an architecture already
// covered does nothing. An architecture of the other byte order than
// the native one is refused with EDOM, as libseccomp refuses it, and one
// package tables has no table for with an error wrapping
// errors.ErrUnsupported.
func (f *ScmpFilter) AddArch(arch ScmpArch) error {
	a, err := arch.resolve()
	if err != nil {
		return err
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	if slices.Contains(f.arches, a) {
		return nil
	}
	native, err := GetNativeArch()
	if err != nil {
		return err
	}
	abi, err := a.table()
	if err != nil {
		return err
	}
	if abi.BigEndian != arches[native].abi.BigEndian {
		return fmt.Errorf("architecture %s: byte order differs from %s's: %w", a, native, syscall.EDOM)
	}
	f.arches = append(f.arches, a)
	return nil
}

// RemoveArch removes arch, with its rules, from the filter. Removing an
// architecture not covered does nothing.
func (f *ScmpFilter) RemoveArch(arch ScmpArch) error {
	a, err := arch.resolve()
	if err != nil {
		return err
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	f.arches = slices.DeleteFunc(f.arches, func(b ScmpArch) bool { return a == b })
	for i := range f.rules {
		f.rules[i].arches = slices.DeleteFunc(slices.Clone(f.rules[i].arches), func(b ScmpArch) bool { return a == b })
	}
	for k := range f.written {
		if k.arch == a {
			delete(f.written, k)
		}
	}
	return nil
}

// get reads an attribute of a valid filter.
func (f *ScmpFilter) get(read func() uint32) (uint32, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return 0, errBadFilter
	}
	return read(), nil
}

// set changes an attribute of a valid filter.
func (f *ScmpFilter) set(write func() error) error {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	return write()
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// GetDefaultAction returns the default action.
func (f *ScmpFilter) GetDefaultAction() (ScmpAction, error) {
	v, err := f.get(func() uint32 { return uint32(f.def) })
	return ScmpAction(v), err
}

// GetBadArchAction returns the action for calls through architectures
// the filter does not cover.
func (f *ScmpFilter) GetBadArchAction() (ScmpAction, error) {
	v, err := f.get(func() uint32 { return uint32(f.badArch) })
	return ScmpAction(v), err
}

// GetNoNewPrivsBit reports whether Load sets no_new_privs.
func (f *ScmpFilter) GetNoNewPrivsBit() (bool, error) {
	v, err := f.get(func() uint32 { return b2u(f.nnp) })
	return v != 0, err
}

// GetLogBit reports whether Load installs with SECCOMP_FILTER_FLAG_LOG.
func (f *ScmpFilter) GetLogBit() (bool, error) {
	v, err := f.get(func() uint32 { return b2u(f.log) })
	if err == nil {
		err = checkAPI("GetLogBit", 3, 2, 4, 0)
	}
	return v != 0 && err == nil, err
}

// GetSSB reports whether Load installs with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW.
func (f *ScmpFilter) GetSSB() (bool, error) {
	v, err := f.get(func() uint32 { return b2u(f.ssb) })
	if err == nil {
		err = checkAPI("GetSSB", 4, 2, 5, 0)
	}
	return v != 0 && err == nil, err
}

// GetOptimize returns the optimisation level (1 or 2). Programs are
// compiled the same way at either: a binary search over the numbers.
func (f *ScmpFilter) GetOptimize() (int, error) {
	v, err := f.get(func() uint32 { return f.optimize })
	if err == nil {
		err = checkAPI("GetOptimize", 4, 2, 5, 0)
	}
	return int(v), err
}

// GetRawRC reports whether errors carry the kernel's error numbers
// unchanged; this package's errors always wrap them.
func (f *ScmpFilter) GetRawRC() (bool, error) {
	v, err := f.get(func() uint32 { return b2u(f.rawRC) })
	if err == nil {
		err = checkAPI("GetRawRC", 4, 2, 5, 0)
	}
	return v != 0 && err == nil, err
}

// GetWaitKill needs libseccomp 2.6.0 and fails with a *VersionError.
func (f *ScmpFilter) GetWaitKill() (bool, error) {
	_, err := f.get(func() uint32 { return 0 })
	if err == nil {
		err = checkAPI("GetWaitKill", 7, 2, 6, 0)
	}
	return false, err
}

// SetBadArchAction sets the action for calls through architectures the
// filter does not cover.
func (f *ScmpFilter) SetBadArchAction(action ScmpAction) error {
	if err := action.check(); err != nil {
		return err
	}
	return f.set(func() error { f.badArch = action; return nil })
}

// SetNoNewPrivsBit sets whether Load sets no_new_privs; without it, Load
// needs CAP_SYS_ADMIN.
func (f *ScmpFilter) SetNoNewPrivsBit(state bool) error {
	return f.set(func() error { f.nnp = state; return nil })
}

// SetLogBit sets whether Load installs with SECCOMP_FILTER_FLAG_LOG.
func (f *ScmpFilter) SetLogBit(state bool) error {
	return f.set(func() error {
		if err := checkAPI("SetLogBit", 3, 2, 4, 0); err != nil {
			return err
		}
		f.log = state
		return nil
	})
}

// SetSSB sets whether Load installs with SECCOMP_FILTER_FLAG_SPEC_ALLOW.
func (f *ScmpFilter) SetSSB(state bool) error {
	return f.set(func() error {
		if err := checkAPI("SetSSB", 4, 2, 5, 0); err != nil {
			return err
		}
		f.ssb = state
		return nil
	})
}

// SetOptimize sets the optimisation level, 1 or 2 (EOPNOTSUPP
// otherwise, as libseccomp 2.5.4); it changes nothing in the program.
func (f *ScmpFilter) SetOptimize(level int) error {
	return f.set(func() error {
		if err := checkAPI("SetOptimize", 4, 2, 5, 0); err != nil {
			return err
		}
		if level != 1 && level != 2 {
			return fmt.Errorf("optimize level %d is not 1 or 2: %w", level, syscall.EOPNOTSUPP)
		}
		f.optimize = uint32(level)
		return nil
	})
}

// SetRawRC records the raw-return-code attribute; errors always wrap
// the kernel's error numbers.
func (f *ScmpFilter) SetRawRC(state bool) error {
	return f.set(func() error {
		if err := checkAPI("SetRawRC", 4, 2, 5, 0); err != nil {
			return err
		}
		f.rawRC = state
		return nil
	})
}

// SetWaitKill needs libseccomp 2.6.0 and fails with a *VersionError.
func (f *ScmpFilter) SetWaitKill(state bool) error {
	return f.set(func() error { return checkAPI("SetWaitKill", 7, 2, 6, 0) })
}

// SetSyscallPriority accepts a priority and ignores it: it orders
// libseccomp's decision tree, and the program here is a binary search
// whose cost does not depend on the order.
func (f *ScmpFilter) SetSyscallPriority(call ScmpSyscall, priority uint8) error {
	return f.set(func() error {
		_, err := f.callName(call)
		return err
	})
}

// Precompute needs libseccomp 2.6.0 and fails with a *VersionError.
func (f *ScmpFilter) Precompute() error {
	return f.set(func() error { return checkVersion("Precompute", 2, 6, 0) })
}

// TransactionStart needs libseccomp 2.6.0 and fails with a
// *VersionError.
func (f *ScmpFilter) TransactionStart() error {
	return f.set(func() error { return checkVersion("TransactionStart", 2, 6, 0) })
}

// TransactionCommit needs libseccomp 2.6.0 and fails with a
// *VersionError.
func (f *ScmpFilter) TransactionCommit() error {
	return f.set(func() error { return checkVersion("TransactionCommit", 2, 6, 0) })
}

// TransactionReject does nothing, as with libseccomp before 2.6.0.
func (f *ScmpFilter) TransactionReject() {}

// callName returns the name of a rule's number, "" for a number no
// table names (the rule then applies to that number on every
// architecture).
func (f *ScmpFilter) callName(call ScmpSyscall) (string, error) {
	if call < 0 {
		if name, ok := pseudoName(call); ok {
			return name, nil
		}
		return "", fmt.Errorf("syscall %d: not a system call number: %w", int32(call), errInval)
	}
	native, err := GetNativeArch()
	if err != nil {
		return "", err
	}
	if name, ok := arches[native].abi.SyscallName(uint32(call)); ok {
		return name, nil
	}
	return "", nil
}

// AddRule adds a rule giving action to every call of call, on every
// architecture the filter covers: call is a native number or a number
// from GetSyscallFromName, translated by name for each architecture.
func (f *ScmpFilter) AddRule(call ScmpSyscall, action ScmpAction) error {
	return f.addRule(call, action, false, nil)
}

// AddRuleExact is AddRule without translation: it fails where the call
// would need one (a number the native architecture lacks: EDOM; a call an
// architecture reaches through socketcall or ipc: EOPNOTSUPP).
func (f *ScmpFilter) AddRuleExact(call ScmpSyscall, action ScmpAction) error {
	return f.addRule(call, action, true, nil)
}

// AddRuleConditional adds a rule giving action to calls of call whose
// arguments satisfy every condition; at most one condition an argument.
func (f *ScmpFilter) AddRuleConditional(call ScmpSyscall, action ScmpAction, conds []ScmpCondition) error {
	return f.addRule(call, action, false, conds)
}

// AddRuleConditionalExact is AddRuleConditional without translation, as
// AddRuleExact.
func (f *ScmpFilter) AddRuleConditionalExact(call ScmpSyscall, action ScmpAction, conds []ScmpCondition) error {
	return f.addRule(call, action, true, conds)
}

func (f *ScmpFilter) addRule(call ScmpSyscall, action ScmpAction, exact bool, conds []ScmpCondition) error {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	if err := action.check(); err != nil {
		return fmt.Errorf("%w: %w", err, errInval)
	}
	if action == f.def {
		return errDefAction
	}
	name, err := f.callName(call)
	if err != nil {
		return err
	}
	var seen [6]bool
	for _, c := range conds {
		if c.Argument > 5 || c.Op < CompareNotEqual || c.Op > CompareMaskedEqual {
			return fmt.Errorf("invalid condition %+v: %w", c, errInval)
		}
		if seen[c.Argument] {
			return fmt.Errorf("two checks on same syscall argument (%d): %w", c.Argument, errInval)
		}
		seen[c.Argument] = true
	}
	if exact {
		// libseccomp's exact rules work with one architecture only.
		if len(f.arches) > 1 {
			return fmt.Errorf("an exact rule needs a filter of one architecture, not %d: %w", len(f.arches), syscall.EOPNOTSUPP)
		}
		if call < 0 {
			return fmt.Errorf("%s is not a system call of %s: %w", name, f.arches[0], syscall.EDOM)
		}
	}
	native, err := GetNativeArch()
	if err != nil {
		return err
	}
	if name == "" && slices.ContainsFunc(f.arches, func(a ScmpArch) bool { return a != native }) {
		// A number only names a call on other architectures by its
		// name on the native one.
		return fmt.Errorf("unrecognized syscall %#x: no native name to translate it to %s by: %w", int32(call), f.arches, syscall.EFAULT)
	}
	// libseccomp refuses a rule whose conditions, as it writes them for
	// an architecture, are those of an earlier rule for the same call
	// there with another action (EEXIST); a second unconditional rule
	// it ignores.
	type entry struct {
		key   writtenKey
		conds []ScmpCondition
	}
	var entries []entry
	for _, a := range f.arches {
		t, c := lowered(a, name, call, conds)
		if len(c) == 0 {
			continue
		}
		k := writtenKey{a, t}
		for _, w := range f.written[k] {
			if w.action != action && sameConds(w.conds, c) {
				return fmt.Errorf("a rule for %s on %s already gives these arguments %s: %w", t, a, w.action, syscall.EEXIST)
			}
		}
		entries = append(entries, entry{k, c})
	}
	if f.written == nil {
		f.written = map[writtenKey][]written{}
	}
	for _, e := range entries {
		f.written[e.key] = append(f.written[e.key], written{e.conds, action})
	}
	f.rules = append(f.rules, rule{call: call, action: action, conds: slices.Clone(conds), arches: slices.Clone(f.arches)})
	return nil
}

// lowered returns the call and conditions of a rule as libseccomp writes
// them for an architecture: through socketcall or ipc where it
// multiplexes the call, with the operation for a condition on the first
// argument, whose own conditions it drops.
func lowered(a ScmpArch, name string, call ScmpSyscall, conds []ScmpCondition) (string, []ScmpCondition) {
	abi := arches[a].abi
	if name == "" {
		return strconv.Itoa(int(call)), conds
	}
	m, ok := abi.Multiplexed(name)
	if !ok || !libseccompMultiplexes(a) {
		return name, conds
	}
	out := []ScmpCondition{{Argument: 0, Op: CompareEqual, Operand1: uint64(m.Op)}}
	for _, c := range conds {
		if c.Argument != 0 {
			out = append(out, c)
		}
	}
	return m.Via, out
}

// libseccompMultiplexes reports whether libseccomp 2.5.4 rewrites rules
// on socket and IPC calls for the architecture.
func libseccompMultiplexes(a ScmpArch) bool {
	switch a {
	case ArchX86, ArchS390, ArchS390X, ArchPPC, ArchPPC64, ArchPPC64LE, ArchMIPS, ArchMIPSEL:
		return true
	}
	return false
}

func sameConds(a, b []ScmpCondition) bool {
	if len(a) != len(b) {
		return false
	}
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

// specActions are the runtime-spec's names of the actions.
var specActions = map[ScmpAction]libseccomp.LinuxSeccompAction{
	ActKillThread:  libseccomp.ActKillThread,
	ActKillProcess: libseccomp.ActKillProcess,
	ActTrap:        libseccomp.ActTrap,
	ActErrno:       libseccomp.ActErrno,
	ActTrace:       libseccomp.ActTrace,
	ActAllow:       libseccomp.ActAllow,
	ActLog:         libseccomp.ActLog,
	ActNotify:      libseccomp.ActNotify,
}

var specOps = map[ScmpCompareOp]libseccomp.LinuxSeccompOperator{
	CompareNotEqual:     libseccomp.OpNotEqual,
	CompareLess:         libseccomp.OpLessThan,
	CompareLessOrEqual:  libseccomp.OpLessEqual,
	CompareEqual:        libseccomp.OpEqualTo,
	CompareGreaterEqual: libseccomp.OpGreaterEqual,
	CompareGreater:      libseccomp.OpGreaterThan,
	CompareMaskedEqual:  libseccomp.OpMaskedEqual,
}

func specAction(a ScmpAction) (libseccomp.LinuxSeccompAction, *uint) {
	k := a & 0xffff
	if k == ActErrno || k == ActTrace {
		n := uint(a >> 16)
		return specActions[k], &n
	}
	return specActions[k], nil
}

func sysfenceAction(a ScmpAction) sysfence.Action {
	switch a & 0xffff {
	case ActErrno:
		return sysfence.Errno(uint16(a >> 16))
	case ActTrace:
		return sysfence.Trace(uint16(a >> 16))
	case ActKillProcess:
		return sysfence.KillProcess
	case ActTrap:
		return sysfence.Trap
	case ActAllow:
		return sysfence.Allow
	case ActLog:
		return sysfence.Log
	case ActNotify:
		return sysfence.Notify
	}
	return sysfence.KillThread
}

// policy returns the filter as a Policy and the flags Load installs it
// with. Each architecture is translated as libseccomp keeps it, a
// database of its own: the rules added while it was covered, in the
// order added, decided by package profile as runc's filter built with
// libseccomp 2.5.4 decides them.
func (f *ScmpFilter) policy() (*sysfence.Policy, sysfence.Flags, error) {
	if len(f.arches) == 0 {
		return nil, 0, fmt.Errorf("filter covers no architecture: %w", errInval)
	}
	// Rules on socketcall and ipc are libseccomp's, written by package
	// profile: the root adds none.
	p := &sysfence.Policy{Default: sysfenceAction(f.def), Foreign: sysfenceAction(f.badArch), Unknown: sysfenceAction(f.def), Multiplexers: sysfence.MultiplexAsWritten}
	var flags sysfence.Flags
	if f.def&0xffff == ActNotify || f.badArch&0xffff == ActNotify {
		flags |= sysfence.FlagNewListener
	}
	// Architectures with the same rules (all of them, when every rule
	// was added after the last AddArch) are translated together, as
	// runc's filter is.
	members := make([][]int, len(f.arches))
	for i, r := range f.rules {
		if r.action&0xffff == ActNotify {
			flags |= sysfence.FlagNewListener
		}
		for j, a := range f.arches {
			if slices.Contains(r.arches, a) {
				members[j] = append(members[j], i)
			}
		}
	}
	done := make([]bool, len(f.arches))
	for j, a := range f.arches {
		p.ABIs = append(p.ABIs, arches[a].abi)
		if done[j] {
			continue
		}
		group := []ScmpArch{a}
		for k := j + 1; k < len(f.arches); k++ {
			if !done[k] && slices.Equal(members[j], members[k]) {
				done[k] = true
				group = append(group, f.arches[k])
			}
		}
		rules, err := f.translate(group, members[j])
		if err != nil {
			return nil, 0, err
		}
		p.Rules = append(p.Rules, rules...)
	}
	return p, flags, nil
}

// translate returns the rules of one group of architectures, rules[i]
// of the filter's rules for i in idx: through package profile, and
// rules on numbers no table names as they are.
func (f *ScmpFilter) translate(group []ScmpArch, idx []int) ([]sysfence.Rule, error) {
	var abis []*tables.ABI
	// The Policy's Default is set by policy: profile.Translate needs one
	// only to leave out rules that give it, which AddRule refuses. It
	// refuses notify, as runc does, where libseccomp takes it: then any
	// action no rule gives stands in.
	stand := f.def
	if stand&0xffff == ActNotify {
		used := map[ScmpAction]bool{}
		for _, i := range idx {
			used[f.rules[i].action] = true
		}
		for n := int16(0); used[stand] || stand&0xffff == ActNotify; n++ {
			stand = ActErrno.SetReturnCode(n)
		}
	}
	def, defRet := specAction(stand)
	s := &libseccomp.LinuxSeccomp{DefaultAction: def, DefaultErrnoRet: defRet}
	for _, a := range group {
		abis = append(abis, arches[a].abi)
		if len(abis) > 1 {
			sa, _ := libseccomp.ArchOf(arches[a].abi)
			s.Architectures = append(s.Architectures, sa)
		}
	}
	var numbered []sysfence.Rule
	for _, i := range idx {
		r := f.rules[i]
		name, err := f.callName(r.call)
		if err != nil {
			return nil, err
		}
		if name == "" {
			for _, abi := range abis {
				if abi.NrBit == 0 && uint32(r.call)&tables.X32.NrBit != 0 && abi.Audit == tables.X32.Audit {
					// x32's number: libseccomp's x86_64 filter never
					// reaches the rule, giving every such number the
					// bad-arch action, as the Policy does.
					continue
				}
				numbered = append(numbered, numberRule(r, abi))
			}
			continue
		}
		act, ret := specAction(r.action)
		sc := libseccomp.LinuxSyscall{Names: []string{name}, Action: act, ErrnoRet: ret}
		for _, c := range r.conds {
			sc.Args = append(sc.Args, libseccomp.LinuxSeccompArg{Index: c.Argument, Value: c.Operand1, ValueTwo: c.Operand2, Op: specOps[c.Op]})
		}
		s.Syscalls = append(s.Syscalls, sc)
	}
	var out []sysfence.Rule
	if len(s.Syscalls) > 0 {
		paths := make([]string, len(s.Syscalls))
		for i := range paths {
			paths[i] = fmt.Sprintf("syscalls[%d]", i)
		}
		res, err := libseccomp.Translate(s, paths, nil, &libseccomp.Options{ABI: abis[0]})
		if err != nil {
			return nil, fmt.Errorf("architectures %v: %w", group, err)
		}
		// Where libseccomp's rule on socketcall or ipc would let through
		// what the rule on the call stops, refuse, rather than build
		// that filter.
		var weaker []error
		for _, w := range res.Warnings {
			if errors.Is(w, libseccomp.ErrMultiplexed) {
				weaker = append(weaker, w)
			}
		}
		if len(weaker) > 0 {
			return nil, fmt.Errorf("architectures %v: refused, libseccomp's filter would be weaker through a multiplexer: %w", group, errors.Join(weaker...))
		}
		for _, r := range res.Policy.Rules {
			if r.ABIs == nil {
				r.ABIs = abis
			}
			out = append(out, r)
		}
	}
	return append(out, numbered...), nil
}

// numberRule is a rule on a number no table names, on one ABI.
func numberRule(r rule, abi *tables.ABI) sysfence.Rule {
	out := sysfence.Rule{Syscall: strconv.FormatUint(uint64(uint32(r.call)), 10), Action: sysfenceAction(r.action), ABIs: []*tables.ABI{abi}}
	for _, c := range r.conds {
		sc := sysfence.Cond{Arg: int(c.Argument), Value: c.Operand1}
		switch c.Op {
		case CompareNotEqual:
			sc.Op = sysfence.Ne
		case CompareLess:
			sc.Op = sysfence.Lt
		case CompareLessOrEqual:
			sc.Op = sysfence.Le
		case CompareEqual:
			sc.Op = sysfence.Eq
		case CompareGreaterEqual:
			sc.Op = sysfence.Ge
		case CompareGreater:
			sc.Op = sysfence.Gt
		case CompareMaskedEqual:
			sc.Op, sc.Mask, sc.Value = sysfence.MaskedEq, c.Operand1, c.Operand2
		}
		out.Args = append(out.Args, sc)
	}
	return out
}

// program compiles the filter.
func (f *ScmpFilter) program() (*sysfence.Program, sysfence.Flags, error) {
	p, flags, err := f.policy()
	if err != nil {
		return nil, 0, err
	}
	prog, err := p.Compile()
	if err != nil {
		return nil, 0, err
	}
	return prog, flags, nil
}

// ExportBPF writes the filter's program to file, as the kernel takes it
// (struct sock_filter, native byte order).
func (f *ScmpFilter) ExportBPF(file *os.File) error {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	prog, _, err := f.program()
	if err != nil {
		return err
	}
	_, err = prog.WriteTo(file)
	return err
}

// ExportBPFMem needs libseccomp 2.6.0 and fails with a *VersionError.
func (f *ScmpFilter) ExportBPFMem() ([]byte, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return nil, errBadFilter
	}
	return nil, checkVersion("ExportBPFMem", 2, 6, 0)
}

// ExportPFC writes the filter's program to file in the kernel's bpf_asm
// syntax, with system-call names (not libseccomp's pseudo-C).
func (f *ScmpFilter) ExportPFC(file *os.File) error {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	prog, _, err := f.program()
	if err != nil {
		return err
	}
	_, err = file.WriteString(filter.Disassemble(prog.Instructions(), prog.ABIs()...))
	return err
}

// Load compiles the filter and installs it in the calling process:
// with no_new_privs unless SetNoNewPrivsBit(false), on every thread
// (TSYNC) unless the API level is below 2, with the log and SPEC_ALLOW
// flags when set, and with a listener for GetNotifFd when a rule's
// action is ActNotify.
func (f *ScmpFilter) Load() error {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	prog, flags, err := f.program()
	if err != nil {
		return err
	}
	level, _ := getAPI()
	if f.tsync && level >= 2 {
		flags |= sysfence.FlagTSync
		if flags&sysfence.FlagNewListener != 0 {
			flags |= sysfence.FlagTSyncESRCH
		}
	}
	if f.log && level >= 3 {
		flags |= sysfence.FlagLog
	}
	if f.ssb && level >= 4 {
		flags |= sysfence.FlagSpecAllow
	}
	fd, err := load(prog, flags, f.nnp)
	if err != nil {
		return err
	}
	if fd >= 0 {
		f.notifFd = ScmpFd(fd)
	}
	return nil
}

// GetNotifFd returns the listener of the last Load, -1 before one; the
// caller closes it.
func (f *ScmpFilter) GetNotifFd() (ScmpFd, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return -1, errBadFilter
	}
	if err := notifSupported(); err != nil {
		return -1, err
	}
	return f.notifFd, nil
}

func notifSupported() error { return checkAPI("seccomp notification", 6, 2, 5, 0) }
