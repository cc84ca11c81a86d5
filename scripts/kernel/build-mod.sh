#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kmod/npf.ko (and with --kunit kmod/tests/npf_kunit.ko) against the
# debug kernel, outside the source tree, so that the distro build in kmod/
# is left alone.
#
#   scripts/kernel/build-mod.sh [--tree DIR] [--kunit]
#
# Copies Kbuild, kmod/ (sources, Kbuild, tests/) and uapi/ into
# $NPF_CACHE_DIR/debug-mod (default build/debug-mod; only files whose
# content changed, so rebuilds are incremental), builds there with
# `make -C <tree> M=<that dir> [NPF_KUNIT=1] modules` under nice -n 19, and
# prints that directory on the last line of stdout: its kmod/npf.ko and
# kmod/tests/npf_kunit.ko are the modules.
#
# --tree DIR   the kernel tree (default: $NPF_CACHE_DIR/kernel-debug)

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NPF_CACHE_DIR:-$REPO/build}
DEST=$CACHE/debug-mod

tree=$CACHE/kernel-debug
kunit=0
while [ $# -gt 0 ]; do
	case $1 in
	--tree) tree=${2:?}; shift 2 ;;
	--kunit) kunit=1; shift ;;
	*) echo "kernel/build-mod.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

die() {
	echo "kernel/build-mod.sh: $*" >&2
	exit 1
}

[ -f "$tree/Makefile" ] && [ -f "$tree/Module.symvers" ] ||
	die "no built kernel tree in $tree (run scripts/kernel/build.sh)"

# sync SRCDIR DSTDIR PATTERN...: mirror the matching files of SRCDIR.
sync() {
	local src=$1 dst=$2 f b
	shift 2
	mkdir -p "$dst" || return 1
	for f in "$dst"/*; do
		[ -f "$f" ] || continue
		b=${f##*/}
		case $b in *.o | *.ko | *.mod | *.mod.c | *.cmd | *.order | *.symvers) continue ;; esac
		[ -e "$src/$b" ] || rm -f "$f"
	done
	for pat in "$@"; do
		for f in "$src"/$pat; do
			[ -f "$f" ] || continue
			b=${f##*/}
			case $b in *.mod.c) continue ;; esac
			cmp -s "$f" "$dst/$b" || cp "$f" "$dst/$b" || return 1
		done
	done
}

sync "$REPO" "$DEST" Kbuild || die "cannot copy to $DEST"
sync "$REPO/kmod" "$DEST/kmod" Kbuild '*.c' '*.h' || die "cannot copy kmod/"
sync "$REPO/uapi/linux" "$DEST/uapi/linux" '*.h' || die "cannot copy uapi/"
if [ "$kunit" = 1 ]; then
	[ -f "$REPO/kmod/tests/Kbuild" ] || die "no kmod/tests/Kbuild"
	sync "$REPO/kmod/tests" "$DEST/kmod/tests" Kbuild '*.c' '*.h' ||
		die "cannot copy kmod/tests/"
fi

args=(-C "$tree" M="$DEST")
[ "$kunit" = 1 ] && args+=(NPF_KUNIT=1)
log=$DEST/build.log
if ! nice -n 19 make "${args[@]}" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "module build failed"
fi
# Show the compiler's warnings (the debug config may find new ones).
if grep -qE ': warning:' "$log"; then
	echo "kernel/build-mod.sh: the build has warnings (log: $log):" >&2
	grep -E -A3 ': warning:' "$log" >&2
fi
[ -f "$DEST/kmod/npf.ko" ] || die "no $DEST/kmod/npf.ko"
[ "$kunit" = 0 ] || [ -f "$DEST/kmod/tests/npf_kunit.ko" ] ||
	die "no $DEST/kmod/tests/npf_kunit.ko"
echo "$DEST"
