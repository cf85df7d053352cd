package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
)

// The generator runs in two stages, two go:generate lines in the module
// root's generate.go, each a fresh "go run" so that the second is compiled
// against the tables the first wrote:
//
//  1. tables: read the numbers, write package tables;
//  2. programs (-programs): write zsyscalls_linux_<goarch>.go, which binds
//     each GOARCH to its ABIs and holds the built-in policies compiled for
//     its native ABI by package seccomp itself.

const (
	filterPath  = "github.com/sysfence/seccomp/filter"
	seccompPath = "github.com/sysfence/seccomp"
)

// goarchFile describes the root package file of one GOARCH.
type goarchFile struct {
	goarch string
	native *target
	compat []*target
}

// goarchFiles returns one entry per GOARCH that some target is native to,
// in the order of targets.
func goarchFiles() []goarchFile {
	var out []goarchFile
	for i := range targets {
		for _, goarch := range targets[i].native {
			gf := goarchFile{goarch: goarch, native: &targets[i]}
			for j := range targets {
				if slices.Contains(targets[j].compat, goarch) {
					gf.compat = append(gf.compat, &targets[j])
				}
			}
			out = append(out, gf)
		}
	}
	return out
}

// renderPrograms renders zsyscalls_linux_<goarch>.go for every GOARCH.
// command is what the files' headers say wrote them.
func renderPrograms(command string) ([]genFile, error) {
	var files []genFile
	for _, gf := range goarchFiles() {
		abi, ok := lookupCompiled(gf.native.name)
		if !ok {
			return nil, fmt.Errorf("package tables has no ABI %s: run stage 1 (go run ./gen) first", gf.native.name)
		}
		progs, err := compileBuiltins(abi)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gf.goarch, err)
		}
		f := jen.NewFilePathName(seccompPath, "seccomp")
		f.HeaderComment(generatedBy(command, abi.Source))
		f.HeaderComment("//go:build linux && " + gf.goarch)
		f.Comment("nativeABI is the ABI of GOARCH=" + gf.goarch + ".")
		f.Func().Id("nativeABI").Params().Op("*").Qual(tablesPath, "ABI").Block(
			jen.Return(jen.Qual(tablesPath, gf.native.goName)),
		)
		var names []string
		for _, t := range gf.compat {
			names = append(names, t.name)
		}
		f.Commentf("compatABIs are the other ABIs the kernel accepts on GOARCH=%s: %s.", gf.goarch, orNone(names))
		f.Func().Id("compatABIs").Params().Index().Op("*").Qual(tablesPath, "ABI").BlockFunc(func(g *jen.Group) {
			if len(gf.compat) == 0 {
				g.Return(jen.Nil())
				return
			}
			g.Return(jen.Index().Op("*").Qual(tablesPath, "ABI").ValuesFunc(func(g *jen.Group) {
				for _, t := range gf.compat {
					g.Qual(tablesPath, t.goName)
				}
			}))
		})
		f.Comment("precompiled holds the built-in policies compiled for the native ABI.")
		f.Var().Id("precompiled").Op("=").Index().Id("precompiledProgram").CustomFunc(multi, func(g *jen.Group) {
			for _, p := range progs {
				g.Values(jen.Lit(p.name), renderInstructions(p))
			}
		})
		data, err := render(f)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", gf.goarch, err)
		}
		// A blank line between the generated-code marker and the build
		// constraint, as gofmt writes them by hand.
		data = bytes.Replace(data, []byte("EDIT.\n//go:build"), []byte("EDIT.\n\n//go:build"), 1)
		files = append(files, genFile{"zsyscalls_linux_" + gf.goarch + ".go", data})
	}
	return files, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
