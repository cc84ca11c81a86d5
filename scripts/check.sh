#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test suite behind `make check` (which builds everything first).
#
#  1. host-side unit tests: `make -C libnpf test` and `make -C tools test`,
#     for each directory whose Makefile has a `test` target;
#  2. the kernel-side selftests: boots the VM (scripts/vm/run.sh) on the
#     kernel kmod/npf.ko was built for and runs selftests/run.sh in it;
#  3. the KUnit suites (kmod/tests/) on a debug kernel built from
#     linux-source-6.1 with KASAN, lockdep, kmemleak, failslab and
#     panic_on_warn (built once, cached in build/): scripts/kernel/kunit.sh;
#  4. every selftest again, on that debug kernel, with npf.ko built for it
#     (scripts/kernel/selftests-debug.sh, as `make check-debug`): any
#     KASAN, lockdep, kmemleak, WARN or BUG report fails it, and the fault
#     injection cases that skip on the distro kernel run there. Its results
#     are printed as `PASS: debug: ...`.
#
# Prints every result (PASS:/FAIL:/SKIP: lines) and, last, the totals of
# all parts as `N passed, N failed` (`, N skipped` when any). Exits non-zero
# when anything failed or nothing ran. Logs go to build/check/.
#
# Environment:
#   NPF_CHECK_TIMEOUT=3000  seconds the whole guest run may take
#   NPF_CHECK_VM=auto       1: always the VM; 0: run selftests/run.sh on this
#                           host (as root, loads the module into the running
#                           kernel!); auto: the VM, unless no installed
#                           kernel image matches the module and this kernel
#                           can load it
#   NPF_TEST_TIMEOUT=300    default per-test-program timeout in the guest
#   NPF_VERBOSE=1 (or V=1)  show all test output and the whole VM console
#   NPF_CHECK_TESTS="a b"   run only these selftests (parts 2 and 4)
#   NPF_CHECK_KUNIT=1       0: skip part 3 (KUnit on the debug kernel)
#   NPF_CHECK_DEBUG=1       0: skip part 4 (the selftests on the debug
#                           kernel); with NPF_CHECK_KUNIT=0 too, the debug
#                           kernel is not built at all
#   NPF_DEBUG_TIMEOUT=1800  seconds the part 4 guest run may take
#   NPF_VM_*                see scripts/vm/run.sh (NPF_VM_KVM=1, ...)

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
OUT=$REPO/build/check
mkdir -p "$OUT" || exit 1

verbose=${NPF_VERBOSE:-0}
[ "${V:-0}" = 1 ] && verbose=1
export NPF_VERBOSE=$verbose

hpass=0
hfail=0
hskip=0

# --- 1. host unit tests -----------------------------------------------------

