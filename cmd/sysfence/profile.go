package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/sysfence/seccomp/profile"
)

var profileCommand = &command{
	name:         "profile",
	summary:      "write a deny- or allowlist or a built-in policy as seccomp profile JSON",
	interspersed: true,
	usage: `[--builtin NAME | --deny NAMES | --allow NAMES] [--errno E]
	[--default ACTION] [--unknown ACTION] [--foreign ACTION] [--arch ABI]
	[--lossy] [-o FILE]

Write the policy the flags describe, as compile reads it, as an OCI
runtime-spec linux.seccomp object (which Docker, runc, crun and podman
read too), for the ABI --arch names: "sysfence compile --profile FILE"
then decides every call as "sysfence compile" with the same flags does,
and so does runc with libseccomp. Conditions on 32-bit parameters are
SCMP_CMP_MASKED_EQ with mask 0xffffffff; rules whose first match a
profile would decide otherwise are written as the disjoint sets of
arguments each action gets. Where --unknown differs from --default (it
is errno:ENOSYS unless given), the profile's default action is --unknown
and every system call of the ABI's table is named, so that numbers the
table does not know get --unknown. A profile gives calls through other
ABIs kill-thread; --foreign kill-process is written as that.

What the format cannot say (another --foreign, trap data, conditions on
a call the ABI also reaches through socketcall or ipc, whose rules
libseccomp derives otherwise) is listed on stderr, one line each, and
nothing is written, unless --lossy: then the
profile is written all the same, and refuses at least every call the
policy refuses (a system call whose rules it cannot say gets the most
restrictive of its actions, whatever its arguments).`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, false)
		arch := archFlag(fs, "arch", "the profile is for (default "+nativeName()+")")
		out := fs.String("o", "", "write to `FILE` instead of standard output")
		lossy := fs.Bool("lossy", false, "write the profile even where it cannot say the policy exactly, refusing at least what the policy refuses")
		return func(inv *invocation) error {
			pf.bind(inv)
			if err := inv.argCount(0, 0, ""); err != nil {
				return err
			}
			abi, err := lookupABI(inv, "arch", *arch)
			if err != nil {
				return err
			}
			p, err := pf.policy(abi)
			if err != nil {
				return err
			}
			// Compile reports the names the ABI lacks, and errors in
			// the command line's terms, before the profile is written.
			if _, err := pf.compile(p, inv.stderr); err != nil {
				return err
			}
			data, lost, err := profile.MarshalPolicy(p, &profile.ExportOptions{Lossy: *lossy})
			for _, l := range lost {
				fmt.Fprintf(inv.stderr, "sysfence: the profile cannot say %s\n", l)
			}
			if errors.Is(err, profile.ErrLossy) {
				return fmt.Errorf("%d of the policy's decisions cannot be said in a profile (listed above); --lossy writes one that refuses at least what the policy refuses", len(lost))
			}
			if err != nil {
				return pf.explain(err)
			}
			if !bytes.HasSuffix(data, []byte("\n")) {
				data = append(data, '\n')
			}
			if *out == "" {
				_, err := inv.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(*out, data, 0o644); err != nil {
				return runtimeError{err}
			}
			return nil
		}
	},
}
