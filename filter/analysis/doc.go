// Package analysis computes the exact decision function of a seccomp
// classic-BPF program: for every seccomp_data (arch, nr, instruction
// pointer and the twelve argument words, 512 bits in all) the value the
// program returns.
//
// A seccomp program has no loops and reads nothing but seccomp_data, so
// its decision is a finite function of the input. Analyze runs the program
// symbolically: every register and scratch word is held as 32 Boolean
// functions of the input bits, reduced ordered binary decision diagrams
// shared in a Space, and every conditional jump becomes an if-then-else of
// the two branches' decisions. The result is a multi-terminal decision
// diagram whose leaves are return values. Equal functions of one Space are
// equal Nodes, so two programs decide alike exactly when Analyze gives the
// same Node, and Differ gives every input where they do not.
//
// Variables are ordered by field (arch, nr, each argument's high then low
// word, the instruction pointer), most significant bit first, so
// comparisons with constants, masks and the binary searches compilers emit
// stay small: the Docker default for three ABIs takes tens of thousands of
// nodes. The fields are numbers, independent of byte order; Analyze maps
// each load to its field with the byte order of the ABI that runs the
// program, as filter.Run does.
//
// A path of the diagram from the root to a leaf is a Cube: the inputs
// whose fields agree with fixed bits, "args[1] & 0xffffffff == 0x5412".
// The cubes of a function are disjoint and cover every input, so they are
// the regions of the program's decision; Cube.Witness gives one input of
// each, which filter.Run decides as the cube says.
//
// The analysis knows classic BPF and seccomp_data only; the names of ABIs
// and system calls, and the meaning of policies, are its callers'.
package analysis
