#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the build, `make check` and `make demo` need.
# Idempotent and quiet: when everything is installed it prints nothing and
# exits 0; otherwise it runs apt-get update + install (non-interactive).
#
# Environment:
#   NPF_DEPS_SKIP=1   do nothing (e.g. on a non-Debian machine that has
#                     everything some other way)
set -u

[ "${NPF_DEPS_SKIP:-0}" = 1 ] && exit 0

PKGS="linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
linux-source-6.1 libmnl-dev libpcap-dev tcpdump tshark iproute2 sparse kmod
ethtool pkg-config gcc make xz-utils python3 flex bison bc libelf-dev"

die() {
	echo "deps.sh: $*" >&2
	exit 1
}

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || st=
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

command -v apt-get >/dev/null 2>&1 ||
	die "missing packages:$missing (and no apt-get to install them)"
[ "$(id -u)" = 0 ] ||
	die "missing packages:$missing (run as root, or install them yourself)"

log=$(mktemp "${TMPDIR:-/tmp}/npf-deps.XXXXXX") || die "mktemp failed"
trap 'rm -f "$log"' EXIT

export DEBIAN_FRONTEND=noninteractive
# tshark's postinst asks whether non-root users may capture: answer no.
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	debconf-set-selections >>"$log" 2>&1 ||
	die "debconf-set-selections failed: $(tail -n 1 "$log")"

if ! apt-get update -q >>"$log" 2>&1; then
	tail -n 15 "$log" >&2
	die "apt-get update failed (missing:$missing)"
fi
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	$missing >>"$log" 2>&1; then
	tail -n 15 "$log" >&2
	die "apt-get install failed for:$missing"
fi

# Verify: a package that apt could not configure must not pass silently.
for p in $missing; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || st=
	[ "$st" = installed ] || die "package $p is still not installed"
done
exit 0
