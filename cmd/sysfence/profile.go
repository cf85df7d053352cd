package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/sysfence/seccomp/profile"
)

var profileCommand = &command{
	name:         "profile",
	summary:      "write a deny- or allowlist or a built-in policy as seccomp profile JSON",
	interspersed: true,
	usage: `[--builtin NAME | --deny NAMES | --allow NAMES] [--errno E]
	[--default ACTION] [--arch ABI] [-o FILE]

Write the policy the flags describe, as compile reads it, as an OCI
runtime-spec linux.seccomp object (which Docker, runc, crun and podman
read too), for the ABI --arch names: "sysfence compile --profile FILE"
then decides every call as "sysfence compile" with the same flags does.
What the format cannot say is reported on stderr, one line each: the
action for calls through other ABIs (--foreign; a profile's filter gives
them kill-thread), the action for numbers the table does not know
(--unknown; a profile gives them its default action), conditions on
32-bit parameters, which a profile compares on 64 bits, and a first-match
order between overlapping rules. Pass --foreign and --unknown to compile
--profile to restore the first two.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, false)
		arch := archFlag(fs, "arch", "the profile is for (default "+nativeName()+")")
		out := fs.String("o", "", "write to `FILE` instead of standard output")
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
			data, lost, err := profile.MarshalPolicy(p)
			if err != nil {
				return pf.explain(err)
			}
			for _, l := range lost {
				pf.rep.note(inv.stderr, "not in the profile: "+restoreHint(l))
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

var lostOption = regexp.MustCompile(`^(Foreign|Unknown) "([^"]*)"(.*); set Options\.(Foreign|Unknown)$`)

// restoreHint puts the advice of a lost Foreign or Unknown action in
// the command line's terms: the flag of compile that restores it.
func restoreHint(lost string) string {
	m := lostOption.FindStringSubmatch(lost)
	if m == nil {
		return lost
	}
	return fmt.Sprintf("%s %q%s; compile --profile --%s %s restores it", m[1], m[2], m[3], strings.ToLower(m[1]), m[2])
}
