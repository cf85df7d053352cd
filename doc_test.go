package seccomp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// parsePackage parses the package's non-test files, for every OS.
func parsePackage(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	testenv.RequireSource(t, "doc.go")
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// TestPackageDocExplainsTwins checks that the package documentation says,
// once, which of the names that appear twice or four times a user reaches
// for: the two Actions and the four Errnos.
func TestPackageDocExplainsTwins(t *testing.T) {
	_, files := parsePackage(t)
	var doc string
	for _, f := range files {
		if f.Doc != nil {
			doc += f.Doc.Text()
		}
	}
	for _, link := range []string{"[Action]", "[filter.Action]", "[Errno]", "[ErrnoNamed]", "[filter.Errno]", "[tables.Errno]", "[tables.ABI.Errno]"} {
		if !strings.Contains(doc, link) {
			t.Errorf("the package documentation does not explain %s", link)
		}
	}
}

// TestExportedFieldsDocumented checks that go doc -all shows a comment on
// every exported field of an exported struct.
func TestExportedFieldsDocumented(t *testing.T) {
	fset, files := parsePackage(t)
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				for _, field := range st.Fields.List {
					for _, name := range field.Names {
						if name.IsExported() && field.Doc == nil && field.Comment == nil {
							t.Errorf("%v: field %s.%s has no comment", fset.Position(name.Pos()), ts.Name.Name, name.Name)
						}
					}
				}
			}
		}
	}
}
