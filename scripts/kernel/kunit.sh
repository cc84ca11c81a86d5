#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run npf's KUnit suites (kmod/tests/) on the debug kernel (KASAN,
# lockdep, kmemleak, panic_on_warn) in the test VM.
#
#   scripts/kernel/kunit.sh [-v]
#
#  1. scripts/kernel/build.sh --kunit   (the kernel; cached)
#  2. scripts/kernel/build-mod.sh --kunit   (npf_kunit.ko against it)
#  3. scripts/kernel/vm.sh runs scripts/kernel/kunit-guest.sh in the guest:
#     insmod (the suites run), rmmod, kmemleak scan
#  4. the KTAP on the console is parsed here.
#
# Prints `ok SUITE.CASE` / `not ok SUITE.CASE` (with KUnit's diagnostics)
# per case and a last line `N passed, N failed` (`, N skipped` when any).
# Exits non-zero when a case failed, a suite did not finish, nothing ran,
# the guest died, or the kernel log between the markers has a KASAN,
# lockdep, WARN, BUG, Oops... report, a new W/D taint or kmemleak findings
# (these are listed as `not ok kernel: ...`).
#
# -v                      also print the kernel log of the run
# NPF_KUNIT_TIMEOUT=1800  seconds the guest may take
# Logs: build/kunit/console.log (the whole console), build/kunit/ktap.log.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/kunit
verbose=0
[ "${1:-}" = -v ] && verbose=1

mkdir -p "$OUT" || exit 1
log=$OUT/console.log
t0=$(date +%s)

tree=$("$HERE/build.sh" --kunit | tail -n 1)
[ -n "$tree" ] && [ -d "$tree" ] || { echo "kunit.sh: kernel build failed" >&2; exit 1; }
t1=$(date +%s)
mod=$("$HERE/build-mod.sh" --tree "$tree" --kunit | tail -n 1)
[ -n "$mod" ] && [ -f "$mod/kmod/tests/npf_kunit.ko" ] ||
	{ echo "kunit.sh: building npf_kunit.ko failed" >&2; exit 1; }
t2=$(date +%s)

# Full kernel log on the console (KTAP is KERN_INFO).
NPF_VM_KLOG=1 "$HERE/vm.sh" --tree "$tree" --quiet --log "$log" \
	--timeout "${NPF_KUNIT_TIMEOUT:-1800}" --append "loglevel=7 kunit.enable=1" \
	--script "$HERE/kunit-guest.sh" "$mod/kmod/tests/npf_kunit.ko"
vmrc=$?
t3=$(date +%s)

# The run's part of the console, without timestamps and CRs.
sed -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] //' "$log" |
	awk '/npf-kunit: begin/ { on = 1 } on { print } /npf-kunit: end/ { on = 0 }' \
		>"$OUT/ktap.log"
[ "$verbose" = 1 ] && cat "$OUT/ktap.log"

awk '
function flush_diag() { diag = "" }
/^    # Subtest: / { suite = substr($0, 16); plan[suite] = -1; got[suite] = 0;
	order[++nsuites] = suite; flush_diag(); next }
/^    1\.\.[0-9]+$/ { if (suite != "") plan[suite] = substr($0, 8) + 0; next }
/^    (not )?ok [0-9]+ / {
	line = substr($0, 5)
	bad = (line ~ /^not ok/)
	sub(/^(not )?ok [0-9]+ /, "", line)
	name = line
	skip = 0
	if (match(line, / # SKIP/)) { name = substr(line, 1, RSTART - 1); skip = 1;
		why = substr(line, RSTART + 7) }
	got[suite]++
	if (bad) { nfail++; print "not ok " suite "." name; printf "%s", diag }
	else if (skip) { nskip++; print "ok " suite "." name " # SKIP" why }
	else { npass++; print "ok " suite "." name }
	flush_diag(); next
}
/^    / { diag = diag "  |" substr($0, 4) "\n"; next }
/^(not )?ok [0-9]+ / { suite = ""; next }
END {
	for (i = 1; i <= nsuites; i++) {
		s = order[i]
		if (plan[s] >= 0 && got[s] < plan[s]) {
			nfail++
			print "not ok " s ": only " got[s] " of " plan[s] " cases reported (the suite did not finish)"
		}
	}
	printf "%d %d %d\n", npass, nfail, nskip > "/dev/stderr"
}' "$OUT/ktap.log" 2>"$OUT/counts" | tee "$OUT/results"
read -r npass nfail nskip <"$OUT/counts"

# The kernel's own verdict.
bad_re='WARNING:|BUG:|kernel BUG at|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Oops|general protection fault|list_(add|del) corruption|refcount_t:|blocked for more than|rcu.*(stall|self-detected)|ODEBUG|Kernel panic'
kproblems=0
kfail() {
	kproblems=$((kproblems + 1))
	echo "not ok kernel: $*"
}
# The *_alloc_failures cases inject allocation failures: the kernel's
# allocation-failure warnings (warn_alloc: a message, a stack, Mem-Info)
# are expected then, and are not reports. Everything else counts.
awk '
	/^npf-kunit:/ { next }
	/(vmalloc error:|page allocation failure:)/ { skip = 1; nalloc++ }
	skip { if (/<\/TASK>/) skip = 0; next }
	{ print }
	END { if (nalloc) printf "%d\n", nalloc > "/dev/stderr" }
' "$OUT/ktap.log" >"$OUT/kernel.log" 2>"$OUT/allocwarn"
if grep -Eq "$bad_re" "$OUT/kernel.log"; then
	kfail "the kernel log has a report (KASAN/lockdep/WARN/BUG...):"
	grep -E -B2 -A30 "$bad_re" "$OUT/kernel.log" | head -n 150 | sed 's/^/  | /'
fi
[ -s "$OUT/allocwarn" ] &&
	echo "# $(cat "$OUT/allocwarn") allocation-failure warning(s) from fault injection, ignored"

if grep -q '^npf-kunit: kmemleak report:' "$OUT/ktap.log"; then
	kfail "kmemleak found leaks:"
	sed -n '/^npf-kunit: kmemleak report:/,/^npf-kunit: tainted after/p' "$OUT/ktap.log" |
		head -n 80 | sed 's/^/  | /'
fi
tb=$(sed -n 's/^npf-kunit: tainted before: //p' "$log" | tr -d '\r' | tail -n 1)
ta=$(sed -n 's/^npf-kunit: tainted after: //p' "$log" | tr -d '\r' | tail -n 1)
if [ -n "$tb" ] && [ -n "$ta" ] && [ $(((ta & ~tb) & (512 | 128))) -ne 0 ]; then
	kfail "the kernel became tainted ($tb -> $ta: W or D)"
fi
insmod_rc=$(sed -n 's/^npf-kunit: insmod status \([0-9]*\).*/\1/p' "$OUT/ktap.log" | tail -n 1)
if [ "$vmrc" != 0 ]; then
	kfail "the guest run failed (status $vmrc${insmod_rc:+, insmod status $insmod_rc}; console log $log)"
	if [ "$insmod_rc" = "" ]; then
		tail -n 60 "$log" | sed 's/^/  | /'
	fi
fi
if [ "$((npass + nfail + nskip))" = 0 ]; then
	kfail "no KUnit results"
fi

echo "# build $((t1 - t0))s, module build $((t2 - t1))s, VM (boot + suites) $((t3 - t2))s"
nfail=$((nfail + kproblems))
s="$npass passed, $nfail failed"
[ "$nskip" -gt 0 ] && s="$s, $nskip skipped"
echo "$s"
[ "$nfail" = 0 ]
