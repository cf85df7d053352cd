//go:build !amd64

package main

import "syscall"

func i386(func(string, syscall.Errno)) {}
