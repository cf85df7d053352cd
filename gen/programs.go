package main

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// builtinProgram is a built-in policy compiled for one ABI.
type builtinProgram struct {
	name  string
	insns []filter.Instruction
}

// lookupCompiled finds an ABI in the tables gen was compiled with.
func lookupCompiled(name string) (*tables.ABI, bool) {
	return tables.Lookup(name)
}

// compileBuiltins compiles every built-in policy of package seccomp for abi.
func compileBuiltins(abi *tables.ABI) ([]builtinProgram, error) {
	return nil, nil
}

// renderInstructions renders a program as a []filter.Instruction literal,
// one instruction a line.
func renderInstructions(p builtinProgram) *jen.Statement {
	return jen.Index().Qual(filterPath, "Instruction").CustomFunc(multi, func(g *jen.Group) {
		for _, in := range p.insns {
			g.Values(jen.Op(hex(uint32(in.Code))), jen.Lit(int(in.Jt)), jen.Lit(int(in.Jf)), jen.Op(hex(in.K)))
		}
	})
}

func hex(v uint32) string { return fmt.Sprintf("%#x", v) }
