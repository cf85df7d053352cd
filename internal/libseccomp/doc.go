// Package libseccomp holds what this module knows of libseccomp 2.5.4's
// own decisions, where they differ from the root package's, for the
// packages that reproduce libseccomp (profile, and a libseccomp-golang
// compatible API): they compile with seccomp.MultiplexAsWritten and add
// these rules themselves.
package libseccomp
