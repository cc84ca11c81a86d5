#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the npf debug kernel: x86_64, allnoconfig + scripts/kernel/
# npf-debug.config (KUnit, KASAN, lockdep, kmemleak, fault injection, and
# what the test VM needs), from Debian's linux-source-6.1 tarball.
#
#   scripts/kernel/build.sh [--kunit|--debug] [--force] [--quiet]
#
# --kunit and --debug name the same kernel (one config serves both); they
# are accepted so that callers can say what they want it for. --force
# rebuilds even when the stamp says the build is current.
#
# On success prints the path of the built tree (a Kbuild output directory:
# `make -C <tree> M=<dir> modules` builds a module against it) on the last
# line of stdout; the bzImage is <tree>/arch/x86/boot/bzImage and a
# /boot + /lib/modules layout for scripts/kernel/vm.sh is in <tree>/vmroot.
#
# Where: $NPF_CACHE_DIR (default: the repo's build/), which gets
#   linux-6.1/        the extracted source (reused while the package
#                     version is the same)
#   kernel-debug/     the output tree (O=)
#   kernel-debug.log  the build log
# Rebuilds only when the fragment, the source package version, this
# script or the compiler changed (a stamp in the output tree).
#
# Environment: NPF_KSRC_TARBALL (default /usr/src/linux-source-6.1.tar.xz),
# NPF_KBUILD_JOBS (default nproc). Builds run under nice -n 19.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NPF_CACHE_DIR:-$REPO/build}
TARBALL=${NPF_KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
FRAGMENT=$HERE/npf-debug.config
SRC=$CACHE/linux-6.1
OUT=$CACHE/kernel-debug
LOG=$CACHE/kernel-debug.log
JOBS=${NPF_KBUILD_JOBS:-$(nproc)}

force=0
quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	--kunit | --debug) shift ;;
	--force) force=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-h | --help) sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0" >&2; exit 0 ;;
	*) echo "kernel/build.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

die() {
	echo "kernel/build.sh: $*" >&2
	exit 1
}
say() {
	[ "$quiet" = 1 ] || echo "kernel/build.sh: $*" >&2
}

[ -r "$TARBALL" ] ||
	die "no $TARBALL (apt-get install linux-source-6.1, or set NPF_KSRC_TARBALL)"
for t in make gcc flex bison bc xz tar depmod; do
	command -v "$t" >/dev/null || [ -x "/sbin/$t" ] ||
		die "$t not found (apt-get install build-essential flex bison bc xz-utils kmod libelf-dev libssl-dev)"
done
[ -f /usr/include/gelf.h ] || die "libelf headers missing (apt-get install libelf-dev)"
PATH=$PATH:/sbin:/usr/sbin

# What the source is: the package version when dpkg knows the tarball,
# else its size and time.
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
[ -n "$srcver" ] && [ "$TARBALL" = /usr/src/linux-source-6.1.tar.xz ] ||
	srcver=$(stat -L -c '%s-%Y' "$TARBALL")

stamp=$({
	echo "source $srcver"
	sha256sum <"$FRAGMENT"
	sha256sum <"${BASH_SOURCE[0]}"
	gcc --version | head -n 1
} | sha256sum | cut -c1-32)

if [ "$force" = 0 ] && [ -f "$OUT/.npf-stamp" ] &&
	[ "$(cat "$OUT/.npf-stamp")" = "$stamp" ] &&
	[ -f "$OUT/arch/x86/boot/bzImage" ]; then
	say "up to date ($(cat "$OUT/include/config/kernel.release"))"
	echo "$OUT"
	exit 0
fi

mkdir -p "$CACHE" || die "cannot create $CACHE"
start=$(date +%s)

# --- the source ---------------------------------------------------------------
if [ ! -f "$SRC/.npf-source" ] || [ "$(cat "$SRC/.npf-source")" != "$srcver" ]; then
	say "extracting $TARBALL into $SRC"
	rm -rf "$SRC" "$SRC.tmp" "$OUT"
	mkdir -p "$SRC.tmp" || die "cannot create $SRC.tmp"
	tar -xJf "$TARBALL" -C "$SRC.tmp" || die "cannot extract $TARBALL"
	top=$(ls "$SRC.tmp")
	[ "$(echo "$top" | wc -l)" = 1 ] && [ -f "$SRC.tmp/$top/Makefile" ] ||
		die "unexpected layout in $TARBALL"
	mv "$SRC.tmp/$top" "$SRC" && rmdir "$SRC.tmp" || die "cannot move the source"
	echo "$srcver" >"$SRC/.npf-source"
fi

# --- the config -----------------------------------------------------------------
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT/.npf-stamp"
kmake() {
	# LOCALVERSION= : no "+" from setlocalversion, the release is
	# <version>-npf-debug whatever git says.
	nice -n 19 make -C "$SRC" O="$OUT" ARCH=x86_64 LOCALVERSION= "$@"
}
say "configuring (allnoconfig + $(basename "$FRAGMENT")), log $LOG"
: >"$LOG"
kmake KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >>"$LOG" 2>&1 ||
	die "allnoconfig failed (see $LOG)"

# Every line of the fragment must have survived (a symbol whose
# dependencies are not met is silently dropped by Kconfig).
missing=$(awk '
	NR == FNR { have[$0] = 1; next }
	/^CONFIG_[A-Za-z0-9_]+=/ { if (!($0 in have)) print; next }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ {
		sym = $2
		for (h in have) if (index(h, sym "=") == 1 && h !~ /=n$/) { print; break }
	}
' "$OUT/.config" "$FRAGMENT")
[ -z "$missing" ] || die "these fragment lines are not in the final .config:
$missing"

# --- the build --------------------------------------------------------------------
say "building with -j$JOBS under nice -n 19 (about 15 minutes on 2 cores the first time)"
kmake -j"$JOBS" all >>"$LOG" 2>&1 || {
	tail -n 30 "$LOG" >&2
	die "build failed (see $LOG)"
}
krel=$(cat "$OUT/include/config/kernel.release") || die "no kernel.release"

# A /boot and /lib/modules layout of this kernel for scripts/kernel/vm.sh.
rm -rf "$OUT/vmroot"
mkdir -p "$OUT/vmroot/boot" || die "cannot create $OUT/vmroot"
cp "$OUT/arch/x86/boot/bzImage" "$OUT/vmroot/boot/vmlinuz-$krel" || die "cannot copy bzImage"
cp "$OUT/System.map" "$OUT/vmroot/boot/System.map-$krel"
kmake INSTALL_MOD_PATH="$OUT/vmroot" modules_install >>"$LOG" 2>&1 ||
	die "modules_install failed (see $LOG)"
mkdir -p "$OUT/vmroot/lib/modules/$krel/kernel"
rm -f "$OUT/vmroot/lib/modules/$krel/build" "$OUT/vmroot/lib/modules/$krel/source"
depmod -b "$OUT/vmroot" "$krel" || die "depmod failed"

echo "$stamp" >"$OUT/.npf-stamp"
say "built $krel in $(($(date +%s) - start))s"
echo "$OUT"
