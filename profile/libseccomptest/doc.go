// Package libseccomptest compiles OCI seccomp profiles with the real
// libseccomp, the way runc does, so that its tests can compare every
// decision of libseccomp's program with the program package profile
// compiles. It uses cgo and needs libseccomp-dev, so everything but this
// comment builds only with the tag libseccomp:
//
//	go test -tags libseccomp ./profile/libseccomptest
//
// The module's other packages stay free of cgo.
package libseccomptest
