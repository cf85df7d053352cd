//go:build !linux

package main

import (
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// No program is generated for this OS; NewProgram reports it.
var (
	programABIs  []*tables.ABI
	programInsns []filter.Instruction
)
