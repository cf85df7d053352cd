package seccomp

// The tables in tables/ and the per-GOARCH files zsyscalls_linux_*.go are
// generated in two stages (see gen/stage.go): the second is compiled
// against the tables the first wrote.

//go:generate go run ./gen
//go:generate go run ./gen -programs
