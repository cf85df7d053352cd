package main

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/sysfence/seccomp"
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

// compileBuiltins compiles every built-in policy of package seccomp for abi,
// the way seccomp.Builtin would compile it at run time.
func compileBuiltins(abi *tables.ABI) ([]builtinProgram, error) {
	var out []builtinProgram
	for _, name := range seccomp.BuiltinNames() {
		p, err := seccomp.BuiltinPolicy(name)
		if err != nil {
			return nil, err
		}
		p.ABIs = []*tables.ABI{abi}
		prog, err := p.Compile()
		if err != nil {
			return nil, fmt.Errorf("built-in %s for %s: %w", name, abi.Name, err)
		}
		out = append(out, builtinProgram{name, prog.Instructions()})
	}
	return out, nil
}

// renderInstructions renders a program as a []filter.Instruction literal,
// one instruction a line.
func renderInstructions(p builtinProgram) *jen.Statement {
	return jen.Index().Qual(filterPath, "Instruction").CustomFunc(multi, func(g *jen.Group) {
		for _, in := range p.insns {
			g.ValuesFunc(func(g *jen.Group) {
				g.Id("Code").Op(":").Op(hex(uint32(in.Code)))
				if in.Jt != 0 {
					g.Id("Jt").Op(":").Lit(int(in.Jt))
				}
				if in.Jf != 0 {
					g.Id("Jf").Op(":").Lit(int(in.Jf))
				}
				if in.K != 0 {
					g.Id("K").Op(":").Op(hex(in.K))
				}
			})
		}
	})
}

func hex(v uint32) string { return fmt.Sprintf("%#x", v) }
