//go:build !linux

package notify_test

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/sysfence/seccomp/notify"
)

func TestUnsupported(t *testing.T) {
	if _, err := notify.NewListener(nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("NewListener: %v, want errors.ErrUnsupported", err)
	}
	if _, err := notify.Start(context.Background(), exec.Command("true"), nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Start: %v, want errors.ErrUnsupported", err)
	}
	var l notify.Listener
	if err := l.Serve(context.Background(), notify.ContinueAll); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Serve: %v, want errors.ErrUnsupported", err)
	}
}
