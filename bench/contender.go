package main

import (
	"github.com/sysfence/seccomp/filter"
)

// A Contender turns a Policy into a program. Prepare does the work that
// is not compiling (translating the policy into the contender's own
// types) and returns the compile step, which the benchmark times, with a
// note on what of the policy the contender could not express ("" when
// nothing).
type Contender struct {
	Name    string
	Prepare func(p *Policy) (compile func() ([]filter.Instruction, error), note string, err error)
}

// contenders are measured in this order; the first is this module.
var contenders = []Contender{
	{"sysfence", prepareSysfence},
	{"compat/libseccomp", prepareCompat},
	{"libseccomp", func(p *Policy) (func() ([]filter.Instruction, error), string, error) {
		return prepareLibseccomp(p, false)
	}},
	{"libseccomp tree", func(p *Policy) (func() ([]filter.Instruction, error), string, error) {
		return prepareLibseccomp(p, true)
	}},
	{"gVisor", prepareGVisor},
	{"elastic", prepareElastic},
}
