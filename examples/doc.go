// Package examples holds small programs to copy:
//
//   - precompile: a //go:generate step ("sysfence compile --format go")
//     compiles the Docker default profile into Go source for every Linux
//     GOARCH, and a launcher
//     runs a command under the finished program, compiling nothing at
//     run time;
//   - sandbox: a launcher that hands a profile's program to
//     bwrap --seccomp.
//
// Their tests build and run them.
package examples
