#!/usr/bin/env bash
# Runs other projects' tests against package compat/libseccomp, with
# their sources fetched from the Go module proxy (never copied into this
# repository), and prints their counts.
#
#   upstream.sh golang      libseccomp-golang's tests of its API
#   upstream.sh runc        runc's libcontainer/seccomp tests (tag seccomp),
#                           built where libseccomp's headers and libraries
#                           are hidden, and ldd of the test binaries
#   upstream.sh container   runc built with the compat package runs a
#                           busybox container under Docker's default
#                           profile, beside Debian's runc
#
# Needs go, and for runc and container: gcc, unshare, busybox-static and
# runc (Debian's); run as root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
golang_version=v0.12.0
runc_version=v1.5.3
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

moddir() { # module@version -> its directory in the module cache
	go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# counts FILE: prints the pass, fail and skip counts of go test -v
# output: of the top-level tests, and of every subtest (those the tests'
# own child processes report included), then each skip with its reason.
counts() {
	local p f s
	p=$(grep -cE '^--- PASS' "$1" || true)
	f=$(grep -cE '^--- FAIL' "$1" || true)
	s=$(grep -cE '^--- SKIP' "$1" || true)
	echo "tests: pass=$p fail=$f skip=$s"
	p=$(grep -cE '^ +--- PASS' "$1" || true)
	f=$(grep -cE '^ +--- FAIL' "$1" || true)
	s=$(grep -cE '^ +--- SKIP' "$1" || true)
	echo "subtests: pass=$p fail=$f skip=$s"
	# The reason is logged just before the SKIP line (go test -v of a
	# child) or just after it.
	grep -E -B2 -A1 '^ *--- SKIP' "$1" | grep -E -e '--- SKIP' -e '_test\.go:[0-9]+:' | sed -E 's/^ +/  /' || true
}

golang() {
	local src
	src=$(moddir github.com/seccomp/libseccomp-golang@$golang_version)
	# The package under test is ours, in a copy of this module (it
	# imports the module's internal packages), with libseccomp-golang's
	# test files beside it in place of its own (package seccomp; they
	# test some unexported helpers too).
	mkdir -p "$work/golang"
	tar -C "$repo" --exclude=.git -cf - . | tar -C "$work/golang" -xf -
	chmod -R u+w "$work/golang"
	rm -f "$work"/golang/compat/libseccomp/*_test.go
	cp "$src"/seccomp_test.go "$src"/seccomp_ver_test.go "$work/golang/compat/libseccomp/"
	chmod u+w "$work"/golang/compat/libseccomp/*.go
	echo "libseccomp-golang $golang_version tests against compat/libseccomp:"
	echo "  (cd $work/golang && CGO_ENABLED=0 _EXPECTED_LIBSECCOMP_VERSION=2.5.4 go test -count=1 -v ./compat/libseccomp)"
	local rc=0
	(cd "$work/golang" && CGO_ENABLED=0 _EXPECTED_LIBSECCOMP_VERSION=2.5.4 go test -count=1 -v ./compat/libseccomp) >"$work/golang.out" 2>&1 || rc=$?
	grep -E '^(--- |ok|FAIL|panic)' "$work/golang.out" || true
	counts "$work/golang.out"
	[ $rc -eq 0 ] || { tail -50 "$work/golang.out"; return $rc; }
}

# runc_tree: a writable copy of runc's module, migrated to the compat
# package: the import path changed, and patchbpf's cgo preamble, which
# takes SCMP_ACT_ERRNO from seccomp.h and links libseccomp through
# pkg-config, given the constant itself (SECCOMP_RET_ERRNO | ENOSYS).
runc_tree() {
	local src
	src=$(moddir github.com/opencontainers/runc@$runc_version)
	cp -r "$src" "$work/runc"
	chmod -R u+w "$work/runc"
	cd "$work/runc"
	rm -rf vendor
	grep -rl --include='*.go' 'github.com/seccomp/libseccomp-golang' . |
		xargs sed -i 's#github.com/seccomp/libseccomp-golang#github.com/sysfence/seccomp/compat/libseccomp#'
	sed -i -e '/#cgo pkg-config: libseccomp/d' -e 's/#include <seccomp.h>/#include <linux\/audit.h>/' \
		-e 's/SCMP_ACT_ERRNO(ENOSYS)/(0x00050000U | ENOSYS)/' libcontainer/seccomp/patchbpf/enosys_linux.go
	go mod edit -droprequire github.com/seccomp/libseccomp-golang \
		-require github.com/sysfence/seccomp@v0.0.0 -replace github.com/sysfence/seccomp="$repo"
	GOFLAGS=-mod=mod go mod tidy >/dev/null
	cd - >/dev/null
}

# hidden CMD...: runs CMD where libseccomp's headers, pkg-config file
# and libraries are hidden (bind mounts of /dev/null in a mount
# namespace of its own), so nothing can build or link against them.
hidden() {
	local files
	files=$(ls /usr/include/seccomp*.h /usr/lib/*/libseccomp.* /usr/lib/*/pkgconfig/libseccomp.pc 2>/dev/null || true)
	unshare -m bash -c 'set -e; for f in '"$(echo $files)"'; do mount --bind /dev/null "$f"; done; "$@"' hidden "$@"
}

runc_tests() {
	runc_tree
	cd "$work/runc"
	echo "runc $runc_version libcontainer/seccomp tests (tag seccomp) against compat/libseccomp, libseccomp hidden:"
	echo "  (cd $work/runc && go test -tags seccomp -count=1 -v ./libcontainer/seccomp/...)"
	# libcontainer/seccomp itself has no test files; its tests are
	# patchbpf's.
	hidden go build -tags seccomp ./libcontainer/seccomp
	hidden go test -tags seccomp -c -o "$work/patchbpf.test" ./libcontainer/seccomp/patchbpf
	local t
	for t in patchbpf; do
		echo "ldd $t.test:"
		ldd "$work/$t.test" | sed 's/^/  /'
		if ldd "$work/$t.test" | grep -q libseccomp; then
			echo "$t.test links libseccomp" >&2
			return 1
		fi
	done
	local rc=0
	hidden go test -tags seccomp -count=1 -v ./libcontainer/seccomp/... >"$work/runc.out" 2>&1 || rc=$?
	grep -E '^(--- |ok|FAIL|panic)' "$work/runc.out" || true
	counts "$work/runc.out"
	cd - >/dev/null
	[ $rc -eq 0 ] || { grep -B5 -A20 -- '--- FAIL' "$work/runc.out" | head -150; return $rc; }
}

# The script the container runs: a pipeline the profile allows, then
# unshare -U and mount, which it refuses with EPERM, and the probe (clone3
# gets ENOSYS, io_uring_setup EPERM; on x86_64 the same through int 0x80).
container_script='exec 2>&1
echo hello world | tr a-z A-Z | grep "HELLO WORLD" && echo pipeline: ok
unshare -U true; echo "unshare -U: exit $?"
mount -t tmpfs none /mnt; echo "mount: exit $?"
/bin/probe'

container() {
	runc_tree
	echo "runc $runc_version built with compat/libseccomp (libseccomp hidden):"
	(cd "$work/runc" && hidden go build -tags seccomp -o "$work/runc-compat" .)
	echo "  go version -m runc-compat | grep seccomp:"
	go version -m "$work/runc-compat" | grep -i seccomp | sed 's/^/  /'
	if go version -m "$work/runc-compat" | grep -q libseccomp-golang; then
		echo "runc-compat has libseccomp-golang" >&2
		return 1
	fi
	if ldd "$work/runc-compat" 2>&1 | grep -q libseccomp; then
		echo "runc-compat links libseccomp" >&2
		return 1
	fi
	echo "  ldd runc-compat: no libseccomp"

	# The helper: Docker's default profile, and the static probe.
	mkdir -p "$work/helper"
	cp "$repo"/compat/libseccomp/testdata/container/*.go "$repo"/compat/libseccomp/testdata/container/*.s "$work/helper/"
	cat >"$work/helper/go.mod" <<-MOD
		module upstream.test/container
		go 1.24
		require github.com/sysfence/seccomp v0.0.0
		replace github.com/sysfence/seccomp => $repo
	MOD
	cp "$repo/go.sum" "$work/helper/go.sum"
	(cd "$work/helper" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 &&
		CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$work/container" .)

	# A busybox root file system (Debian's busybox-static) and a bundle.
	local bundle=$work/bundle rootfs=$work/bundle/rootfs a
	mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,mnt,etc}
	cp "$(command -v busybox)" "$rootfs/bin/busybox"
	for a in sh echo tr grep unshare mount true; do ln -s busybox "$rootfs/bin/$a"; done
	cp "$work/container" "$rootfs/bin/container"
	printf '#!/bin/sh\nexec /bin/container probe\n' >"$rootfs/bin/probe"
	chmod +x "$rootfs/bin/probe"
	"$work/container" profile >"$work/docker-default.json"
	(cd "$bundle" && /usr/sbin/runc spec 2>/dev/null || runc spec)
	jq --slurpfile s "$work/docker-default.json" --arg script "$container_script" \
		'.process.terminal = false | .process.args = ["sh", "-c", $script] | .linux.seccomp = $s[0]' \
		"$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	local debian_runc
	debian_runc=$(command -v runc)
	echo "Debian's runc: $debian_runc ($(dpkg-query -W -f='${Version}' runc 2>/dev/null)), libseccomp: $(ldd "$debian_runc" | grep -o 'libseccomp[^ ]*' | head -1 || echo none)"
	local out_compat out_debian rc=0
	# The container's output (its stderr joined to its stdout); runc's own
	# warnings, on stderr, are runc's (1.5.3 warns of the ambient
	# capabilities in runc 1.1's spec) and are left out.
	out_compat=$("$work/runc-compat" --root "$work/state-compat" run --bundle "$bundle" compat-$$ 2>"$work/compat.err") || true
	out_debian=$("$debian_runc" --root "$work/state-debian" run --bundle "$bundle" debian-$$ 2>"$work/debian.err") || true
	echo "container under runc-compat:"
	echo "$out_compat" | sed 's/^/  /'
	echo "container under Debian's runc:"
	echo "$out_debian" | sed 's/^/  /'
	local want wants=("pipeline: ok" "unshare -U: exit 1" "mount: exit 1"
		"probe: unshare(CLONE_NEWUSER): EPERM" "probe: mount(tmpfs): EPERM"
		"probe: clone3: ENOSYS" "probe: io_uring_setup: EPERM" "probe: getpid: ok")
	# On x86_64, the same through the i386 ABI (Docker's profile covers it).
	[ "$(uname -m)" != x86_64 ] || wants+=("probe: int 0x80 unshare(CLONE_NEWUSER): EPERM" "probe: int 0x80 getpid: ok")
	for want in "${wants[@]}"; do
		grep -qxF "$want" <<<"$out_compat" || { echo "runc-compat: missing \"$want\"" >&2; rc=1; }
		grep -qxF "$want" <<<"$out_debian" || { echo "Debian's runc: missing \"$want\"" >&2; rc=1; }
	done
	grep -q "Operation not permitted" <<<"$out_compat" || { echo "runc-compat: unshare -U did not fail with EPERM" >&2; rc=1; }
	if [ "$out_compat" != "$out_debian" ]; then
		echo "the two runcs' containers answered differently" >&2
		rc=1
	fi
	[ $rc -eq 0 ] && echo "container: runc-compat and Debian's runc answer the same, as expected"
	return $rc
}

case "${1:-}" in
golang) golang ;;
runc) runc_tests ;;
container) container ;;
*)
	echo "usage: $0 golang|runc|container" >&2
	exit 2
	;;
esac
