// Package cpp is a small C preprocessor: just enough of one for gen to read
// the Linux uapi headers the way a compiler for one ABI reads them. It knows
// object-like #define and #undef, #include <...>, and the conditionals #if,
// #ifdef, #ifndef, #elif, #else and #endif over integer expressions with
// defined(). Function-like macros are recorded, so defined() sees them, but
// never expanded; lines that are not directives are ignored, since every fact
// gen needs sits in a #define.
package cpp

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ErrSyntax reports input the preprocessor cannot handle; errors wrapping
// it name the file and line.
var ErrSyntax = errors.New("preprocessor")

// maxIncludeDepth bounds nested #include, as a guard against a header that
// includes itself without an include guard.
const maxIncludeDepth = 64

// cppMacro is one #define.
type cppMacro struct {
	body     string // replacement text, comments removed
	function bool   // function-like: recorded, never expanded
	pos      string // "file:line" of the definition
}

// Resolver maps the name in `#include <name>` to a file to read. It
// returns "" for a header to skip: one that a kernel build generates and a
// source tree therefore lacks.
type Resolver func(name string) (string, error)

// Preprocessor holds the macros defined so far and the headers read.
type Preprocessor struct {
	macros  map[string]cppMacro
	resolve Resolver
	read    map[string]bool // names of the headers included
	depth   int
}

// New returns a preprocessor with the given predefined macros, each
// "NAME" (defined as 1) or "NAME=VALUE", as on a compiler's command line.
func New(defines []string, resolve Resolver) *Preprocessor {
	p := &Preprocessor{macros: map[string]cppMacro{}, resolve: resolve, read: map[string]bool{}}
	for _, d := range defines {
		name, body, ok := strings.Cut(d, "=")
		if !ok {
			body = "1"
		}
		p.macros[name] = cppMacro{body: body, pos: "-D" + name}
	}
	return p
}

// Include reads the header `#include <name>` names, as if the translation
// unit began with that line.
func (p *Preprocessor) Include(name string) error {
	path, err := p.resolve(name)
	if err != nil {
		return fmt.Errorf("#include <%s>: %w", name, err)
	}
	if path == "" {
		return nil
	}
	if p.depth >= maxIncludeDepth {
		return fmt.Errorf("#include <%s>: %w: nested too deeply", name, ErrSyntax)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("#include <%s>: %w", name, err)
	}
	p.read[name] = true
	p.depth++
	defer func() { p.depth-- }()
	return p.source(path, string(src))
}

// source preprocesses the text of one file.
func (p *Preprocessor) source(file, src string) error {
	lines, err := logicalLines(src)
	if err != nil {
		return fmt.Errorf("%s:%w", file, err)
	}
	var conds cppConds
	for _, l := range lines {
		pos := fmt.Sprintf("%s:%d", file, l.n)
		if err := p.line(pos, l.text, &conds); err != nil {
			return fmt.Errorf("%s: %w", pos, err)
		}
	}
	if open := conds.open(); open != 0 {
		return fmt.Errorf("%s:%d: %w: #if without #endif", file, open, ErrSyntax)
	}
	return nil
}

// srcLine is one logical line: continuations joined, comments replaced by a
// space. n is the physical line it starts on.
type srcLine struct {
	n    int
	text string
}

// logicalLines splits src into logical lines as translation phases 2 and 3
// of C do: a backslash-newline joins two lines, and a comment becomes one
// space (so a block comment spanning lines continues the line it began on).
func logicalLines(src string) ([]srcLine, error) {
	var (
		out   []srcLine
		b     strings.Builder
		line  = 1
		start = 1
	)
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && strings.HasPrefix(src[i+1:], "\n"):
			i++
			line++
		case c == '\\' && strings.HasPrefix(src[i+1:], "\r\n"):
			i += 2
			line++
		case c == '/' && strings.HasPrefix(src[i+1:], "*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("%d: %w: unterminated comment", line, ErrSyntax)
			}
			line += strings.Count(src[i+2:i+2+end], "\n")
			i += end + 3
			b.WriteByte(' ')
		case c == '/' && strings.HasPrefix(src[i+1:], "/"):
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			// Copy a literal whole, so that "/*" inside it opens no comment.
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				j++
			}
			if j < len(src) && src[j] == c {
				j++
			}
			b.WriteString(src[i:j])
			i = j - 1
		case c == '\n':
			out = append(out, srcLine{start, strings.TrimSuffix(b.String(), "\r")})
			b.Reset()
			line++
			start = line
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 {
		out = append(out, srcLine{start, b.String()})
	}
	return out, nil
}

