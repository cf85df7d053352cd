// Package libseccomp holds what this module knows of libseccomp 2.5.4's
// own decisions, where they differ from the root package's, for the
// packages that reproduce libseccomp (profile, and the libseccomp-golang
// compatible API compat/libseccomp): Translate turns a resolved seccomp
// profile, in a mirror of the runtime-spec's types, into a Policy that
// decides as the filter runc builds with libseccomp, compiled with
// seccomp.MultiplexAsWritten and libseccomp's multiplexed rules added.
// It imports nothing outside this module, so that compat/libseccomp
// does not either; package profile converts the runtime-spec's own types.
package libseccomp
