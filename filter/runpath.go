package filter

import (
	"encoding/binary"
	"errors"
)

// RunPath is Run that also returns the program counter of every
// instruction it executes, in order, the return included: the path a
// call takes through the program.
func RunPath(prog []Instruction, data *SeccompData, order binary.ByteOrder) (Result, []int, error) {
	if data == nil || order == nil {
		return Result{}, nil, errors.New("filter: RunPath needs seccomp data and a byte order")
	}
	if err := Verify(prog); err != nil {
		return Result{}, nil, err
	}
	m := interpreter{prog: prog, data: data.words(order)}
	var path []int
	for {
		path = append(path, m.pc)
		if ret, done := m.step(); done {
			return Result{Ret: Action(ret), Steps: m.steps}, path, nil
		}
	}
}