// cppCond is one #if group being read.
type cppCond struct {
	line    int  // where the group's #if is
	taking  bool // the lines of the current branch are processed
	done    bool // a branch was taken, or the whole group is skipped
	sawElse bool
}

type cppConds []cppCond

func (s cppConds) active() bool { return len(s) == 0 || s[len(s)-1].taking }

// open returns the line of the innermost unterminated #if, or 0.
func (s cppConds) open() int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].line
}

// line handles one logical line at pos.
func (p *Preprocessor) line(pos, text string, conds *cppConds) error {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "#") {
		return nil // text, or a null directive
	}
	text = strings.TrimSpace(text[1:])
	name := text
	if i := strings.IndexAny(text, " \t(<\""); i >= 0 {
		name = text[:i]
	}
	arg := strings.TrimSpace(text[len(name):])
	switch name {
	case "if", "ifdef", "ifndef":
		return p.openIf(pos, name, arg, conds)
	case "elif", "else", "endif":
		return p.continueIf(pos, name, arg, conds)
	}
	if !conds.active() {
		return nil
	}
	switch name {
	case "":
		return nil
	case "define":
		return p.define(pos, arg)
	case "undef":
		if !isCIdent(arg) {
			return fmt.Errorf("%w: #undef %q: not a macro name", ErrSyntax, arg)
		}
		delete(p.macros, arg)
		return nil
	case "include":
		return p.includeDirective(arg)
	case "error":
		return fmt.Errorf("%w: #error %s", ErrSyntax, arg)
	case "warning", "pragma", "line", "ident":
		return nil
	}
	return fmt.Errorf("%w: unknown directive #%s", ErrSyntax, name)
}

// posLine recovers the line number from a "file:line" position.
func posLine(pos string) int {
	n, _ := strconv.Atoi(pos[strings.LastIndexByte(pos, ':')+1:])
	return n
}

func (p *Preprocessor) openIf(pos, name, arg string, conds *cppConds) error {
	c := cppCond{line: posLine(pos)}
	if !conds.active() {
		c.done = true // inside a skipped branch: no branch of this group runs
		*conds = append(*conds, c)
		return nil
	}
	var (
		take bool
		err  error
	)
	switch name {
	case "if":
		take, err = p.condition(arg)
	case "ifdef", "ifndef":
		if !isCIdent(arg) {
			return fmt.Errorf("%w: #%s %q: not a macro name", ErrSyntax, name, arg)
		}
		_, take = p.macros[arg]
		take = take == (name == "ifdef")
	}
	if err != nil {
		return err
	}
	c.taking, c.done = take, take
	*conds = append(*conds, c)
	return nil
}

func (p *Preprocessor) continueIf(pos, name, arg string, conds *cppConds) error {
	if len(*conds) == 0 {
		return fmt.Errorf("%w: #%s without #if", ErrSyntax, name)
	}
	c := &(*conds)[len(*conds)-1]
	if name == "endif" {
		*conds = (*conds)[:len(*conds)-1]
		return nil
	}
	if c.sawElse {
		return fmt.Errorf("%w: #%s after #else", ErrSyntax, name)
	}
	if name == "else" {
		c.sawElse = true
		c.taking, c.done = !c.done, true
		return nil
	}
	if c.done {
		c.taking = false
		return nil
	}
	take, err := p.condition(arg)
	if err != nil {
		return err
	}
	c.taking, c.done = take, take
	return nil
}

