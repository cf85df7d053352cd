//go:build linux && !amd64 && !arm64

package main

// compatRoutes is empty: the kernels of the other guests (riscv64) run
// one ABI only.
func compatRoutes() []route { return nil }
