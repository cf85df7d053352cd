package vmtest

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// The guest reports on its console in lines that start with Prefix; the
// kernel's own messages share the console and are told apart by it:
//
//	vmtest: begin RELEASE MACHINE
//	vmtest: plan CHECK             once per check, before any runs
//	vmtest: log CHECK TEXT         any number, while CHECK runs
//	vmtest: result CHECK STATUS SECONDS
//	vmtest: done
//
// STATUS is pass, fail or skip. Check names contain no spaces.
const Prefix = "vmtest: "

// Statuses of a check.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip"
)

// Kinds of Event.
const (
	EventBegin  = "begin"
	EventPlan   = "plan"
	EventLog    = "log"
	EventResult = "result"
	EventDone   = "done"
	// EventPanic is a kernel panic seen on the console.
	EventPanic = "panic"
)

// kernelPanic starts the kernel's panic message (panic() in kernel/panic.c).
const kernelPanic = "Kernel panic - not syncing"

// Reporter writes the guest's side of the protocol.
type Reporter struct{ W io.Writer }

// Begin announces the guest and the kernel it runs on.
func (r Reporter) Begin(release string) { r.line(EventBegin, release) }

// Plan announces a check that will run.
func (r Reporter) Plan(check string) { r.line(EventPlan, check) }

// Log reports lines of a check's output.
func (r Reporter) Log(check, text string) {
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		r.line(EventLog, check, l)
	}
}

// Result reports how a check ended.
func (r Reporter) Result(check, status string, took time.Duration) {
	r.line(EventResult, check, status, strconv.FormatFloat(took.Seconds(), 'f', 3, 64))
}

// Done reports that every check has run.
func (r Reporter) Done() { r.line(EventDone) }

func (r Reporter) line(words ...string) {
	// One write per line, so that the kernel's messages do not split it.
	io.WriteString(r.W, Prefix+strings.Join(words, " ")+"\n")
}

// Event is one thing the console said.
type Event struct {
	Kind  string
	Check string // for plan, log and result
	// Text is the release for begin, the line for log, the status for
	// result and the message for panic.
	Text string
	Took time.Duration // for result: the check's time in the guest
}

// ParseLine reads one console line. It reports false for a line that is
// neither the guest's nor a kernel panic. Text before the prefix (a
// kernel message that was cut into) is ignored.
func ParseLine(line string) (Event, bool) {
	line = strings.TrimRight(line, "\r")
	if i := strings.Index(line, kernelPanic); i >= 0 {
		return Event{Kind: EventPanic, Text: line[i:]}, true
	}
	i := strings.Index(line, Prefix)
	if i < 0 {
		return Event{}, false
	}
	kind, rest, _ := strings.Cut(line[i+len(Prefix):], " ")
	switch kind {
	case EventBegin:
		return Event{Kind: kind, Text: rest}, true
	case EventDone:
		return Event{Kind: kind}, true
	case EventPlan, EventLog:
		check, text, _ := strings.Cut(rest, " ")
		if check == "" {
			return Event{}, false
		}
		return Event{Kind: kind, Check: check, Text: text}, true
	case EventResult:
		f := strings.Fields(rest)
		if len(f) != 3 || (f[1] != Pass && f[1] != Fail && f[1] != Skip) {
			return Event{}, false
		}
		secs, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return Event{}, false
		}
		return Event{Kind: kind, Check: f[0], Text: f[1], Took: time.Duration(secs * float64(time.Second))}, true
	}
	return Event{}, false
}
