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

case "${1:-}" in
golang) golang ;;
runc) runc_tests ;;
*)
	echo "usage: $0 golang|runc|container" >&2
	exit 2
	;;
esac
