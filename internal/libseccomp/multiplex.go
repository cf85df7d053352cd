package libseccomp

import (
	"fmt"
	"slices"
	"strings"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// libseccompMux reproduces what libseccomp 2.5.4 adds for a rule on a
// call that an ABI of the filter also reaches through socketcall or ipc
// (every ABI whose table has them: x86, s390x, ppc64, ppc64le, mips and
// mipsel among this module's), as its arch rule_add code does and as
// seccomp_export_pfc shows:
//
//   - a rule on the multiplexer with the call's action, the condition
//     a0 == operation in place of any condition on arg0, and the other
//     conditions unchanged, though there they compare socketcall's and
//     ipc's own arguments. The whole first argument is compared (64 bits
//     on s390x and ppc64, ipc's version included), where the kernel reads
//     the low 32 bits, and ipc's operation from the low 16 of those;
//   - on an ABI without a direct number for the call (accept on x86),
//     seccomp_export_pfc also shows a rule on libseccomp's pseudo-number
//     for it (-105), but its BPF generator leaves out every negative
//     number, so no program has it.
//
// The multiplexer's rules then merge with the profile's own rules for it
// as any two rules for one call do: an unconditional rule on socketcall
// wins over them, and two that give different actions to the same
// operation make libseccomp refuse the filter (EEXIST), which Translate
// reports as ErrOverlap. The Policy is compiled with
// seccomp.MultiplexAsWritten, so that these are its only multiplexed
// rules.
type libseccompMux struct {
	abis  []*tables.ABI // the covered ABIs with a multiplexer
	wide  bool          // one of them has 64-bit arguments
	calls []muxCall
}

// muxCall is a rule of the profile that libseccomp also puts on a
// multiplexer.
type muxCall struct {
	name string
	via  tables.Multiplexed
	as   []alt
}

func newLibseccompMux(abis []*tables.ABI) *libseccompMux {
	m := &libseccompMux{}
	for _, abi := range abis {
		if len(abi.Multiplexers()) > 0 {
			m.abis = append(m.abis, abi)
			m.wide = m.wide || abi.WordSize == 8
		}
	}
	return m
}

// add gives, through add, the multiplexer's alternatives that libseccomp
// derives from the alternatives as of the call name.
func (m *libseccompMux) add(name string, as []alt, add func(string, []alt)) {
	via, found := Multiplexed(m.abis, name)
	if !found {
		return
	}
	derived := make([]alt, len(as))
	for i, a := range as {
		derived[i] = alt{conds: MuxConds(via, a.conds), action: a.action, path: a.path, derived: true}
	}
	add(via.Via, derived)
	m.calls = append(m.calls, muxCall{name: name, via: via, as: as})
}

// warn reports, once for each call, where libseccomp's multiplexed rule
// decides otherwise than the call's own, unless an unconditional rule on
// the multiplexer decides all of it: a rule with conditions, whose
// conditions change meaning there; or an action more restrictive than
// the default, which a caller escapes by setting bits of the first
// argument that the kernel ignores (ipc's version; the high word of a
// 64-bit register).
func (m *libseccompMux) warn(alts map[string][]alt, def seccomp.Action, warn func(*PathError)) {
	seen := make(map[string]bool)
	defAct, _ := def.Resolve(nil)
	for _, c := range m.calls {
		if seen[c.name] || slices.ContainsFunc(alts[c.via.Via], func(a alt) bool { return !a.derived && len(a.conds) == 0 }) {
			continue
		}
		abis := make([]string, len(m.abis))
		for i, abi := range m.abis {
			abis[i] = abi.Name
		}
		on := strings.Join(abis, ", ")
		for _, a := range c.as {
			if len(a.conds) > 0 {
				seen[c.name] = true
				warn(PathErr(a.path, c.name, ErrMultiplexed,
					"on %s libseccomp gives %s(%d) this rule's action with its conditions on arg0 dropped and the others compared with %s's own arguments, which are not %s's; decided as libseccomp does:",
					on, c.via.Via, c.via.Op, c.via.Via, c.name))
				break
			}
			act, _ := a.action.Resolve(nil)
			if !act.Precedes(defAct) || c.via.Via == "socketcall" && !m.wide {
				continue
			}
			seen[c.name] = true
			how := fmt.Sprintf("ipc(1<<16 | %d), the same call with another version,", c.via.Op)
			if c.via.Via == "socketcall" {
				how = fmt.Sprintf("socketcall(1<<32 | %d), the same call to the kernel,", c.via.Op)
			}
			warn(PathErr(a.path, c.name, ErrMultiplexed,
				"on %s libseccomp compares the whole first argument of %s with %d, so %s gets the default action %s, not %s; decided as libseccomp does:",
				on, c.via.Via, c.via.Op, how, def, a.action))
			break
		}
	}
}
