//go:build !linux

package main

import "io"

// startWatcher does nothing: there is no seccomp here.
func startWatcher(io.Writer, string) {}

// initWatch does nothing: no watcher can have been started here.
func initWatch() {}

func openKmsg() int { return -1 }

func reportKill(io.Writer, int, int, string) {}
