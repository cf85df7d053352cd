//go:build !linux

package main

// notDumpable does nothing: without seccomp there is nothing to
// supervise, and notify.Start fails.
func notDumpable() error { return nil }

func becomeSubreaper() error { return nil }

func killOrphans() {}
