#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compare npf's packet decoder with tcpdump.
#
#   run.sh DECODE_TEST [DECODE_TEST_ASAN]
#
# gen.py writes the test captures; for every capture and every option set
# below, the output of "DECODE_TEST OPTIONS -r FILE" must equal, byte for
# byte, the output of "tcpdump OPTIONS -r FILE" (time zone UTC, tcpdump's
# stderr dropped).  With DECODE_TEST_ASAN (built with -fsanitize=address,
# undefined) every case is run again under the sanitizers, which must stay
# silent and give the same output, and fuzz.pcap (random bytes, not
# comparable with tcpdump) is checked for one line per packet.
#
# Prints "ok"/"not ok" per case and "N passed, N failed" at the end; exits
# non-zero when a case failed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: run.sh DECODE_TEST [DECODE_TEST_ASAN]}
asan=${2:-}

# Known, documented difference (see tools/common/decode.h): npf prints
# absolute TCP sequence numbers, as tcpdump does with -S; tcpdump's
# default relative numbers need state kept across packets.  It only
# shows in SACK blocks here, every TCP segment in the captures being the
# first of its connection.
TCPDUMP_EXTRA=(-S)

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "tcpdump not found: apt-get install tcpdump" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gen.py" "$work" || exit 2

export TZ=UTC
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98

optsets=(
	"-n"
	""
	"-n -e"
	"-e"
	"-n -x"
	"-n -xx"
	"-n -X"
	"-n -XX"
	"-n -t"
	"-n -tt"
	"-n -v"
	"-v"
	"-n -e -v -XX"
	"-e -tt -xx"
)
files=(eth raw nano be trunc mangled)

pass=0
fail=0
n=0

report() {	# STATUS DESCRIPTION [DIFF FILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && head -n 20 "$3" | sed 's/^/#   /'
	fi
}

# compare NAME OPTIONS...: one case against tcpdump, and under ASan.
compare() {
	local name=$1 f="$work/$1.pcap" out="$work/out"
	shift
	: >"$out.diff"
	tcpdump "${TCPDUMP_EXTRA[@]}" "$@" -r "$f" >"$out.want" 2>/dev/null
	if "$bin" "$@" -r "$f" >"$out.got" 2>"$out.err" &&
	   diff -u "$out.want" "$out.got" >"$out.diff"; then
		report ok "$name.pcap $*"
	else
		cat "$out.err" >>"$out.diff"
		report "not ok" "$name.pcap $*" "$out.diff"
	fi
	[ -z "$asan" ] && return
	if "$asan" "$@" -r "$f" >"$out.asan" 2>"$out.err" &&
	   [ ! -s "$out.err" ] && cmp -s "$out.got" "$out.asan"; then
		report ok "asan $name.pcap $*"
	else
		report "not ok" "asan $name.pcap $*" "$out.err"
	fi
}

for f in "${files[@]}"; do
	for o in "${optsets[@]}"; do
		# shellcheck disable=SC2086
		compare "$f" $o
	done
done
compare nano -n --time-stamp-precision=nano
compare nano -n -tt --time-stamp-precision=nano
compare eth -n -tt --time-stamp-precision=nano

# Robustness: random bytes, every option set, one line per packet.
fuzz_check() {	# NAME BINARY LABEL OPTIONS...
	local name=$1 b=$2 label=$3 out="$work/fuzz" lines want
	shift 3
	want=$(cat "$work/$name.count")
	"$b" "$@" -r "$work/$name.pcap" >"$out.got" 2>"$out.err"
	local rc=$?
	lines=$(grep -c -v '^[[:space:]]' "$out.got")
	if [ $rc -eq 0 ] && [ ! -s "$out.err" ] && [ "$lines" = "$want" ]; then
		report ok "$label $name.pcap $*"
	else
		echo "exit $rc, $lines lines for $want packets" >>"$out.err"
		report "not ok" "$label $name.pcap $*" "$out.err"
	fi
}

for f in fuzz fuzzraw; do
	for o in "-n" "" "-n -e -v" "-e -v -XX" "-n -x"; do
		# shellcheck disable=SC2086
		fuzz_check $f "$bin" plain $o
		# shellcheck disable=SC2086
		[ -n "$asan" ] && fuzz_check $f "$asan" asan $o
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
