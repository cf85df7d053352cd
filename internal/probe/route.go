package probe

import (
	"runtime"
	"slices"

	"github.com/sysfence/seccomp/tables"
)

// A Route is one way into the kernel: the ABI whose numbers and argument
// words the calls use and how the probe makes them.
type Route struct {
	// Name names the route in the report: the ABI's name for the
	// native route, "i386-int80", "x32", "i386-process", "arm-process".
	Name string
	ABI  *tables.ABI
	// Via is the request of Serve that makes a call: "sys" or "int80".
	Via string
	// Helper says the calls are made by the 32-bit helper program
	// rather than by a copy of the running one.
	Helper bool
	// How says how a call is made, for the report.
	How string
}

// bits is the width of the route's argument words.
func (r Route) bits() int { return 8 * r.ABI.WordSize }

// nativeRoute is the ABI of GOARCH, through the syscall package.
func nativeRoute() (Route, bool) {
	for _, abi := range tables.All() {
		if slices.Contains(abi.GOARCH, runtime.GOARCH) {
			return Route{Name: abi.Name, ABI: abi, Via: "sys", How: "native system calls"}, true
		}
	}
	return Route{}, false
}

// Routes returns the routes the probe takes on this GOARCH: the native
// ABI first, then every other ABI the CPU offers a process of this one.
func Routes() []Route {
	native, ok := nativeRoute()
	if !ok {
		return nil
	}
	return append([]Route{native}, compatRoutes()...)
}

// HelperGOARCH is the GOARCH of the helper program that makes calls as
// a 32-bit process (386 on amd64, arm on arm64); "" if no route needs one.
func HelperGOARCH() string { return helperGOARCH }
