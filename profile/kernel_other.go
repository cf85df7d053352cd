//go:build !linux

package profile

func runningKernel() (string, error) { return "", errNoKernel }
