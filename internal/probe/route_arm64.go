package probe

import "github.com/sysfence/seccomp/tables"

const helperGOARCH = "arm"

// compatRoutes are the ways into an aarch64 kernel besides its own ABI: a
// 32-bit arm (EABI) program, the helper. A 64-bit process has no way to
// make an arm call itself.
func compatRoutes() []Route {
	return []Route{
		{Name: "arm-process", ABI: tables.ARM, Via: "sys", Helper: true, How: "a 32-bit arm process (the helper)"},
	}
}
