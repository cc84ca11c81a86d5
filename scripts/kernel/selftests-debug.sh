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
# "kernel log clean" check sees the debug kernel's reports (KASAN, lockdep,
# WARN, BUG, kmemleak leaks...), and NPF_EXPECT_DEBUG=1 makes it and the
# tests fail where a skip would hide a missing debug feature (kmemleak off,
# no failslab). Then this checks the console log too: any such report
# printed by the kernel during the run that run.sh did not fail on adds a
# failure (`FAIL: debug kernel: ...`), and so does a guest that died: a
# panic (panic_on_warn turns every WARN and KASAN report into one) ends
# the guest, and then the results printed so far count, plus one failure
# per problem, with the console's report.
#
# NPF_DEBUG_TIMEOUT=1800   seconds the guest may take (a full run takes 8 to
#                          9 minutes on 2 cores; this bounds a hung guest
#                          within make check's CI budget)
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

export NPF_EXPECT_DEBUG=1
# shellcheck disable=SC2016
"$HERE/vm.sh" --tree "$tree" --log "$log" --timeout "${NPF_DEBUG_TIMEOUT:-1800}" \
	-- bash -c 'mount --bind "$0/kmod" "$NPF_REPO/kmod" || exit 1
		echo "# $(uname -r): kmod/npf.ko is $(modinfo -F vermagic kmod/npf.ko)"
		exec selftests/run.sh "$@"' "$mod" "$@" 2>&1 | tee "$OUT/output"
rc=${PIPESTATUS[0]}
t3=$(date +%s)

# What the kernel printed on the console from the start of the run on
# (its lines carry a printk time stamp; the tests' output does not). The
# same reports as selftests/run.sh looks for in dmesg, but also those of a
# guest that died before it could look.
bad_re='WARNING:|BUG:|kernel BUG at|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|kmemleak: [0-9]+ new suspected memory leak|unreferenced object 0x|Oops|general protection fault|list_(add|del) corruption|refcount_t:|blocked for more than|rcu.*(stall|self-detected)|Kernel panic'
sed -e 's/\r$//' "$log" |
	awk '/npf-selftests-[0-9]+-[0-9]+: begin/ { on = 1 } on && /^\[ *[0-9]+\.[0-9]+\] / { print }' \
		>"$OUT/kernel.log"
extra=0
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/output" | tail -n 1)
if [ -z "$summary" ]; then
	echo "FAIL: debug kernel: the guest ended without a result (status $rc; console log $log)"
	extra=$((extra + 1))
fi
# (A report that run.sh's own check failed on is not counted twice.)
if grep -Eq "$bad_re" "$OUT/kernel.log" &&
	{ [ -z "$summary" ] || ! grep -q '^FAIL: kernel log' "$OUT/output"; }; then
	echo "FAIL: debug kernel: the console has a kernel report (KASAN/lockdep/WARN/BUG/leak...):"
	grep -E -B5 -A40 "$bad_re" "$OUT/kernel.log" | head -n 200 | sed 's/^/  | /'
	extra=$((extra + 1))
elif [ -z "$summary" ]; then
	tail -n 60 "$log" | sed 's/^/  | /'
fi
if [ -n "$summary" ]; then
	np=$(echo "$summary" | sed -E 's/^([0-9]+) passed.*/\1/')
	nf=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	ns=$(echo "$summary" | sed -nE 's/.* ([0-9]+) skipped$/\1/p')
else
	# the results printed before the guest died
	np=$(grep -c '^PASS:' "$OUT/output")
	nf=$(grep -c '^FAIL:' "$OUT/output")
	ns=$(grep -c '^SKIP:' "$OUT/output")
fi
nf=$((nf + extra))
[ "$nf" = 0 ] || [ "$rc" != 0 ] || rc=1
echo "# kernel build $((t1 - t0))s, module + user space build $((t2 - t1))s, VM run $((t3 - t2))s"
# the totals, last
s="$np passed, $nf failed"
[ "${ns:-0}" -gt 0 ] && s="$s, $ns skipped"
echo "$s"
exit "$rc"
