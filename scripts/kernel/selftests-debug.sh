#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests (selftests/run.sh) on the debug kernel: KASAN,
# lockdep, kmemleak, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, netdev refcount
# trackers, panic_on_warn.
#
#   scripts/kernel/selftests-debug.sh [NAME...]     (NAMEs as for run.sh)
#
#  1. scripts/kernel/build.sh --debug       (the kernel; cached)
#  2. scripts/kernel/build-mod.sh           (npf.ko against it, in
#                                           build/debug-mod: kmod/ is not
#                                           touched)
#  3. make lib tools selftests              (user space, kernel-agnostic)
#  4. scripts/kernel/vm.sh boots the kernel; in the guest the debug
#     build's kmod/ is bind-mounted over the repo's kmod/ (in the guest's
#     mount table only), then selftests/run.sh runs as in `make check`.
#
# Output is run.sh's: PASS:/FAIL:/SKIP: lines and `N passed, N failed`; its
# "kernel log clean" check sees the debug kernel's reports. A panic
# (panic_on_warn, a KASAN report) ends the guest: this prints the console's
# last lines and fails.
#
# NPF_DEBUG_TIMEOUT=3600   seconds the guest may take
# NPF_TEST_TIMEOUT, NPF_VERBOSE as for selftests/run.sh
# Console log: build/selftests-debug/console.log

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/selftests-debug
mkdir -p "$OUT" || exit 1
log=$OUT/console.log
t0=$(date +%s)

tree=$("$HERE/build.sh" --debug | tail -n 1)
[ -n "$tree" ] && [ -d "$tree" ] || { echo "selftests-debug.sh: kernel build failed" >&2; exit 1; }
t1=$(date +%s)
mod=$("$HERE/build-mod.sh" --tree "$tree" | tail -n 1)
[ -n "$mod" ] && [ -f "$mod/kmod/npf.ko" ] ||
	{ echo "selftests-debug.sh: building npf.ko failed" >&2; exit 1; }
make -C "$REPO" --no-print-directory lib tools selftests >"$OUT/make.log" 2>&1 ||
	{ tail -n 30 "$OUT/make.log" >&2; echo "selftests-debug.sh: make lib tools selftests failed" >&2; exit 1; }
t2=$(date +%s)
echo "# selftests on $(cat "$tree/include/config/kernel.release") (npf.ko from $mod)"

# shellcheck disable=SC2016
"$HERE/vm.sh" --tree "$tree" --log "$log" --timeout "${NPF_DEBUG_TIMEOUT:-3600}" \
	-- bash -c 'mount --bind "$0/kmod" "$NPF_REPO/kmod" || exit 1
		echo "# $(uname -r): kmod/npf.ko is $(modinfo -F vermagic kmod/npf.ko)"
		exec selftests/run.sh "$@"' "$mod" "$@" 2>&1 | tee "$OUT/output"
rc=${PIPESTATUS[0]}
t3=$(date +%s)

if ! grep -qE '^[0-9]+ passed, [0-9]+ failed' "$OUT/output"; then
	echo "FAIL: selftests-debug: the guest ended without a result (status $rc); console log $log:"
	grep -E -B5 -A40 'WARNING:|BUG:|KASAN|Kernel panic|Call Trace|circular locking' "$log" |
		head -n 150 | sed 's/^/  | /'
	echo "0 passed, 1 failed" >>"$OUT/output"
	[ "$rc" != 0 ] || rc=1
fi
echo "# kernel build $((t1 - t0))s, module + user space build $((t2 - t1))s, VM run $((t3 - t2))s"
# the totals again, last
grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/output" | tail -n 1
exit "$rc"
