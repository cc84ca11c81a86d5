#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# npfdump and tcpdump capture the same N frames on one veth interface (in a
# network namespace of their own); both pcap files must hold exactly those
# frames, byte for byte, with timestamps that agree, and they must match
# what selftests/sendframes says it sent. TAP output; exit 0 when all ok.
#
# Needs: tools/npfdump and selftests/sendframes built, npf.ko loaded,
# tcpdump, ip, unshare; root.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
NPFDUMP=$REPO/tools/npfdump
SEND=$HERE/sendframes
N=${NPF_DUMPCMP_FRAMES:-60}
IFA=npfd0
IFB=npfd1

# Everything runs in a private network namespace.
if [ -z "${NPF_DUMPCMP_NETNS:-}" ]; then
	export NPF_DUMPCMP_NETNS=1
	exec unshare --net --mount -- bash "$0" "$@"
fi
# sysfs shows the devices of the namespace that mounted it
mount -t sysfs sysfs /sys || { echo "Bail out! cannot mount sysfs"; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin

NTESTS=8
t=0
failed=0
ok() {
	t=$((t + 1))
	echo "ok $t - $*"
}
notok() {
	t=$((t + 1))
	failed=1
	echo "not ok $t - $*"
}
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
bail() {
	echo "# $*"
	while [ "$t" -lt "$NTESTS" ]; do
		notok "not reached: $*"
	done
	exit 1
}

echo "TAP version 13"
echo "1..$NTESTS"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/npfdump-cmp.XXXXXX") || bail "mktemp failed"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$NPFDUMP" ] || bail "$NPFDUMP not built"
[ -x "$SEND" ] || bail "$SEND not built"
command -v tcpdump >/dev/null || bail "tcpdump not installed"
[ -c /dev/npf ] || bail "/dev/npf missing (npf.ko not loaded?)"

# --- a quiet veth pair ---------------------------------------------------------
setup() {
	if [ -d /proc/sys/net/ipv6 ]; then
		echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 || return 1
	fi
	ip link add "$IFA" type veth peer name "$IFB" || return 1
	if [ -d /proc/sys/net/ipv6 ]; then
		echo 1 >"/proc/sys/net/ipv6/conf/$IFA/disable_ipv6" &&
		echo 1 >"/proc/sys/net/ipv6/conf/$IFB/disable_ipv6" || return 1
	fi
	ip link set "$IFA" up && ip link set "$IFB" up || return 1
	# the qdisc is attached once the carrier is up
	local i
	for i in $(seq 100); do
		[ "$(cat /sys/class/net/$IFA/operstate)" = up ] &&
			[ "$(cat /sys/class/net/$IFB/operstate)" = up ] && break
		sleep 0.1
	done
	sleep 0.5
	[ "$(cat /sys/class/net/$IFA/operstate)" = up ]
}
check "veth pair $IFA/$IFB up in a private namespace" setup || true
[ "$failed" = 0 ] || bail "no veth pair"

# --- capture with both --------------------------------------------------------
"$NPFDUMP" -i "$IFA" -w "$tmp/npf.pcap" -c "$N" 2>"$tmp/npf.err" &
pids+=($!)
npf_pid=$!
tcpdump -i "$IFA" -w "$tmp/tcpdump.pcap" -c "$N" -U -Z root \
	2>"$tmp/tcpdump.err" &
pids+=($!)
tcp_pid=$!

listening() {
	grep -q 'listening on' "$tmp/npf.err" 2>/dev/null &&
		grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null
}
for i in $(seq 300); do
	listening && break
	kill -0 "$npf_pid" 2>/dev/null || break
	kill -0 "$tcp_pid" 2>/dev/null || break
	sleep 0.1
done
if listening; then
	ok "npfdump and tcpdump listening on $IFA"
else
	notok "npfdump and tcpdump listening on $IFA"
	sed 's/^/# npfdump: /' "$tmp/npf.err"
	sed 's/^/# tcpdump: /' "$tmp/tcpdump.err"
	bail "capture did not start"
