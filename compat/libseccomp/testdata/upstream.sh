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
trap 'rm -rf "$work"' EXIT

moddir() { # module@version -> its directory in the module cache
	go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# counts FILE: prints pass, fail and skip counts of go test -v output, of
# top-level tests and of subtests.
counts() {
	local p f s
	p=$(grep -cE '^ *--- PASS' "$1" || true)
	f=$(grep -cE '^ *--- FAIL' "$1" || true)
	s=$(grep -cE '^ *--- SKIP' "$1" || true)
	echo "pass=$p fail=$f skip=$s (tests and subtests, go test -v)"
	grep -E '^ *--- SKIP' -A1 "$1" | grep -vE '^--$' | sed 's/^/  /' || true
}

golang() {
	local src
	src=$(moddir github.com/seccomp/libseccomp-golang@$golang_version)
	mkdir -p "$work/golang/seccomp"
	cat >"$work/golang/go.mod" <<-MOD
		module upstream.test/golang
		go 1.24
		require github.com/sysfence/seccomp v0.0.0
		replace github.com/sysfence/seccomp => $repo
	MOD
	cp "$repo/go.sum" "$work/golang/go.sum"
	# The package under test is ours: its files, beside libseccomp-golang's
	# test files (package seccomp, which test some unexported helpers too).
	cp "$repo"/compat/libseccomp/*.go "$work/golang/seccomp/"
	rm -f "$work"/golang/seccomp/*_test.go
	cp "$src"/seccomp_test.go "$src"/seccomp_ver_test.go "$work/golang/seccomp/"
	chmod u+w "$work"/golang/seccomp/*.go
	(cd "$work/golang" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true)
	echo "libseccomp-golang $golang_version tests against compat/libseccomp:"
	echo "  (cd $work/golang && CGO_ENABLED=0 _EXPECTED_LIBSECCOMP_VERSION=2.5.4 go test -count=1 -v ./seccomp)"
	local rc=0
	(cd "$work/golang" && CGO_ENABLED=0 _EXPECTED_LIBSECCOMP_VERSION=2.5.4 GOFLAGS=-mod=mod go test -count=1 -v ./seccomp) >"$work/golang.out" 2>&1 || rc=$?
	grep -E '^(--- |ok|FAIL|panic)' "$work/golang.out" || true
	counts "$work/golang.out"
	[ $rc -eq 0 ] || { tail -50 "$work/golang.out"; return $rc; }
}

case "${1:-}" in
golang) golang ;;
*)
	echo "usage: $0 golang|runc|container" >&2
	exit 2
	;;
esac
