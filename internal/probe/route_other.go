//go:build !amd64 && !arm64

package probe

const helperGOARCH = ""

// compatRoutes is empty: on the other architectures Go builds for, the
// probe knows one ABI only.
func compatRoutes() []Route { return nil }
