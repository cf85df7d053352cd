package main

import (
	"net"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

func TestMain(m *testing.M) {
	notify.Init() // the helper half of notify.Start: the test binary is re-executed
	os.Exit(m.Run())
}

// The command reaches the allowed listener and not the other.
func TestSupervisor(t *testing.T) {
	testenv.Require(t, runtime.GOOS == "linux" && seccomp.FlagNewListener.Supported() == nil, "needs Linux with seccomp user notification")
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash, whose /dev/tcp connects")
	var addrs []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		addrs = append(addrs, l.Addr().(*net.TCPAddr).AddrPort().String())
	}
	tcp := func(a string) string {
		host, port, _ := net.SplitHostPort(a)
		return "/dev/tcp/" + host + "/" + port
	}
	script := "echo > " + tcp(addrs[0]) + " && ! echo > " + tcp(addrs[1])
	code, err := run([]string{"-allow", addrs[0], "--", bash, "-c", script})
	if err != nil || code != 0 {
		t.Errorf("exit %d, %v; want the first address reached and the second refused", code, err)
	}
}