# results DIR FILE: the results in FILE as PASS:/FAIL:/SKIP: lines, from TAP
# (`ok [N] name`, `not ok [N] name`, `# SKIP`, `# TODO`) and automake-style
# PASS:/FAIL:/SKIP:/XFAIL:/XPASS:/ERROR: lines.
results() {
	awk -v dir="$1" '
	function name(s,   why) {
		sub(/^[ \t]*[0-9]*[ \t]*(- )?/, "", s)
		why = ""
		if (match(s, /[ \t]*#/)) {
			why = substr(s, RSTART + RLENGTH)
			sub(/^[ \t]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])?[ \t]*/, "", why)
			s = substr(s, 1, RSTART - 1)
		}
		if (s == "") s = "case " n
		return why == "" ? s : s " (" why ")"
	}
	/^ok( |$)/ {
		n++; s = substr($0, 3)
		if (toupper(s) ~ /# *SKIP/) print "SKIP: " dir ": " name(s)
		else print "PASS: " dir ": " name(s)
		next
	}
	/^not ok( |$)/ {
		n++; s = substr($0, 7)
		if (toupper(s) ~ /# *TODO/) print "SKIP: " dir ": " name(s)
		else print "FAIL: " dir ": " name(s)
		next
	}
	/^(PASS|XFAIL):/ { n++; sub(/^[A-Z]+: */, ""); print "PASS: " dir ": " $0; next }
	/^(FAIL|XPASS|ERROR):/ { n++; sub(/^[A-Z]+: */, ""); print "FAIL: " dir ": " $0; next }
	/^SKIP:/ { n++; sub(/^[A-Z]+: */, ""); print "SKIP: " dir ": " $0; next }
	' "$2"
}

# counts NAME FILE STATUS: the last `N passed, N failed[, N skipped]` line
# of FILE into rp, rf, rs. No such line, or a failed STATUS with no failure
# counted, is one failure (printed).
counts() {
	local name=$1 file=$2 rc=$3 line
	rp=0 rf=0 rs=0
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$file" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: $name: no result (exit status $rc)"
		rf=1
		return
	fi
	rp=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	rf=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	rs=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped$/\1/p')
	rs=${rs:-0}
	if [ "$rc" != 0 ] && [ "$rf" = 0 ]; then
		echo "FAIL: $name: exit status $rc"
		rf=1
	fi
}

start=$(date +%s)
for dir in libnpf tools; do
	[ -f "$dir/Makefile" ] || continue
	# Not `make -n`: it runs recipe lines that call $(MAKE).
	grep -q '^test:' "$dir/Makefile" || continue
	log=$OUT/host-$dir.log
	echo "# host: make -C $dir test"
	if [ "$verbose" = 1 ]; then
		make --no-print-directory -C "$dir" test 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		make --no-print-directory -C "$dir" test >"$log" 2>&1
		rc=$?
	fi
	results "$dir" "$log" >"$log.results"
	p=$(grep -c '^PASS:' "$log.results")
	f=$(grep -c '^FAIL:' "$log.results")
	s=$(grep -c '^SKIP:' "$log.results")
	cat "$log.results"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=$((f + 1))
		echo "FAIL: $dir: make test exited with status $rc"
	elif [ "$rc" = 0 ] && [ "$((p + f + s))" = 0 ]; then
		p=1
		echo "PASS: $dir: make test"
	fi
	if [ "$f" != 0 ] && [ "$verbose" != 1 ]; then
		echo "  | --- last lines of $log ---"
		tail -n 40 "$log" | sed 's/^/  | /'
	fi
	echo "# host $dir: $p passed, $f failed, $s skipped"
	hpass=$((hpass + p))
	hfail=$((hfail + f))
	hskip=$((hskip + s))
done
echo "# host tests took $(($(date +%s) - start))s"

# --- 2. selftests in the VM -------------------------------------------------

# The kernel to boot is the one the module was built for.
kver=
if [ -f kmod/npf.ko ]; then
	kver=$(modinfo -F vermagic kmod/npf.ko 2>/dev/null | awk '{ print $1 }')
fi
if [ -z "$kver" ]; then
	# KDIR is /lib/modules/<ver>/build
	kdir=${KDIR:-$(scripts/kdir.sh 2>/dev/null)}
	[ -n "$kdir" ] && kver=$(basename "$(dirname "$kdir")")
fi

mode=${NPF_CHECK_VM:-auto}
if [ "$mode" = auto ]; then
	mode=1
	if [ -n "$kver" ] && [ ! -e "/boot/vmlinuz-$kver" ] &&
		[ "$kver" = "$(uname -r)" ] && [ "$(id -u)" = 0 ] &&
		[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" != 1 ] &&
		! grep -qw nomodule /proc/cmdline; then
		mode=0
	fi
fi

gout=$OUT/guest.out
: >"$gout"
tests=()
[ -n "${NPF_CHECK_TESTS:-}" ] && read -r -a tests <<<"$NPF_CHECK_TESTS"

start=$(date +%s)
if [ "$mode" = 0 ]; then
	echo "# selftests on this host ($(uname -r))"
	selftests/run.sh "${tests[@]}" 2>&1 | tee "$gout"
	grc=${PIPESTATUS[0]}
else
	vmargs=(--timeout "${NPF_CHECK_TIMEOUT:-3000}" --log "$OUT/guest-console.log")
	[ -n "$kver" ] && vmargs+=(--kernel "$kver")
	[ "$verbose" = 1 ] && vmargs+=(--verbose)
	echo "# selftests in the VM (kernel ${kver:-default}, console log build/check/guest-console.log)"
	scripts/vm/run.sh "${vmargs[@]}" -- selftests/run.sh "${tests[@]}" 2>&1 | tee "$gout"
	grc=${PIPESTATUS[0]}
fi
elapsed=$(($(date +%s) - start))

counts selftests "$gout" "$grc"
gpass=$rp gfail=$rf gskip=$rs
echo "# selftests took ${elapsed}s"

# --- 3. KUnit on the debug kernel -------------------------------------------
kpass=0 kfail=0 kskip=0
if [ "${NPF_CHECK_KUNIT:-1}" = 1 ]; then
	echo "# KUnit on the debug kernel (scripts/kernel/kunit.sh; the first run builds the kernel)"
	kout=$OUT/kunit.out
	start=$(date +%s)
	scripts/kernel/kunit.sh 2>&1 | tee "$kout"
	krc=${PIPESTATUS[0]}
	counts kunit "$kout" "$krc"
	kpass=$rp kfail=$rf kskip=$rs
	echo "# kunit took $(($(date +%s) - start))s"
fi

# --- 4. every selftest on the debug kernel -----------------------------------
dpass=0 dfail=0 dskip=0
if [ "${NPF_CHECK_DEBUG:-1}" = 1 ]; then
	echo "# debug kernel selftests (scripts/kernel/selftests-debug.sh: KASAN, lockdep, kmemleak, failslab, panic_on_warn; console log build/selftests-debug/console.log)"
	dout=$OUT/selftests-debug.out
	start=$(date +%s)
	# Results as `PASS: debug: prog: case`, apart from part 2's.
	scripts/kernel/selftests-debug.sh "${tests[@]}" 2>&1 |
		sed -u -E 's/^(PASS|FAIL|SKIP): /\1: debug: /' | tee "$dout"
	drc=${PIPESTATUS[0]}
	counts debug "$dout" "$drc"
	dpass=$rp dfail=$rf dskip=$rs
	echo "# debug kernel selftests took $(($(date +%s) - start))s"
fi

# --- totals -----------------------------------------------------------------
np=$((hpass + gpass + kpass + dpass))
nf=$((hfail + gfail + kfail + dfail))
ns=$((hskip + gskip + kskip + dskip))
if [ $((np + nf)) -eq 0 ]; then
	echo "FAIL: nothing ran"
	nf=1
fi
echo "# host: $hpass passed, $hfail failed, $hskip skipped; guest: $gpass passed, $gfail failed, $gskip skipped; kunit: $kpass passed, $kfail failed, $kskip skipped; debug kernel selftests: $dpass passed, $dfail failed, $dskip skipped"
s="$np passed, $nf failed"
[ "$ns" -gt 0 ] && s="$s, $ns skipped"
echo "$s"
[ "$nf" -eq 0 ]
