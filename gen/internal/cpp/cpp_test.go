package cpp

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// TestCPP runs the preprocessor over small sources and checks which
// macros it defined, and to what.
func TestCPP(t *testing.T) {
	for _, c := range []struct {
		name      string
		src       string
		want      map[string]int64
		undefined []string
	}{
		{"ifdef and ifndef", `
#define A
#ifdef A
#define YES 1
#else
#define NO 1
#endif
#ifndef A
#define NO2 1
#endif
`, map[string]int64{"YES": 1}, []string{"NO", "NO2"}},
		{"elif takes the first true branch", `
#define V 2
#if V == 1
#define R 1
#elif V == 2
#define R 2
#elif V >= 2
#define R 3
#else
#define R 4
#endif
`, map[string]int64{"R": 2}, nil},
		{"skipped group is not evaluated", `
#if 0
#if 1 +
#define BAD 1
#else
#define BAD 2
#endif
#frobnicate
#else
#define GOOD 1
#endif
`, map[string]int64{"GOOD": 1}, []string{"BAD"}},
		{"defined", `
#define F(x) x
#define D
#if defined(D) && defined D && defined(F) && !defined(U)
#define OK 1
#endif
`, map[string]int64{"OK": 1}, nil},
		{"operators", `
#define P (1 + 2 * 3 - 8 / 2 % 3)
#define S (1 << 4 | 0x3 & ~1 ^ 8 >> 2)
#define C (2 < 3 && 3 <= 3 && 4 > 3 && 4 >= 5 || 0 != 0)
#define T (0 ? 10 : 1 ? 20 : 30)
#define N (-3 + +1 - !0 - !5)
`, map[string]int64{"P": 6, "S": 16, "C": 0, "T": 20, "N": -3}, nil},
		{"number forms", `
#define H 0x1fUL
#define O 010
#define D 42u
#define Z 0
`, map[string]int64{"H": 31, "O": 8, "D": 42, "Z": 0}, nil},
		{"undefined is 0 in #if", `
#if UNDEFINED == 0 && !UNDEFINED
#define OK 1
#endif
`, map[string]int64{"OK": 1}, nil},
		{"undef", `
#define A 1
#undef A
#ifdef A
#define BAD 1
#endif
`, nil, []string{"A", "BAD"}},
		{"macros expand when used", `
#define A (B + 1)
#define B 2
`, map[string]int64{"A": 3}, nil},
		{"expansion is textual", `
#define SUM 1 + 2
#define PROD SUM * 3
`, map[string]int64{"PROD": 7}, nil},
		{"continuations and comments", "#define A 1 + \\\n 2 /* three\nlines */ + 3 // four\n#define B A\n",
			map[string]int64{"A": 6, "B": 6}, nil},
		{"indented directives", "  #  define A 5\n\t#if A == 5\n # define B 6\n#endif\n",
			map[string]int64{"A": 5, "B": 6}, nil},
		{"text lines are ignored", "__SYSCALL(__NR_x, sys_x)\nint x = 'a';\n#define A 1\n",
			map[string]int64{"A": 1}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := New(nil, nil)
			if err := p.source("t.h", c.src); err != nil {
				t.Fatal(err)
			}
			for name, want := range c.want {
				got, err := p.Value(name)
				if err != nil {
					t.Errorf("%s: %v", name, err)
				} else if got != want {
					t.Errorf("%s = %d, want %d", name, got, want)
				}
			}
			for _, name := range c.undefined {
				if p.Defined(name) {
					t.Errorf("%s is defined", name)
				}
			}
		})
	}
}

