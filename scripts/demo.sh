#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the test VM and show a live capture through /dev/npf.
#
# In the guest: insmod kmod/npf.ko, a veth pair npf0 (10.77.0.1/24, this
# namespace) <-> npf1 (10.77.0.2/24, namespace npfdemo), then
# `tools/npfdump -n -i npf0 -c 10` while pings and a few UDP datagrams
# cross the pair, then rmmod.
#
# Environment:
#   NPF_DEMO_DUMP=tools/npfdump   the capture program (takes -n -i IF -c N;
#                                 NPF_DEMO_DUMP=tcpdump shows the same
#                                 traffic through the kernel's own capture)
#   NPF_DEMO_COUNT=10             packets to capture
#   NPF_VM_VERBOSE=1              the whole VM console (see scripts/vm/run.sh)

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1

if [ "${1:-}" != --in-guest ]; then
	[ -f kmod/npf.ko ] || { echo "demo.sh: kmod/npf.ko not built (make)" >&2; exit 1; }
	dump=${NPF_DEMO_DUMP:-tools/npfdump}
	case $dump in
	*/*) [ -x "$dump" ] || { echo "demo.sh: $dump not built (make)" >&2; exit 1; } ;;
	esac
	kver=$(modinfo -F vermagic kmod/npf.ko 2>/dev/null | awk '{ print $1 }')
	exec scripts/vm/run.sh --timeout "${NPF_DEMO_TIMEOUT:-300}" \
		${kver:+--kernel "$kver"} -- scripts/demo.sh --in-guest
fi

# --- in the guest -----------------------------------------------------------
DUMP=${NPF_DEMO_DUMP:-tools/npfdump}
COUNT=${NPF_DEMO_COUNT:-10}
NS=npfdemo
export LD_LIBRARY_PATH=$REPO/libnpf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

step() { echo "demo: $*"; }
die() { echo "demo: FAILED: $*"; exit 1; }

if command -v ping >/dev/null; then PING=(ping); else PING=(busybox ping); fi

step "insmod kmod/npf.ko"
insmod kmod/npf.ko || die "insmod"

step "veth pair npf0 (10.77.0.1) <-> npf1 (10.77.0.2, netns $NS)"
ip netns add "$NS" || die "ip netns add"
ip link add npf0 type veth peer name npf1 || die "ip link add"
ip link set npf1 netns "$NS" || die "ip link set netns"
# No IPv6 chatter (router solicitations, MLD) in the capture.
sysctl -qw net.ipv6.conf.npf0.disable_ipv6=1 2>/dev/null
ip netns exec "$NS" sysctl -qw net.ipv6.conf.npf1.disable_ipv6=1 2>/dev/null
ip addr add 10.77.0.1/24 dev npf0 || die "ip addr add"
ip link set npf0 up || die "ip link set up"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 10.77.0.2/24 dev npf1 || die "ip addr add (netns)"
ip -n "$NS" link set npf1 up || die "ip link set up (netns)"

step "$DUMP -n -i npf0 -c $COUNT"
out=$(mktemp)
"$DUMP" -n -i npf0 -c "$COUNT" >"$out" 2>&1 &
pid=$!
(sleep 120; kill "$pid" 2>/dev/null) &
watchdog=$!

# Wait until the capture is open (an fd on /dev/npf, or a packet socket
# for tcpdump), then a little longer for it to bind; at most 20 s.
for _ in $(seq 200); do
	kill -0 "$pid" 2>/dev/null || break
	if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -e '/dev/npf' -e 'socket:'; then
		break
	fi
	sleep 0.1
done
sleep 1

step "traffic: ping 10.77.0.2, UDP datagrams to 10.77.0.2:7777"
"${PING[@]}" -c 2 -W 2 10.77.0.2 >/dev/null 2>&1
for i in 1 2 3; do
	echo "hello npf $i" >/dev/udp/10.77.0.2/7777
done
# Keep some traffic going until the capture has its packets.
for _ in $(seq 30); do
	kill -0 "$pid" 2>/dev/null || break
	"${PING[@]}" -c 1 -W 1 10.77.0.2 >/dev/null 2>&1
	echo "hello npf again" >/dev/udp/10.77.0.2/7777
done
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
echo "----------------------------------------------------------------"
cat "$out"
echo "----------------------------------------------------------------"
rm -f "$out"
[ "$rc" = 0 ] || echo "demo: $DUMP exited with status $rc"

ip link del npf0 2>/dev/null
ip netns del "$NS" 2>/dev/null
step "rmmod npf"
rmmod npf || die "rmmod npf"
[ "$rc" = 0 ] || exit "$rc"
step "done"
