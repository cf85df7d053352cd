package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// A Verdict is what became of one call.
type Verdict string

// The verdicts, as Method explains them.
const (
	Reached  Verdict = "reached"   // the kernel's own answer came back
	Refused  Verdict = "refused"   // another errno came back (Errno)
	Killed   Verdict = "killed"    // the process died of a signal it could not catch (Signal)
	Trapped  Verdict = "trapped"   // SIGSYS was delivered and ended the process
	Hung     Verdict = "no answer" // the process stopped answering
	Died     Verdict = "died"      // the process crashed on another signal (Signal)
	Absent   Verdict = "absent"    // the ABI has no such call
	NotTried Verdict = "not tried" // the route is unavailable
)

// Availability says whether the kernel offers a route.
type Availability string

const (
	Yes     Availability = "yes"
	No      Availability = "no"
	Unknown Availability = "unknown" // a filter answered before the kernel could say
	NotRun  Availability = "not run" // the probe could not try (no helper)
)

// Method says how the verdicts are reached; the report carries it.
const Method = `Each call ran in a child process (one that a kill ends is replaced for
the next call), with arguments for which the kernel itself fails before
it can act; "kernel" is that failure. reached: the kernel's own answer
came back, so no filter stopped the call. refused E: errno E came back
instead, a filter's (EPERM, or ENOSYS, which a kernel without the call
also gives). killed: the child died of SIGSYS (SECCOMP_RET_KILL_*).
trapped: SIGSYS was delivered to it (SECCOMP_RET_TRAP). no answer: it
stopped answering (a thread killed alone). A route is unavailable when
the kernel does not offer it: int 0x80 faults, x32 getpid fails with
ENOSYS, or the kernel cannot execute the helper.`

// Report is the outcome of a probe.
type Report struct {
	// Kernel is the release and machine, as uname -rm.
	Kernel string `json:"kernel"`
	// GOARCH is the architecture the probe was built for.
	GOARCH  string        `json:"goarch"`
	Seccomp Seccomp       `json:"seccomp"`
	Routes  []RouteReport `json:"routes"`
	// Battery lists the calls, with the kernel's own answer to each.
	Battery []BatteryCall `json:"battery"`
	Method  string        `json:"method"`
}

// Seccomp is the seccomp state of the probing process, which its
// children inherit.
type Seccomp struct {
	// Mode is 0 (none), 1 (strict) or 2 (filter); -1 if unknown.
	Mode int `json:"mode"`
	// Filters is the number of filters installed; -1 if unknown.
	Filters    int  `json:"filters"`
	NoNewPrivs bool `json:"no_new_privs"`
	// Source is where the values were read: /proc/self/status, or
	// prctl(2) without /proc (which gives no count of filters).
	Source string `json:"source"`
}

// BatteryCall is a call of the battery as the report shows it.
type BatteryCall struct {
	Call   string `json:"call"`
	Args   string `json:"args"`
	Kernel string `json:"kernel"`
	Why    string `json:"why"`
	Note   string `json:"note,omitempty"`
	// Performs is the call a multiplexer performs with these arguments.
	Performs string `json:"performs,omitempty"`
}

// RouteReport is what the probe found on one route.
type RouteReport struct {
	Name      string       `json:"name"`
	ABI       string       `json:"abi"`
	How       string       `json:"how"`
	Available Availability `json:"available"`
	// Detail says how availability was decided.
	Detail string   `json:"detail"`
	Calls  []Result `json:"calls,omitempty"`
}

// Result is what became of one call on one route.
type Result struct {
	Call string `json:"call"`
	// Nr and Args are as the filter sees them in seccomp_data.
	Nr      uint32  `json:"nr"`
	Args    Args    `json:"args"`
	Verdict Verdict `json:"verdict"`
	Errno   string  `json:"errno,omitempty"`
	Signal  string  `json:"signal,omitempty"`
	Detail  string  `json:"detail,omitempty"`
}

// Args are the six argument words of seccomp_data. In JSON they are
// strings of hexadecimal ("0xffffffffffffffff"), not numbers: readers
// such as jq and JavaScript hold numbers as doubles, which round 64-bit
// words above 2^53 (-1 would read 18446744073709552000).
type Args [6]uint64

