#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the kernel module (`make checkpatch`, `make sparse`).
#
#   scripts/lint.sh checkpatch   checkpatch.pl --strict on kmod/ and the uapi
#                                header; any finding fails
#   scripts/lint.sh sparse       a C=2 W=1 module build with sparse; any
#                                warning or error fails
#
# checkpatch.pl (with spelling.txt and const_structs.checkpatch) comes from
# the Debian linux-source tarball (make deps) and is unpacked once into
# build/ksrc/. KSRC_TAR= picks another tarball, KDIR= another kernel tree.

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1

die() {
	echo "lint.sh: $*" >&2
	exit 2
}

checkpatch() {
	local tar ksrc=$REPO/build/ksrc stamp out rc gitdir files=()
	tar=${KSRC_TAR:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}
	[ -n "$tar" ] && [ -f "$tar" ] ||
		die "no /usr/src/linux-source-*.tar.xz (make deps installs linux-source-6.1)"
	command -v perl >/dev/null || die "perl not found"

	stamp="$tar $(stat -c '%s %Y' "$tar")"
	if [ "$(cat "$ksrc/.stamp" 2>/dev/null)" != "$stamp" ] ||
		[ ! -f "$ksrc/scripts/checkpatch.pl" ]; then
		rm -rf "$ksrc"
		mkdir -p "$ksrc" || die "cannot create $ksrc"
		tar -xJf "$tar" -C "$ksrc" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' ||
			die "cannot extract checkpatch.pl from $tar"
		echo "$stamp" >"$ksrc/.stamp"
	fi

	# The sources, minus what Kbuild generates.
	while IFS= read -r f; do
		files+=("$REPO/$f")
	done < <(find kmod -name '*.[ch]' ! -name '*.mod.c' | sort)
	[ -f uapi/linux/npf.h ] && files+=("$REPO/uapi/linux/npf.h")
	[ ${#files[@]} -gt 0 ] || die "no kmod/*.[ch] to check"

	# Run from build/ksrc: checkpatch drops a CamelCase cache file into
	# its working directory.
	gitdir=$(git -C "$REPO" rev-parse --absolute-git-dir 2>/dev/null) ||
		gitdir=$ksrc/no-git
	out=$(cd "$ksrc" && GIT_DIR=$gitdir perl scripts/checkpatch.pl \
		--no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f "${files[@]}" 2>&1)
	rc=$?
	# Paths relative to the repo.
	out=$(printf '%s\n' "$out" | sed "s|$REPO/||g" |
		grep -v -e '^$' -e "^find: '/include'")
	if [ "$rc" != 0 ] || [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "checkpatch: $(printf '%s\n' "$out" | grep -c ': \(ERROR\|WARNING\|CHECK\):') finding(s) in ${#files[@]} files"
		return 1
	fi
	echo "checkpatch: ${#files[@]} files clean"
}

sparse() {
	local kdir out rc n
	command -v sparse >/dev/null || die "sparse not found (make deps installs it)"
	kdir=${KDIR:-$(scripts/kdir.sh)} || die "no kernel build tree (install linux-headers or set KDIR=)"
	out=$(make -C "$kdir" M="$REPO" C=2 W=1 modules 2>&1)
	rc=$?
	n=$(printf '%s\n' "$out" | grep -cE 'warning:|error:')
	if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
		if [ "${NPF_VERBOSE:-0}" = 1 ]; then
			printf '%s\n' "$out"
		else
			printf '%s\n' "$out" | grep -E -B2 -A3 'warning:|error:|Error [0-9]'
		fi
		echo "sparse: $n warning(s)/error(s), make exit status $rc"
		return 1
	fi
	[ "${NPF_VERBOSE:-0}" = 1 ] && printf '%s\n' "$out"
	echo "sparse: clean"
}

case ${1:-} in
checkpatch) checkpatch ;;
sparse) sparse ;;
*) echo "usage: scripts/lint.sh checkpatch|sparse" >&2; exit 2 ;;
esac
