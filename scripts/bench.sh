#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench` (which runs `make deps` and `make all` first): npf's
# benchmark, issue #8. Builds the helpers in bench/ (build/bench/), boots
# the VM (scripts/vm/run.sh, as `make check` does), runs bench/guest.sh in
# it, and prints the table bench/report.py makes of the raw figures: every
# ratio measured side by side in one boot, medians of interleaved rounds,
# with PASS/MISS against the targets (informational: the exit status is 0
# unless the benchmark could not run).
#
# Rows (bench/guest.sh and bench/report.py say exactly how):
#   capture  npfdump -w /dev/null vs tcpdump -w /dev/null (TPACKET_V3),
#            same -B, 64 and 1500-byte frames, all frames and a 1% filter:
#            cost per captured packet (extra sender time + reader CPU), loss
#   filter   ns/packet of tcpdump filters in the kernel: JIT vs interpreter
#            (bench/kmod/npf_bpfbench.ko runs npf's filter call; the sysctl
#            net.core.bpf_jit_enable picks the runtime), libpcap's beside
#   stat     npfstat (statistics mode) vs npfdump -w /dev/null
#   dump     npfdump -K -w FILE vs tcpdump -w FILE (and npfdump -w FILE) to
#            tmpfs: CPU of every thread per packet, loss
#   xmit     npfgen -n vs pktgen vs bench/sendmmsg.c (AF_PACKET), counted on
#            the veth peer's rx_packets
#
# Output: the table on stdout; build/bench/results.json and a timestamped
# copy build/bench/results-YYYYmmdd-HHMMSS.json (compare runs with them);
# the raw lines, console log and optional profiles in
# build/bench/runs/YYYYmmdd-HHMMSS/.
#
# Environment:
#   NPF_BENCH_TIMEOUT=1800   seconds the guest may take
#   NPF_BENCH_CLOCK=tsc      guest clocksource: "tsc" boots with
#                            tsc=reliable clocksource=tsc (under TCG the
#                            kernel otherwise picks the HPET, whose every
#                            read is an emulated MMIO access costing
#                            microseconds, which would swamp the per-packet
#                            timestamps); "default" leaves it alone
#   NPF_BENCH_REPS, NPF_BENCH_N64, NPF_BENCH_N1500, NPF_BENCH_NTX,
#   NPF_BENCH_ITERS, NPF_BENCH_BUFFER_KIB, NPF_BENCH_ROWS, NPF_BENCH_FLOOD,
#   NPF_BENCH_KO (a candidate npf.ko),
#   NPF_BENCH_PROFILE=1      see bench/guest.sh and bench/README.md (passed
#                            to the guest)
#   NPF_VM_*                 see scripts/vm/run.sh (NPF_VM_KVM=1, ...)

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1

die() {
	echo "bench.sh: $*" >&2
	exit 1
}

command -v python3 >/dev/null || die "python3 not found (make deps installs it)"
[ -f kmod/npf.ko ] || die "kmod/npf.ko not built (make all)"
for t in npfdump npfstat npfgen; do
	[ -x "tools/$t" ] || die "tools/$t not built (make all)"
done

stamp=$(date +%Y%m%d-%H%M%S)
out=build/bench/runs/$stamp
mkdir -p "$out" || die "cannot create $out"

echo "bench: building the helpers (bench/ -> build/bench/)"
make -s -C bench OUT=../build/bench all >"$out/build.log" 2>&1 || {
	tail -n 20 "$out/build.log" >&2
	die "building bench/ failed (log: $out/build.log)"
}

append=
case ${NPF_BENCH_CLOCK:-tsc} in
tsc) append="tsc=reliable clocksource=tsc" ;;
default) ;;
*) die "NPF_BENCH_CLOCK must be tsc or default" ;;
esac

# The console goes through bench/hostmon.py, which samples the CPU time of
# the VM's virtual CPU threads at the guest's marks.
fifo=$out/console.fifo
rm -f "$fifo" "$out/ack"
mkfifo "$fifo" || die "mkfifo failed"
export NPF_BENCH_HOSTMON=${NPF_BENCH_HOSTMON:-1}
echo "bench: booting the VM; the run takes several minutes (log: $out/console.log)"
scripts/vm/run.sh -t "${NPF_BENCH_TIMEOUT:-1800}" -l "$out/console.log" \
	${append:+-a "$append"} -- bench/guest.sh "$out" >"$fifo" 2>&1 &
vmpid=$!
trap 'kill "$vmpid" 2>/dev/null; exit 130' INT
trap 'kill "$vmpid" 2>/dev/null; exit 143' TERM
python3 bench/hostmon.py --pid "$vmpid" --out "$out/host.txt" \
	--ack "$out/ack" <"$fifo"
wait "$vmpid"
status=$?
trap - INT TERM
rm -f "$fifo" "$out/ack"
if [ "$status" != 0 ]; then
	echo "bench.sh: the guest run failed (status $status)" >&2
	[ -s "$out/raw.txt" ] || exit 1
	echo "bench.sh: reporting what was measured" >&2
fi
[ -s "$out/raw.txt" ] || die "no measurements in $out/raw.txt"

echo
python3 bench/report.py --host "$out/host.txt" "$out/raw.txt" build/bench/results.json \
	"build/bench/results-$stamp.json" "$out/results.json"
rstatus=$?
echo
echo "bench: results in build/bench/results.json (copy: build/bench/results-$stamp.json)"
[ "$status" = 0 ] && [ "$rstatus" = 0 ] || exit 1
exit 0
