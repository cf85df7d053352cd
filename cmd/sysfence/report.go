package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// reporter writes sysfence's warnings and notes on standard error, each
// line once (a profile compiled for many GOARCHes would repeat them),
// and none with --quiet.
type reporter struct {
	quiet bool
	seen  map[string]bool
}

func (r *reporter) define(fs *flag.FlagSet) {
	fs.BoolVar(&r.quiet, "quiet", false, "write no warnings or notes on standard error, only errors")
}

// warn writes a warning: something the user most likely did not mean.
func (r *reporter) warn(w io.Writer, msg string) { r.line(w, "sysfence: warning: "+msg) }

// note writes a note: what sysfence did that the user may want to know.
func (r *reporter) note(w io.Writer, msg string) { r.line(w, "sysfence: "+msg) }

func (r *reporter) line(w io.Writer, line string) {
	if r == nil {
		fmt.Fprintln(w, line)
		return
	}
	if r.quiet {
		return
	}
	if r.seen == nil {
		r.seen = make(map[string]bool)
	}
	if !r.seen[line] {
		r.seen[line] = true
		fmt.Fprintln(w, line)
	}
}

// readFileBounded reads the file name, or standard input for "-", and
// refuses one longer than limit bytes after reading at most limit+1 of
// them: /dev/zero, a FIFO or a mistaken path cannot exhaust memory. It
// reads every profile, and diff's operands (programs or profiles);
// programs alone are read by seccomp.ReadProgram, which bounds itself.
func readFileBounded(inv *invocation, name string, limit int64) ([]byte, error) {
	r, label := inv.stdin, "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, runtimeError{err}
		}
		defer f.Close()
		r, label = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, runtimeError{fmt.Errorf("%s: %w", label, err)}
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: longer than %d bytes, more than sysfence reads", label, limit)
	}
	return data, nil
}
