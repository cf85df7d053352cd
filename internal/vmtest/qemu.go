package vmtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// ErrBoot reports a guest that could not be booted or did not finish.
var ErrBoot = errors.New("vmtest: boot")

// QEMUArgs returns the emulator's command line for booting kernel with
// initrd on a: software emulation, the serial port on standard output, no
// network (without -nic none qemu looks for a network boot ROM), and
// panic=-1 with -no-reboot, so that a kernel panic ends qemu at once.
func QEMUArgs(a Arch, kernel, initrd string) []string {
	args := append([]string{}, a.Machine...)
	return append(args,
		"-m", "512",
		"-nographic", "-no-reboot", "-nic", "none",
		"-kernel", kernel,
		"-initrd", initrd,
		"-append", a.Append+" panic=-1 quiet",
	)
}

// Guest is a running virtual machine.
type Guest struct {
	// Events are what the guest reports, in order; the channel is
	// closed when the console ends.
	Events <-chan Event

	cmd    *exec.Cmd
	name   string
	start  time.Time
	stderr strings.Builder
	done   chan struct{} // closed when qemu has exited
	took   time.Duration
	err    error
}

// Start boots kernel with initrd under a's emulator. Every console line is
// copied to console, which only the Guest writes to until Wait returns.
// The guest powers the machine off when it is done; when ctx ends first,
// qemu is killed.
func Start(ctx context.Context, a Arch, kernel, initrd string, console io.Writer) (*Guest, error) {
	g := &Guest{name: a.Name, done: make(chan struct{})}
	g.cmd = exec.CommandContext(ctx, a.QEMU, QEMUArgs(a, kernel, initrd)...)
	g.cmd.Stderr = &g.stderr
	stdout, err := g.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBoot, err)
	}
	g.start = time.Now()
	if err := g.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBoot, a.QEMU, err)
	}
	events := make(chan Event, 64)
	g.Events = events
	go g.read(ctx, stdout, console, events)
	return g, nil
}

// read passes the console on until it ends, then waits for qemu.
func (g *Guest) read(ctx context.Context, stdout io.Reader, console io.Writer, events chan<- Event) {
	defer close(g.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fmt.Fprintln(console, strings.TrimRight(sc.Text(), "\r"))
		if ev, ok := ParseLine(sc.Text()); ok {
			events <- ev
		}
	}
	close(events)
	err := g.cmd.Wait()
	g.took = time.Since(g.start)
	switch {
	case ctx.Err() != nil:
		g.err = fmt.Errorf("%w: %s: killed after %v: %w", ErrBoot, g.name, g.took.Round(time.Second), ctx.Err())
	case err != nil:
		g.err = fmt.Errorf("%w: %s: %w: %s", ErrBoot, g.cmd.Path, err, strings.TrimSpace(g.stderr.String()))
	case sc.Err() != nil:
		g.err = fmt.Errorf("%w: %s: reading the console: %w", ErrBoot, g.name, sc.Err())
	}
}

// Wait waits for qemu to exit, reading and dropping any events left, and
// returns how long it ran.
func (g *Guest) Wait() (time.Duration, error) {
	for range g.Events {
	}
	<-g.done
	return g.took, g.err
}