// define handles "#define NAME body" and "#define NAME(params) body".
func (p *Preprocessor) define(pos, arg string) error {
	end := 0
	for end < len(arg) && isCIdentByte(arg[end], end == 0) {
		end++
	}
	name := arg[:end]
	if !isCIdent(name) {
		return fmt.Errorf("%w: #define %q: not a macro name", ErrSyntax, arg)
	}
	m := cppMacro{pos: pos}
	rest := arg[end:]
	if strings.HasPrefix(rest, "(") {
		close := strings.IndexByte(rest, ')')
		if close < 0 {
			return fmt.Errorf("%w: #define %s: unterminated parameter list", ErrSyntax, name)
		}
		m.function = true
		rest = rest[close+1:]
	}
	m.body = strings.TrimSpace(rest)
	p.macros[name] = m
	return nil
}

func (p *Preprocessor) includeDirective(arg string) error {
	if len(arg) < 2 || !(arg[0] == '<' && strings.HasSuffix(arg, ">") || arg[0] == '"' && strings.HasSuffix(arg, `"`)) {
		return fmt.Errorf("%w: #include %s: want <name> or \"name\"", ErrSyntax, arg)
	}
	return p.Include(arg[1 : len(arg)-1])
}

// Included reports whether a header of that name (as in `#include <name>`)
// was read.
func (p *Preprocessor) Included(name string) bool { return p.read[name] }

// Defined reports whether name is a macro.
func (p *Preprocessor) Defined(name string) bool {
	_, ok := p.macros[name]
	return ok
}

// Names returns the macros whose names begin with prefix, sorted.
func (p *Preprocessor) Names(prefix string) []string {
	var out []string
	for name := range p.macros {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Value evaluates the macro name as an integer constant expression. Unlike
// in #if, an identifier that is not a macro is an error, not 0: a syscall
// number must not silently depend on a macro the headers never defined.
func (p *Preprocessor) Value(name string) (int64, error) {
	m, ok := p.macros[name]
	if !ok {
		return 0, fmt.Errorf("%w: %s is not defined", ErrSyntax, name)
	}
	if m.function {
		return 0, fmt.Errorf("%s: %w: %s is a function-like macro", m.pos, ErrSyntax, name)
	}
	v, err := p.eval(m.body, map[string]bool{name: true}, true)
	if err != nil {
		return 0, fmt.Errorf("%s: #define %s %s: %w", m.pos, name, m.body, err)
	}
	return v, nil
}

// Pos returns where the macro name was defined, "file:line" (or "-DNAME"
// for a predefined one), and "" if it is not a macro.
func (p *Preprocessor) Pos(name string) string { return p.macros[name].pos }

// Target returns the identifier that the object-like macro name is defined
// as, when its body is one identifier and nothing else, parentheses aside:
// for "#define __NR_b (__NR_a)" Target("__NR_b") is "__NR_a". The
// identifier need not be a macro itself.
func (p *Preprocessor) Target(name string) (string, bool) {
	m, ok := p.macros[name]
	if !ok || m.function {
		return "", false
	}
	body := strings.TrimSpace(m.body)
	for strings.HasPrefix(body, "(") && strings.HasSuffix(body, ")") {
		body = strings.TrimSpace(body[1 : len(body)-1])
	}
	return body, isCIdent(body)
}

// condition evaluates the expression of #if or #elif.
func (p *Preprocessor) condition(expr string) (bool, error) {
	v, err := p.eval(expr, nil, false)
	if err != nil {
		return false, fmt.Errorf("#if %s: %w", expr, err)
	}
	return v != 0, nil
}

// eval expands the macros of expr, except those in hidden, and evaluates
// it. An identifier left over is 0, or an error when strict.
func (p *Preprocessor) eval(expr string, hidden map[string]bool, strict bool) (int64, error) {
	toks, err := cppTokenize(expr)
	if err != nil {
		return 0, err
	}
	toks, err = p.expand(toks, hidden)
	if err != nil {
		return 0, err
	}
	for i, tk := range toks {
		if tk.kind == tokIdent {
			if strict {
				return 0, fmt.Errorf("%w: %s is not defined", ErrSyntax, tk.text)
			}
			toks[i] = cppToken{kind: tokNum}
		}
	}
	if len(toks) == 0 {
		return 0, fmt.Errorf("%w: empty expression", ErrSyntax)
	}
	e := cppExpr{toks: toks}
	v, err := e.ternary()
	if err != nil {
		return 0, err
	}
	if e.i < len(toks) {
		return 0, fmt.Errorf("%w: unexpected %q", ErrSyntax, toks[e.i].text)
	}
	return v, nil
}

// expand replaces defined(NAME) with 0 or 1 and object-like macros with
// their expanded bodies. A macro is not expanded inside its own expansion.
func (p *Preprocessor) expand(toks []cppToken, hidden map[string]bool) ([]cppToken, error) {
	var out []cppToken
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.kind != tokIdent {
			out = append(out, tk)
			continue
		}
		if tk.text == "defined" {
			name, n, err := cppDefinedOperand(toks[i+1:])
			if err != nil {
				return nil, err
			}
			i += n
			out = append(out, cppBoolToken(p.Defined(name)))
			continue
		}
		m, ok := p.macros[tk.text]
		if !ok || hidden[tk.text] {
			out = append(out, tk)
			continue
		}
		if m.function {
			return nil, fmt.Errorf("%w: function-like macro %s in an expression", ErrSyntax, tk.text)
		}
		body, err := cppTokenize(m.body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.pos, err)
		}
		inner := map[string]bool{tk.text: true}
		for h := range hidden {
			inner[h] = true
		}
		body, err = p.expand(body, inner)
		if err != nil {
			return nil, err
		}
		out = append(out, body...)
	}
	return out, nil
}

