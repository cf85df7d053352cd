package seccomp

import "github.com/sysfence/seccomp/filter"

// precompiledProgram is a built-in policy compiled by go generate for the
// native ABI of one GOARCH. The generated zsyscalls_linux_<goarch>.go holds
// the list as constant data, so handing one out costs no compilation.
type precompiledProgram struct {
	name  string
	insns []filter.Instruction
}
