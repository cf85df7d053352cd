package tables_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// TestMultiplexedOps checks the operation numbers of socketcall and ipc
// against the uapi headers (include/uapi/linux/net.h SYS_*, ipc.h), and
// that every ABI whose table has a multiplexer offers every operation.
func TestMultiplexedOps(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		testenv.Require(t, err == nil, "needs the Linux uapi headers (linux-libc-dev): "+path)
		return string(b)
	}
	net, ipc := read("/usr/include/linux/net.h"), read("/usr/include/linux/ipc.h")
	def := regexp.MustCompile(`(?m)^#define\s+(\w+)\s+(\d+)`)
	check := func(via, header string, name func(macro string) (string, bool)) {
		n := 0
		for _, m := range def.FindAllStringSubmatch(header, -1) {
			call, ok := name(m[1])
			if !ok {
				continue
			}
			n++
			op, _ := strconv.Atoi(m[2])
			for _, abi := range []*tables.ABI{tables.I386, tables.S390X} {
				got, ok := abi.Multiplexed(call)
				if !ok || got.Via != via || got.Op != uint32(op) {
					t.Errorf("%s: Multiplexed(%q) = %+v, %v; want %s operation %d (%s)", abi.Name, call, got, ok, via, op, m[1])
				}
			}
			if back, ok := tables.MultiplexedName(via, uint32(op)); !ok || back != call {
				t.Errorf("MultiplexedName(%s, %d) = %q, %v; want %q", via, op, back, ok, call)
			}
		}
		if n == 0 {
			t.Errorf("no %s operations found in the header", via)
		}
	}
	check("socketcall", net, func(m string) (string, bool) {
		if !strings.HasPrefix(m, "SYS_") {
			return "", false
		}
		return strings.ToLower(strings.TrimPrefix(m, "SYS_")), true
	})
	ipcOps := map[string]bool{"SEMOP": true, "SEMGET": true, "SEMCTL": true, "SEMTIMEDOP": true, "MSGSND": true, "MSGRCV": true,
		"MSGGET": true, "MSGCTL": true, "SHMAT": true, "SHMDT": true, "SHMGET": true, "SHMCTL": true}
	check("ipc", ipc, func(m string) (string, bool) { return strings.ToLower(m), ipcOps[m] })
	for _, abi := range tables.All() {
		_, sc := abi.Number("socketcall")
		_, ok := abi.Multiplexed("socket")
		if sc != ok {
			t.Errorf("%s: has socketcall %v, Multiplexed(socket) %v", abi.Name, sc, ok)
		}
	}
	if _, ok := tables.X86_64.Multiplexed("socket"); ok {
		t.Error("x86_64 has no socketcall")
	}
	if m, _ := tables.S390X.Multiplexed("msgget"); m.Nr != 117 || m.Args[0] != 1 || m.Args[1] != 2 {
		t.Errorf("s390x msgget: %+v; want ipc (117) with key in args[1], msgflg in args[2]", m)
	}
}