// TestCPPErrors checks the preprocessor's complaints.
func TestCPPErrors(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"missing )", "#if (1\n#endif\n", "t.h:1: #if (1: preprocessor: missing )"},
		{"division by zero", "#if 1 / 0\n#endif\n", "t.h:1: #if 1 / 0: preprocessor: division by zero"},
		{"function-like macro in #if", "#define F(x) x\n#if F(1)\n#endif\n", "t.h:2: #if F(1): preprocessor: function-like macro F"},
		{"character constant", "#if 'a'\n#endif\n", "t.h:1: #if 'a': preprocessor: unexpected '\\''"},
		{"bad number", "#if 09\n#endif\n", "t.h:1: #if 09: preprocessor: bad number \"09\""},
		{"empty #if", "#if\n#endif\n", "t.h:1: #if : preprocessor: empty expression"},
		{"#ifdef without name", "#ifdef\n#endif\n", "t.h:1: preprocessor: #ifdef \"\": not a macro name"},
		{"defined without name", "#if defined(1)\n#endif\n", "t.h:1: #if defined(1): preprocessor: defined wants a macro name"},
		{"? without :", "#if 1 ? 2\n#endif\n", "t.h:1: #if 1 ? 2: preprocessor: ? without :"},
		{"trailing tokens", "#if 1 2\n#endif\n", "t.h:1: #if 1 2: preprocessor: unexpected \"2\""},
		{"#endif without #if", "#endif\n", "t.h:1: preprocessor: #endif without #if"},
		{"unterminated parameters", "#define F(x\n", "t.h:1: preprocessor: #define F: unterminated parameter list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := New(nil, nil).source("t.h", c.src)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrSyntax) {
				t.Errorf("error %q, want %q wrapping ErrSyntax", err, c.want)
			}
		})
	}
}

// TestCPPValueErrors checks what value says of macros that are no number.
func TestCPPValueErrors(t *testing.T) {
	p := New([]string{"SELF=SELF + 1"}, nil)
	if err := p.source("t.h", "#define F(x) x\n#define U (NOPE + 1)\n"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"SELF":    "-DSELF: #define SELF SELF + 1: preprocessor: SELF is not defined",
		"F":       "t.h:1: preprocessor: F is a function-like macro",
		"U":       "t.h:2: #define U (NOPE + 1): preprocessor: NOPE is not defined",
		"MISSING": "preprocessor: MISSING is not defined",
	} {
		_, err := p.Value(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("value(%s): error %v, want %q", name, err, want)
		}
	}
}

// TestCPPInclude follows #include through the resolver, which may skip a
// header, and stops a header that includes itself without a guard.
func TestCPPInclude(t *testing.T) {
	dir := testenv.WriteTree(t, map[string]string{
		"a.h":    "#include <b.h>\n#include <gen.h>\n#define A (B + 1)\n",
		"b.h":    "#ifndef B_H\n#define B_H\n#include \"b.h\"\n#define B 1\n#endif\n",
		"loop.h": "#include <loop.h>\n",
	})
	resolve := func(name string) (string, error) {
		if name == "gen.h" {
			return "", nil
		}
		return filepath.Join(dir, name), nil
	}
	p := New(nil, resolve)
	if err := p.Include("a.h"); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Value("A"); err != nil || v != 2 {
		t.Errorf("A = %d, %v; want 2", v, err)
	}
	if !p.Included("a.h") || !p.Included("b.h") || p.Included("gen.h") {
		t.Errorf("read %v, want a.h and b.h only", p.read)
	}
	err := New(nil, resolve).Include("loop.h")
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("self-inclusion: error %v, want nested too deeply", err)
	}
}

// TestTarget reads the macro a macro is defined as, which is how gen tells
// an alias such as arm's "#define __NR_sync_file_range2
// __NR_arm_sync_file_range" from a call's own number.
func TestTarget(t *testing.T) {
	p := New([]string{"D=E"}, nil)
	src := `
#define __NR_b __NR_a
#define __NR_c ( ( __NR_a ) )
#define __NR_d (__NR_base + 1)
#define __NR_e 5
#define F(x) __NR_a
#define G
#define H (A) + (B)
`
	if err := p.source("t.h", src); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"__NR_b": "__NR_a", "__NR_c": "__NR_a", "D": "E"} {
		if got, ok := p.Target(name); !ok || got != want {
			t.Errorf("Target(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"__NR_d", "__NR_e", "F", "G", "H", "undefined"} {
		if got, ok := p.Target(name); ok {
			t.Errorf("Target(%s) = %q, want none", name, got)
		}
	}
	if pos := p.Pos("__NR_c"); pos != "t.h:3" {
		t.Errorf("Pos(__NR_c) = %q, want t.h:3", pos)
	}
	if pos := p.Pos("D"); pos != "-DD" {
		t.Errorf("Pos(D) = %q, want -DD", pos)
	}
}
