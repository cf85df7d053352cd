package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"
)

const xsysPath = "golang.org/x/sys/unix"

// notSyscalls are SYS_* constants of x/sys that are not system calls:
// arm64's and riscv64's SYS_ARCH_SPECIFIC_SYSCALL is the base of their
// private range and arm's SYS_SYSCALL_MASK is a mask.
var notSyscalls = map[string]bool{
	"SYS_ARCH_SPECIFIC_SYSCALL": true,
	"SYS_SYSCALL_MASK":          true,
}

// xsysPackage is golang.org/x/sys/unix as go/packages finds it for one
// GOARCH.
type xsysPackage struct {
	files   []string
	version string // module version, e.g. v0.50.0
	dir     string // module root
}

// loadXSys locates golang.org/x/sys/unix for GOOS=linux and each GOARCH at
// once; go/packages runs one "go list" for each, so they run in parallel.
func loadXSys(goarches []string) (map[string]*xsysPackage, error) {
	out := make(map[string]*xsysPackage, len(goarches))
	errs := make([]error, len(goarches))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, goarch := range goarches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := loadXSysArch(goarch)
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			out[goarch] = p
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadXSysArch(goarch string) (*xsysPackage, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Env:  append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0"),
	}
	pkgs, err := packages.Load(cfg, xsysPath)
	if err != nil {
		return nil, fmt.Errorf("loading %s for linux/%s: %w", xsysPath, goarch, err)
	}
	if len(pkgs) != 1 || len(pkgs[0].Errors) > 0 || pkgs[0].Module == nil {
		var msgs []string
		for _, p := range pkgs {
			for _, e := range p.Errors {
				msgs = append(msgs, e.Error())
			}
		}
		return nil, fmt.Errorf("loading %s for linux/%s: %s", xsysPath, goarch, strings.Join(msgs, "; "))
	}
	p := pkgs[0]
	return &xsysPackage{files: p.GoFiles, version: p.Module.Version, dir: p.Module.Dir}, nil
}

// readXSys reads the table of t from x/sys.
func readXSys(p *xsysPackage, t *target) (*table, error) {
	kernel, err := xsysKernel(p.dir)
	if err != nil {
		return nil, err
	}
	tab := &table{t: t, kernel: kernel, source: "golang.org/x/sys " + p.version + " (Linux " + kernel + ")"}
	fset := token.NewFileSet()
	for _, path := range p.files {
		base := filepath.Base(path)
		isSysnum := strings.HasPrefix(base, "zsysnum_linux_")
		isErrors := strings.HasPrefix(base, "zerrors_linux")
		if !isSysnum && !isErrors {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if isSysnum {
			err = collectSyscalls(fset, f, tab)
		} else {
			err = collectErrnos(fset, f, tab)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(tab.syscalls) == 0 {
		return nil, fmt.Errorf("%s: no SYS_* constants for %s in %v", xsysPath, t.xsys, p.files)
	}
	return tab, nil
}

// collectSyscalls adds the SYS_* constants of f to tab.
func collectSyscalls(fset *token.FileSet, f *ast.File, tab *table) error {
	return eachConst(f, func(name string, value ast.Expr) error {
		if !strings.HasPrefix(name, "SYS_") || notSyscalls[name] {
			return nil
		}
		nr, err := intLiteral(value)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", fset.Position(value.Pos()), name, err)
		}
		tab.syscalls = append(tab.syscalls, entry{strings.ToLower(strings.TrimPrefix(name, "SYS_")), uint32(nr)})
		return nil
	})
}

// collectErrnos adds the constants of the form E… = syscall.Errno(n).
func collectErrnos(fset *token.FileSet, f *ast.File, tab *table) error {
	return eachConst(f, func(name string, value ast.Expr) error {
		call, ok := value.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || !strings.HasPrefix(name, "E") {
			return nil
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Errno" {
			return nil
		}
		n, err := intLiteral(call.Args[0])
		if err != nil {
			return fmt.Errorf("%s: %s: %w", fset.Position(value.Pos()), name, err)
		}
		tab.errnos = append(tab.errnos, errnoEntry{name, uint16(n)})
		return nil
	})
}

func eachConst(f *ast.File, fn func(name string, value ast.Expr) error) error {
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if err := fn(name.Name, vs.Values[i]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func intLiteral(e ast.Expr) (uint64, error) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, fmt.Errorf("value is not an integer literal")
	}
	return strconv.ParseUint(lit.Value, 0, 32)
}

var dockerKernel = regexp.MustCompile(`--branch v(\d+\.\d+)`)

// xsysKernel returns the Linux version x/sys generated its tables from, as
// pinned by unix/linux/Dockerfile in the module.
func xsysKernel(moduleDir string) (string, error) {
	path := filepath.Join(moduleDir, "unix", "linux", "Dockerfile")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("finding the Linux version of x/sys: %w", err)
	}
	m := dockerKernel.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s: no \"--branch vX.Y\" line naming the Linux version", path)
	}
	return string(m[1]), nil
}

// goarchesOf returns the GOARCHes whose x/sys tables the targets read.
func goarchesOf(ts []target) []string {
	var out []string
	for _, t := range ts {
		if t.xsys != "" && !slices.Contains(out, t.xsys) {
			out = append(out, t.xsys)
		}
	}
	return out
}