// cppDefinedOperand reads the operand of defined: NAME or (NAME). It returns
// the name and how many tokens it took.
func cppDefinedOperand(toks []cppToken) (string, int, error) {
	switch {
	case len(toks) >= 1 && toks[0].kind == tokIdent:
		return toks[0].text, 1, nil
	case len(toks) >= 3 && toks[0].text == "(" && toks[1].kind == tokIdent && toks[2].text == ")":
		return toks[1].text, 3, nil
	}
	return "", 0, fmt.Errorf("%w: defined wants a macro name", ErrSyntax)
}

func cppBoolToken(b bool) cppToken {
	if b {
		return cppToken{kind: tokNum, text: "1", val: 1}
	}
	return cppToken{kind: tokNum, text: "0"}
}

type cppTokenKind int

const (
	tokNum cppTokenKind = iota
	tokIdent
	tokOp
)

type cppToken struct {
	kind cppTokenKind
	text string
	val  int64 // of a number
}

// cppOperators lists the punctuators of #if expressions, longest first.
var cppOperators = []string{
	"<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "(", ")", "?", ":", ",",
}

func cppTokenize(s string) ([]cppToken, error) {
	var out []cppToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case isCIdentByte(c, true):
			j := i
			for j < len(s) && isCIdentByte(s[j], false) {
				j++
			}
			out = append(out, cppToken{kind: tokIdent, text: s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isCIdentByte(s[j], false) || s[j] == '.') {
				j++
			}
			v, err := cppNumber(s[i:j])
			if err != nil {
				return nil, err
			}
			out = append(out, cppToken{kind: tokNum, text: s[i:j], val: v})
			i = j
		default:
			op := ""
			for _, o := range cppOperators {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("%w: unexpected %q", ErrSyntax, c)
			}
			out = append(out, cppToken{kind: tokOp, text: op})
			i += len(op)
		}
	}
	return out, nil
}

