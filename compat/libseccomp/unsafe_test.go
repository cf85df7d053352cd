package seccomp

import "unsafe"

func unsafeAddr[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }
