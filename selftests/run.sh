#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# npf selftest runner. Runs as root on a kernel that can load kmod/npf.ko,
# normally inside the test VM (`make check`, or by hand:
# `scripts/vm/run.sh -- selftests/run.sh [NAME...]`).
#
#   selftests/run.sh [NAME...]    run all tests, or only those named
#
# What is a test:
#   * every program listed in selftests/TESTS: one per line, a path relative
#     to selftests/ (e.g. `npf_open_test`), optionally followed by a timeout
#     in seconds (`npf_ring_test 600`); blank lines and `#` comments are
#     ignored. A listed program that does not exist is a failure (not built).
#   * every selftests/*.sh except run.sh and lib*.sh (helpers to source),
#     in name order after the TESTS entries (list one in TESTS too to give
#     it a timeout or a place in the order; it still runs once).
#
# How a test is run: from the repo root, as root, stdin /dev/null, stdout
# and stderr to a log, in its own process group (killed afterwards, so
# leftovers cannot hold /dev/npf), under a timeout (default 300 s,
# NPF_TEST_TIMEOUT= changes the default). kmod/npf.ko is loaded before the
# first test and must unload after the last. Environment: NPF_REPO (repo
# root), NPF_VM=1 in the VM, LD_LIBRARY_PATH includes libnpf/.
#
# How results are counted (TAP, as kselftest_harness.h and kselftest.h print):
#   * each unindented `ok N name` is a pass, `ok N name # SKIP why` a skip,
#     `not ok N name` a failure (`# TODO` ones are skips), `Bail out!` a
#     failure;
#   * a program that prints no result line is one test, judged by its exit
#     status: 0 pass, 4 (KSFT_SKIP) skip, else failure;
#   * a program with results that exits non-zero (but not 4) without any
#     `not ok` line, or prints fewer results than its `1..N` plan, adds one
#     failure; so does a timeout or death by a signal;
#   * plus three checks: insmod, rmmod npf, and a clean kernel log (no
#     WARNING:, BUG:, Call Trace, KASAN, UBSAN or lockdep reports, no
#     kmemleak leak report ("new suspected memory leaks", "unreferenced
#     object"; its other notices are not failures), no new W/D taint;
#     where kmemleak is on, a scan after the unload that finds nothing,
#     and kmemleak still on at the end).
#   * NPF_EXPECT_DEBUG=1 (set by scripts/kernel/selftests-debug.sh): one
#     more failure if kmemleak is not on; test programs may also refuse to
#     skip what the debug kernel must be able to run (fault injection).
#
# Output: `PASS: prog: case`, `FAIL: ...`, `SKIP: ...` lines, the output of
# failed programs (prefixed `  | `; all output with NPF_VERBOSE=1), and a
# last line `N passed, N failed` (`, N skipped` when any). Exit status 0
# only when nothing failed and at least one test program ran.

set -u

cd "$(dirname "$0")/.." || exit 1
REPO=$(pwd)
export NPF_REPO=$REPO
export LD_LIBRARY_PATH=$REPO/libnpf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=$PATH:/usr/sbin:/sbin

KO=kmod/npf.ko
DEFAULT_TIMEOUT=${NPF_TEST_TIMEOUT:-300}
VERBOSE=${NPF_VERBOSE:-0}

npass=0
nfail=0
nskip=0
nprogs=0

pass() { npass=$((npass + 1)); echo "PASS: $*"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
skip() { nskip=$((nskip + 1)); echo "SKIP: $*"; }

summary() {
	local s="$npass passed, $nfail failed"
	[ "$nskip" -gt 0 ] && s="$s, $nskip skipped"
	echo "$s"
	[ "$nfail" -eq 0 ] && [ "$nprogs" -gt 0 ]
	exit
}

indent() {
	sed 's/^/  | /'
}

if [ "$(id -u)" != 0 ]; then
	echo "selftests/run.sh: must run as root (normally inside the VM: make check)" >&2
	exit 1
fi

# --- the list of tests ------------------------------------------------------
names=()
timeouts=()
declare -A listed=()

add_test() {
	[ -n "${listed[$1]+x}" ] && return
	listed[$1]=1
	names+=("$1")
	timeouts+=("${2:-$DEFAULT_TIMEOUT}")
}

if [ -f selftests/TESTS ]; then
	while read -r name t _; do
		case $name in '' | '#'*) continue ;; esac
		case $t in '' | '#'* | *[!0-9]*) t= ;; esac
		add_test "$name" "$t"
	done <selftests/TESTS