// cppNumber parses a C integer constant: decimal, 0x hexadecimal or 0
// octal, with an optional u/l suffix.
func cppNumber(s string) (int64, error) {
	digits := strings.TrimRight(s, "uUlL")
	base := 10
	switch {
	case strings.HasPrefix(digits, "0x") || strings.HasPrefix(digits, "0X"):
		base, digits = 16, digits[2:]
	case len(digits) > 1 && digits[0] == '0':
		base, digits = 8, digits[1:]
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad number %q", ErrSyntax, s)
	}
	return int64(v), nil
}

func isCIdentByte(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
}

func isCIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isCIdentByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// cppExpr evaluates a token list by precedence climbing, with C's
// operators and precedence (the comma operator excepted).
type cppExpr struct {
	toks []cppToken
	i    int
}

// cppPrec gives the precedence of each binary operator; higher binds
// tighter.
var cppPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

func (e *cppExpr) peek() string {
	if e.i < len(e.toks) && e.toks[e.i].kind == tokOp {
		return e.toks[e.i].text
	}
	return ""
}

func (e *cppExpr) ternary() (int64, error) {
	c, err := e.binary(1)
	if err != nil || e.peek() != "?" {
		return c, err
	}
	e.i++
	a, err := e.ternary()
	if err != nil {
		return 0, err
	}
	if e.peek() != ":" {
		return 0, fmt.Errorf("%w: ? without :", ErrSyntax)
	}
	e.i++
	b, err := e.ternary()
	if err != nil {
		return 0, err
	}
	if c != 0 {
		return a, nil
	}
	return b, nil
}

func (e *cppExpr) binary(minPrec int) (int64, error) {
	x, err := e.unary()
	if err != nil {
		return 0, err
	}
	for {
		op := e.peek()
		prec, ok := cppPrec[op]
		if !ok || prec < minPrec {
			return x, nil
		}
		e.i++
		y, err := e.binary(prec + 1)
		if err != nil {
			return 0, err
		}
		if x, err = cppApply(op, x, y); err != nil {
			return 0, err
		}
	}
}

func (e *cppExpr) unary() (int64, error) {
	if e.i >= len(e.toks) {
		return 0, fmt.Errorf("%w: expression ends early", ErrSyntax)
	}
	tk := e.toks[e.i]
	e.i++
	switch {
	case tk.kind == tokNum:
		return tk.val, nil
	case tk.text == "(":
		v, err := e.ternary()
		if err != nil {
			return 0, err
		}
		if e.peek() != ")" {
			return 0, fmt.Errorf("%w: missing )", ErrSyntax)
		}
		e.i++
		return v, nil
	case tk.text == "-" || tk.text == "+" || tk.text == "!" || tk.text == "~":
		v, err := e.unary()
		if err != nil {
			return 0, err
		}
		switch tk.text {
		case "-":
			return -v, nil
		case "!":
			return cppBool(v == 0), nil
		case "~":
			return ^v, nil
		}
		return v, nil
	}
	return 0, fmt.Errorf("%w: unexpected %q", ErrSyntax, tk.text)
}

func cppApply(op string, x, y int64) (int64, error) {
	switch op {
	case "||":
		return cppBool(x != 0 || y != 0), nil
	case "&&":
		return cppBool(x != 0 && y != 0), nil
	case "|":
		return x | y, nil
	case "^":
		return x ^ y, nil
	case "&":
		return x & y, nil
	case "==":
		return cppBool(x == y), nil
	case "!=":
		return cppBool(x != y), nil
	case "<":
		return cppBool(x < y), nil
	case "<=":
		return cppBool(x <= y), nil
	case ">":
		return cppBool(x > y), nil
	case ">=":
		return cppBool(x >= y), nil
	case "<<":
		return x << uint64(y), nil
	case ">>":
		return x >> uint64(y), nil
	case "+":
		return x + y, nil
	case "-":
		return x - y, nil
	case "*":
		return x * y, nil
	}
	if y == 0 {
		return 0, fmt.Errorf("%w: division by zero", ErrSyntax)
	}
	if op == "/" {
		return x / y, nil
	}
	return x % y, nil
}

func cppBool(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
