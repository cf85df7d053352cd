package main

/*
#cgo pkg-config: libseccomp
#include <errno.h>
#include <stdlib.h>
#include <seccomp.h>

// build compiles one policy with libseccomp and writes the program to fd.
// Rules come flattened: for rule i, nrs[i], acts[i], ncmp[i] comparisons
// taken in order from cmps. abis: bit 0 i386, bit 1 x32.
static int build(uint32_t dflt, int abis, int optimize, int n, const int *nrs,
		const uint32_t *acts, const unsigned *ncmp, const struct scmp_arg_cmp *cmps, int fd) {
	scmp_filter_ctx ctx = seccomp_init(dflt);
	if (ctx == NULL)
		return -ENOMEM;
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == 0 && optimize)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc == 0 && (abis & 1))
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X86);
	if (rc == 0 && (abis & 2))
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X32);
	for (int i = 0; rc == 0 && i < n; i++) {
		rc = seccomp_rule_add_array(ctx, acts[i], nrs[i], ncmp[i], cmps);
		cmps += ncmp[i];
	}
	if (rc == 0)
		rc = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	return rc;
}

static int resolve(const char *name) { return seccomp_syscall_resolve_name(name); }
static int version(void) {
	const struct scmp_version *v = seccomp_version();
	return v->major * 10000 + v->minor * 100 + v->micro;
}
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// libseccompVersion returns the version of the libseccomp linked in.
func libseccompVersion() string {
	v := int(C.version())
	return fmt.Sprintf("%d.%d.%d", v/10000, v/100%100, v%100)
}

// prepareLibseccomp resolves the names with libseccomp's own tables; the
// timed step builds the filter context, adds the rules and exports the
// program (libseccomp generates it on export), the default
// (optimize level 1: rules in priority order) or, with tree, its binary
// tree (SCMP_FLTATR_CTL_OPTIMIZE 2).
func prepareLibseccomp(p *Policy, tree bool) (func() ([]filter.Instruction, error), string, error) {
	abis := 0
	for _, abi := range p.ABIs {
		switch abi {
		case tables.X86_64:
		case tables.I386:
			abis |= 1
		case tables.X32:
			abis |= 2
		default:
			return nil, "", fmt.Errorf("libseccomp adapter: ABI %s", abi.Name)
		}
	}
	var (
		nrs     []C.int
		acts    []C.uint32_t
		ncmp    []C.uint
		cmps    []C.struct_scmp_arg_cmp
		unknown []string
	)
	for _, r := range p.Rules {
		cs := C.CString(r.Name)
		nr := C.resolve(cs)
		C.free(unsafe.Pointer(cs))
		if nr == C.__NR_SCMP_ERROR {
			unknown = append(unknown, r.Name)
			continue
		}
		nrs = append(nrs, nr)
		acts = append(acts, C.uint32_t(r.Action))
		ncmp = append(ncmp, C.uint(len(r.Args)))
		for _, c := range r.Args {
			cmp := C.struct_scmp_arg_cmp{arg: C.uint(c.Arg), datum_a: C.scmp_datum_t(c.Value)}
			switch c.Op {
			case Eq:
				cmp.op = C.SCMP_CMP_EQ
			case Ne:
				cmp.op = C.SCMP_CMP_NE
			case Lt:
				cmp.op = C.SCMP_CMP_LT
			case Le:
				cmp.op = C.SCMP_CMP_LE
			case Gt:
				cmp.op = C.SCMP_CMP_GT
			case Ge:
				cmp.op = C.SCMP_CMP_GE
			case MaskedEq:
				cmp.op, cmp.datum_a, cmp.datum_b = C.SCMP_CMP_MASKED_EQ, C.scmp_datum_t(c.Mask), C.scmp_datum_t(c.Value)
			}
			cmps = append(cmps, cmp)
		}
	}
	note := ""
	if len(unknown) > 0 {
		note = fmt.Sprintf("%d names unknown to libseccomp %s: %v", len(unknown), libseccompVersion(), unknown)
	}
	if len(cmps) == 0 {
		cmps = append(cmps, C.struct_scmp_arg_cmp{}) // a valid pointer
	}
	optimize := C.int(0)
	if tree {
		optimize = 1
	}
	// The arrays go to C as pointers into Go memory, which cgo allows for
	// the length of the call: they hold no Go pointers.
	return func() ([]filter.Instruction, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		var nrp *C.int
		var actp *C.uint32_t
		var ncp *C.uint
		if len(nrs) > 0 {
			nrp, actp, ncp = &nrs[0], &acts[0], &ncmp[0]
		}
		rc := C.build(C.uint32_t(p.Default), C.int(abis), optimize, C.int(len(nrs)), nrp, actp, ncp, &cmps[0], C.int(w.Fd()))
		w.Close()
		if rc != 0 {
			return nil, fmt.Errorf("libseccomp: %w", syscall.Errno(-rc))
		}
		raw, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return filter.Decode(raw, binary.LittleEndian)
	}, note, nil
}