fi
for f in selftests/*.sh; do
	[ -f "$f" ] || continue
	b=${f#selftests/}
	case $b in run.sh | lib*.sh) continue ;; esac
	add_test "$b"
done

# Only the tests named on the command line (by name, with or without
# selftests/ and .sh).
if [ $# -gt 0 ]; then
	sel_names=()
	sel_timeouts=()
	for want in "$@"; do
		want=${want#selftests/}
		found=
		for i in "${!names[@]}"; do
			if [ "${names[$i]}" = "$want" ] || [ "${names[$i]}" = "$want.sh" ]; then
				sel_names+=("${names[$i]}")
				sel_timeouts+=("${timeouts[$i]}")
				found=1
			fi
		done
		[ -n "$found" ] || { echo "selftests/run.sh: no test named $want" >&2; exit 1; }
	done
	names=("${sel_names[@]}")
	timeouts=("${sel_timeouts[@]}")
fi

# --- kernel state before ----------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/npf-selftests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

tag="npf-selftests-$$-$(date +%s)"
echo "$tag: begin" >/dev/kmsg 2>/dev/null
taint0=$(cat /proc/sys/kernel/tainted 2>/dev/null || echo 0)
# kmemleak (debug kernels): report only what leaks from here on. A scan
# marks the suspects it finds as reported and `clear` turns the reported
# ones grey, so that leaks from before the run (boot) are not blamed on
# it; scan twice, as an object's first scan only records its checksum. A
# scan that is refused means kmemleak is off (disabled at boot, or it
# disabled itself): then it cannot vouch for anything.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_on=
if [ -e "$kmemleak" ] && { echo scan >"$kmemleak"; } 2>/dev/null; then
	echo scan >"$kmemleak" 2>/dev/null
	echo clear >"$kmemleak" 2>/dev/null
	kmemleak_on=1
fi

echo "# npf selftests: kernel $(uname -r), ${#names[@]} program(s)${kmemleak_on:+, kmemleak on}"
# NPF_EXPECT_DEBUG=1 (scripts/kernel/selftests-debug.sh): this is the debug
# kernel, whose leak checking must not go missing unnoticed.
if [ "${NPF_EXPECT_DEBUG:-0}" = 1 ] && [ -z "$kmemleak_on" ]; then
	fail "kmemleak: $kmemleak is missing or refuses a scan on a kernel that should have it"
fi

# --- load -------------------------------------------------------------------
if [ ! -f "$KO" ]; then
	fail "insmod $KO: no such file (build it first: make)"
	summary
fi
if grep -q '^npf ' /proc/modules; then
	rmmod npf 2>"$tmp/rmmod0" ||
		{ fail "insmod $KO: npf is already loaded and does not unload: $(cat "$tmp/rmmod0")"; summary; }
fi
if insmod "$KO" 2>"$tmp/insmod"; then
	pass "insmod $KO"
else
	fail "insmod $KO: $(cat "$tmp/insmod")"
	dmesg 2>/dev/null | tail -n 20 | indent
	summary
fi

# --- run --------------------------------------------------------------------

# parse_tap PROG OUTFILE STATUS TIMEOUT: count the results of one program.
parse_tap() {
	local prog=$1 out=$2 rc=$3 t=$4
	local p=0 f=0 s=0 results=0 plan="" line rest desc dir run=""
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		case $line in
		'ok '* | 'ok' | 'not ok '* | 'not ok')
			results=$((results + 1))
			case $line in
			'not ok'*) rest=${line#not ok} ;;
			*) rest=${line#ok} ;;
			esac
			rest=${rest# }
			# drop the test number
			case $rest in [0-9]*) rest=${rest#"${rest%%[!0-9]*}"}; rest=${rest# } ;; esac
			rest=${rest#- }
			desc=${rest%%#*}
			desc=${desc% }
			dir=
			case $rest in *'#'*) dir=${rest#*#}; dir=${dir# } ;; esac
			# 6.1's harness prints skips as `ok N # SKIP why`: take
			# the name from its `#  RUN  fixture.test ...` line.
			[ -n "$desc" ] || desc=$run
			[ -n "$desc" ] || desc="case $results"
			run=""
			case $line in
			'not ok'*)
				case ${dir^^} in
				TODO*) s=$((s + 1)); skip "$prog: $desc ($dir)" ;;
				*) f=$((f + 1)); fail "$prog: $desc${dir:+ ($dir)}" ;;
				esac
				;;
			*)
				case ${dir^^} in
				SKIP*)
					s=$((s + 1))
					dir=${dir:4}
					dir=${dir# }
					skip "$prog: $desc${dir:+ ($dir)}"
					;;
				*) p=$((p + 1)); pass "$prog: $desc" ;;
				esac
				;;
			esac
			;;
		'#  RUN '*)
			run=${line#'#  RUN '}
			run=${run#"${run%%[! ]*}"}
			run=${run% ...}
			;;
		'Bail out!'*)
			f=$((f + 1))
			fail "$prog: $line"
			;;
		1..[0-9]*)
			[ -z "$plan" ] && { plan=${line#1..}; plan=${plan%%[!0-9]*}; }
			;;
		esac
	done <"$out"

	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		f=$((f + 1))
		fail "$prog: timed out after ${t}s"
	elif [ "$rc" -gt 128 ]; then
		f=$((f + 1))
		fail "$prog: killed by signal $((rc - 128))"
	elif [ "$results" -eq 0 ]; then
		case $rc in
		0) p=$((p + 1)); pass "$prog" ;;
		4) s=$((s + 1)); skip "$prog${plan:+ (plan 1..$plan)}" ;;
		*) f=$((f + 1)); fail "$prog: exit status $rc" ;;
		esac
	else
		if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" -eq 0 ]; then
			f=$((f + 1))
			fail "$prog: exit status $rc"
		fi
		if [ -n "$plan" ] && [ "$results" -lt "$plan" ]; then
			f=$((f + 1))
			fail "$prog: only $results of $plan planned results"
		fi
	fi

	if [ "$f" -gt 0 ] && [ "$VERBOSE" != 1 ]; then
		echo "  | --- output of $prog (exit status $rc) ---"
		indent <"$out"
	fi
	echo "# $prog: $p passed, $f failed, $s skipped (exit status $rc, ${5:-0}s)"
}

for i in "${!names[@]}"; do
	name=${names[$i]}
	t=${timeouts[$i]}
	path=selftests/$name
	nprogs=$((nprogs + 1))
	if [ ! -f "$path" ]; then
		fail "$name: $path not found (not built?)"
		continue
	fi
	if [ -x "$path" ]; then
		cmd=("$path")
	else
		case $name in
		*.sh) cmd=(bash "$path") ;;
		*) fail "$name: $path is not executable"; continue ;;
		esac
	fi
	out=$tmp/out.$i
	: >"$out"
	echo "# $name (timeout ${t}s)"
	start=$(date +%s)
	# timeout(1) puts itself and the test in a new process group.
	timeout -k 10 "$t" "${cmd[@]}" </dev/null >"$out" 2>&1 &
	pid=$!
	tailpid=
	if [ "$VERBOSE" = 1 ]; then
		tail -n +1 -f --pid="$pid" "$out" 2>/dev/null | indent &
		tailpid=$!
	fi
	wait "$pid"
	rc=$?
	kill -KILL -- "-$pid" 2>/dev/null
	[ -n "$tailpid" ] && wait "$tailpid" 2>/dev/null
	parse_tap "$name" "$out" "$rc" "$t" "$(($(date +%s) - start))"
done

if [ "$nprogs" -eq 0 ]; then
	fail "no test programs (selftests/TESTS is empty and there is no selftests/*.sh)"
fi

# --- unload -----------------------------------------------------------------
unloaded=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	if rmmod npf 2>"$tmp/rmmod"; then
		unloaded=1
		break
	fi
	sleep 1
done
t_unload=$(date +%s)
if [ -n "$unloaded" ]; then
	pass "rmmod npf"
else
	fail "rmmod npf: $(cat "$tmp/rmmod")"
	# Who still holds /dev/npf open?
	for d in /proc/[0-9]*; do
		if ls -l "$d/fd" 2>/dev/null | grep -q /dev/npf; then
			echo "pid ${d#/proc/} ($(cat "$d/comm" 2>/dev/null)) has /dev/npf open"
		fi
	done | indent
fi

# --- kernel log -------------------------------------------------------------
# kmemleak never reports an object younger than 5 s, nor one on its first
# scan: let what the last test and the unload freed (or leaked) age, then
# scan twice and read the report (a debugfs file: its size is always 0, so
# read it, do not test it with -s).
: >"$tmp/leaks"
kmemleak_off=
if [ -n "$kmemleak_on" ]; then
	wait_s=$((t_unload + 6 - $(date +%s)))
	[ "$wait_s" -gt 0 ] && sleep "$wait_s"
	if { echo scan >"$kmemleak"; } 2>/dev/null; then
		sleep 1
		echo scan >"$kmemleak" 2>/dev/null
		head -n 200 "$kmemleak" >"$tmp/leaks" 2>/dev/null
	else
		kmemleak_off=1
	fi
fi
dmesg >"$tmp/dmesg.all" 2>/dev/null || cat /dev/null >"$tmp/dmesg.all"
# Only what the kernel said since we started (all of it if the tag is gone).
awk -v tag="$tag: begin" 'found { print } index($0, tag) { found = 1 }
	END { if (!found) exit 1 }' "$tmp/dmesg.all" >"$tmp/dmesg" ||
	cp "$tmp/dmesg.all" "$tmp/dmesg"
# kmemleak's own lines count only when they report leaks ("N new suspected
# memory leaks", or an object with kmemleak.verbose): its notices, such as
# "Cannot allocate a scan area" under fault injection, are not reports.
# Its stack-dumping warnings (freeing an unknown object...) have a Call Trace.
bad_re='WARNING:|BUG:|kernel BUG at|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|kmemleak: [0-9]+ new suspected memory leak|unreferenced object 0x|Oops|general protection fault|list_(add|del) corruption|refcount_t:|blocked for more than|rcu.*(stall|self-detected)|unregister_netdevice: waiting for'
problems=
if grep -Eq "$bad_re" "$tmp/dmesg"; then
	problems="kernel log has warnings"
fi
taint1=$(cat /proc/sys/kernel/tainted 2>/dev/null || echo 0)
# W (512, a WARN fired) and D (128, an oops) that were not there before.
newtaint=$(((taint1 & ~taint0) & (512 | 128)))
if [ "$newtaint" -ne 0 ]; then
	problems="${problems:+$problems; }kernel became tainted ($taint0 -> $taint1)"
fi
if [ -s "$tmp/leaks" ]; then
	problems="${problems:+$problems; }kmemleak reports leaks"
fi
if [ -n "$kmemleak_off" ]; then
	problems="${problems:+$problems; }kmemleak was disabled during the run (leaks would go unseen)"
fi
if [ -z "$problems" ]; then
	pass "kernel log clean"
else
	fail "kernel log: $problems"
	echo "  | --- kernel log since the tests started ---"
	indent <"$tmp/dmesg"
	if [ -s "$tmp/leaks" ]; then
		echo "  | --- $kmemleak ---"
		indent <"$tmp/leaks"
	fi
fi

summary