// MarshalJSON writes the words as hexadecimal strings.
func (a Args) MarshalJSON() ([]byte, error) {
	var s [6]string
	for i, w := range a {
		s[i] = "0x" + strconv.FormatUint(w, 16)
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Args) UnmarshalJSON(data []byte) error {
	var s [6]string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	for i, w := range s {
		hex, ok := strings.CutPrefix(w, "0x")
		n, err := strconv.ParseUint(hex, 16, 64)
		if !ok || err != nil {
			return fmt.Errorf("probe: args[%d] %q: want a hexadecimal word such as 0x1f", i, w)
		}
		a[i] = n
	}
	return nil
}

// Route returns the named route's report, or nil.
func (r *Report) Route(name string) *RouteReport {
	for i := range r.Routes {
		if r.Routes[i].Name == name {
			return &r.Routes[i]
		}
	}
	return nil
}

// Result returns the result of the named call, or nil.
func (rr *RouteReport) Result(call string) *Result {
	for i := range rr.Calls {
		if rr.Calls[i].Call == call {
			return &rr.Calls[i]
		}
	}
	return nil
}

// WriteJSON writes the report as one JSON object on one line.
func (r *Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

// cell is a result as a cell of the text table.
func (res *Result) cell() string {
	switch res.Verdict {
	case Refused:
		return "refused " + res.Errno
	case Killed, Trapped, Died:
		return string(res.Verdict) + " " + res.Signal
	case Absent:
		return "-"
	}
	return string(res.Verdict)
}

// WriteText writes the report for people: the seccomp state, a line per
// route, a table of calls by route (the routes the kernel offers), and how
// the verdicts were reached.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sysfence probe: Linux %s, probe built for %s\n", r.Kernel, r.GOARCH)
	fmt.Fprintf(&b, "seccomp: %s\n\n", r.Seccomp.describe())

	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "route\tavailable\thow, and how availability was decided")
	var cols []*RouteReport
	for i := range r.Routes {
		rr := &r.Routes[i]
		fmt.Fprintf(tw, "%s\t%s\t%s: %s\n", rr.Name, rr.Available, rr.How, rr.Detail)
		if len(rr.Calls) > 0 {
			cols = append(cols, rr)
		}
	}
	tw.Flush()

	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "call\targuments\tkernel")
	for _, rr := range cols {
		fmt.Fprintf(tw, "\t%s", rr.Name)
	}
	fmt.Fprintln(tw)
	var notes []string
	for _, c := range r.Battery {
		kernel := c.Kernel
		if kernel == "" {
			kernel = "succeeds"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s", c.Call, c.Args, kernel)
		for _, rr := range cols {
			cell := "?"
			if res := rr.Result(c.Call); res != nil {
				cell = res.cell()
			}
			fmt.Fprintf(tw, "\t%s", cell)
		}
		fmt.Fprintln(tw)
		if c.Note != "" {
			notes = append(notes, fmt.Sprintf("%s: %s.", c.Call, c.Note))
		}
	}
	tw.Flush()
	if len(cols) == 0 {
		b.WriteString("(no route into the kernel could be tried)\n")
	}
	fmt.Fprintf(&b, "\n%s\n", r.Method)
	for _, n := range notes {
		fmt.Fprintf(&b, "%s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// describe spells the seccomp state in a line, by the names of the
// fields of /proc/self/status.
func (s Seccomp) describe() string {
	mode := map[int]string{0: "0 (none)", 1: "1 (strict)", 2: "2 (filter)"}[s.Mode]
	if mode == "" {
		mode = "unknown"
	}
	filters := ""
	if s.Filters >= 0 {
		filters = fmt.Sprintf(", Seccomp_filters %d", s.Filters)
	}
	nnp := 0
	if s.NoNewPrivs {
		nnp = 1
	}
	return fmt.Sprintf("Seccomp %s%s, NoNewPrivs %d (from %s)", mode, filters, nnp, s.Source)
}

// batteryReport lists the battery for the report.
func batteryReport() []BatteryCall {
	var out []BatteryCall
	for _, c := range Battery {
		out = append(out, BatteryCall{Call: c.Name, Args: c.Shown, Kernel: c.Kernel, Why: c.Why, Note: c.Note, Performs: c.Performs})
	}
	return out
}