fi

"$SEND" "$IFB" "$IFA" "$N" "$tmp/sent.pcap" || bail "sendframes failed"

# both stop by themselves after N frames
done_both() {
	! kill -0 "$npf_pid" 2>/dev/null && ! kill -0 "$tcp_pid" 2>/dev/null
}
for i in $(seq 600); do
	done_both && break
	sleep 0.1
done
npf_rc=0
tcp_rc=0
if ! done_both; then
	echo "# still running after 60 s: stopping them"
	kill -INT "$npf_pid" "$tcp_pid" 2>/dev/null
	sleep 2
fi
wait "$npf_pid" || npf_rc=$?
wait "$tcp_pid" || tcp_rc=$?
pids=()
sed 's/^/# npfdump: /' "$tmp/npf.err"
sed 's/^/# tcpdump: /' "$tmp/tcpdump.err"

# one line per packet: those that start with a timestamp (a decode may
# add indented continuation lines)
stamps() {
	tcpdump -nn -tt -r "$1" 2>/dev/null | awk '/^[0-9]+\.[0-9]+ / { print $1 }'
}
count() {
	stamps "$1" | wc -l
}
npf_n=$(count "$tmp/npf.pcap")
tcp_n=$(count "$tmp/tcpdump.pcap")
sent_n=$(count "$tmp/sent.pcap")
echo "# sent $sent_n, npfdump wrote $npf_n (exit $npf_rc), tcpdump wrote $tcp_n (exit $tcp_rc)"
check "npfdump -c $N wrote $N frames and exited 0" \
	test "$npf_n" = "$N" -a "$npf_rc" = 0
check "tcpdump -c $N wrote $N frames" test "$tcp_n" = "$N"

linktype() {
	tcpdump -r "$1" -c 1 2>&1 >/dev/null | grep -q 'link-type EN10MB'
}
check "npfdump's file is a pcap of link type EN10MB" linktype "$tmp/npf.pcap"

# bytes (and lengths, in tcpdump's decode) without timestamps
hex() {
	tcpdump -nn -t -xx -r "$1" 2>/dev/null
}
hex "$tmp/npf.pcap" >"$tmp/npf.hex"
hex "$tmp/tcpdump.pcap" >"$tmp/tcpdump.hex"
hex "$tmp/sent.pcap" >"$tmp/sent.hex"
if cmp -s "$tmp/npf.hex" "$tmp/tcpdump.hex"; then
	ok "npfdump and tcpdump captured the same frames byte for byte"
else
	notok "npfdump and tcpdump captured the same frames byte for byte"
	diff "$tmp/tcpdump.hex" "$tmp/npf.hex" | head -40 | sed 's/^/# /'
fi
if cmp -s "$tmp/npf.hex" "$tmp/sent.hex"; then
	ok "npfdump's frames are the frames sent"
else
	notok "npfdump's frames are the frames sent"
	diff "$tmp/sent.hex" "$tmp/npf.hex" | head -40 | sed 's/^/# /'
fi

# timestamps: pairwise within 1 s of tcpdump's, never going backwards
stamps "$tmp/npf.pcap" >"$tmp/npf.ts"
stamps "$tmp/tcpdump.pcap" >"$tmp/tcpdump.ts"
if [ -s "$tmp/npf.ts" ] &&
	paste "$tmp/npf.ts" "$tmp/tcpdump.ts" | awk '
	NF != 2 { bad = 1; print "# line " NR ": missing stamp"; next }
	{
		d = $1 - $2; if (d < 0) d = -d
		if (d > 1.0) { bad = 1; print "# frame " NR ": npfdump " $1 ", tcpdump " $2 }
		if (NR > 1 && $1 < prev) { bad = 1; print "# frame " NR ": npfdump stamp went backwards" }
		prev = $1
	}
	END { exit bad }'; then
	ok "npfdump's timestamps agree with tcpdump's within 1 s and increase"
else
	notok "npfdump's timestamps agree with tcpdump's within 1 s and increase"
fi

exit "$failed"
