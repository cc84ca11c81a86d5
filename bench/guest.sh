#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench`: scripts/bench.sh boots the VM
# (scripts/vm/run.sh) and runs this as root from the repo root:
#
#   bench/guest.sh OUTDIR
#
# It loads npf.ko and the timing module, makes a veth pair va <-> vb and
# measures, all in this one boot, every configuration back to back and
# interleaved (rounds of every configuration, the order reversed every
# other round), appending one line of key=value fields per measurement to
# OUTDIR/raw.txt. bench/report.py turns that into the table.
#
# Load comes from the kernel's pktgen (thread kpktgend_0, CPU 0). For the
# capture, statistics and dump rows (NPF_BENCH_FLOOD=rx, the default) it
# runs in "xmit_mode netif_receive" on vb itself, 16 frames per skb
# (burst 16): every frame goes through vb's receive path, taps included,
# in pktgen's thread; with NPF_BENCH_FLOOD=veth it transmits on va in its
# default mode (which bypasses va's taps) and vb receives through veth and
# the backlog. The rx mode costs a quarter of the veth mode per frame
# under TCG, so the taps' own cost stands out of the noise. The transmit
# row always sends on va and counts on vb. Readers run on CPU 1.
# Frames go to 02:00:00:00:00:02, not vb's address, so the stack drops
# them right after the taps (ip_rcv, PACKET_OTHERHOST): what is measured
# is the capture, not IP's route lookup.
#
# Floods run at full speed (cost), and, for the loss comparisons, again at
# an equal offered rate for every tool: the rate pktgen reached with the
# reference tool (tcpdump) capturing, in the same round (pktgen "ratep").
# At full speed a cheaper tap floods faster, so full-speed loss alone would
# compare different loads.
#
# Every measurement snapshots, before the flood and after the drain, the
# run time of every thread of the system (build/bench/bin/cpustat: the
# sum of /proc/*/task/*/schedstat, nanoseconds) and of the reader, and
# records pktgen's own elapsed time, vb's rx_packets, and what the reader
# reports (captured, dropped). A baseline run (the same flood, no reader)
# is in every round.
#
# Environment (defaults in brackets):
#   NPF_BENCH_REPS [3]          rounds
#   NPF_BENCH_FLOOD [rx]        rx or veth, see above
#   NPF_BENCH_N64 [320000]      frames per flood of 64-byte frames
#   NPF_BENCH_N1500 [160000]    ... of 1500-byte frames (multiples of 1600:
#                               pktgen's ports cycle per skb, 16 frames each)
#   NPF_BENCH_NTX [200000]      frames per transmit run
#   NPF_BENCH_ITERS [200000]    filter runs per filter and mode
#   NPF_BENCH_BUFFER_KIB [8192] ring / AF_PACKET buffer for both tools (-B)
#   NPF_BENCH_NWARM [16000]     frames of the warm-up round (every
#                               configuration once, not counted: under TCG
#                               the first run of new code pays for its
#                               translation)
#   NPF_BENCH_DRAIN [1.3]       seconds after a flood before the snapshot
#                               (the readers' 1 s timeouts deliver the rest)
#   NPF_BENCH_ROWS              "filter capture stat dump xmit" (any subset;
#                               "profile" adds the profiling variants,
#                               "xmit-profile" only those of the transmit
#                               row: npfgen and sendmmsg with vb down)
#   NPF_BENCH_PROFILE [0]       1: the profiling variants too (npfread,
#                               pcapnull, reject-all, snap length, MinToCopy)
#                               and, when perf(1) works, kernel profiles
#   NPF_BENCH_KO [kmod/npf.ko]  the module to measure (a candidate build;
#                               any path of the host, which the guest sees)
#   NPF_BENCH_HOSTMON [0]       1: bench/hostmon.py watches the console:
#                               around every measurement print
#                               "NPFBENCH-MARK ID" and wait until it wrote
#                               ID to OUTDIR/ack (it then has the host CPU
#                               time of both virtual CPUs)

set -u

OUT=${1:?usage: bench/guest.sh OUTDIR}
REPS=${NPF_BENCH_REPS:-3}
FLOOD=${NPF_BENCH_FLOOD:-rx}
N64=${NPF_BENCH_N64:-320000}
N1500=${NPF_BENCH_N1500:-160000}
NTX=${NPF_BENCH_NTX:-200000}
NWARM=${NPF_BENCH_NWARM:-16000}
ITERS=${NPF_BENCH_ITERS:-200000}
BUFKIB=${NPF_BENCH_BUFFER_KIB:-8192}
DRAIN=${NPF_BENCH_DRAIN:-1.3}
ROWS=${NPF_BENCH_ROWS:-filter capture stat dump xmit}
PROFILE=${NPF_BENCH_PROFILE:-0}
[ "$PROFILE" = 1 ] && ROWS="$ROWS profile"
HOSTMON=${NPF_BENCH_HOSTMON:-0}

BIN=build/bench/bin
NPFKO=${NPF_BENCH_KO:-kmod/npf.ko}
KMOD=build/bench/kmod/npf_bpfbench.ko
NPFDUMP=tools/npfdump
NPFSTAT=tools/npfstat
NPFGEN=tools/npfgen
DSTMAC=02:00:00:00:00:02
PG=/proc/net/pktgen
RAW=$OUT/raw.txt
TMP=$(mktemp -d /tmp/npf-bench.XXXXXX) || exit 1
DUMPFILE=$TMP/dump.pcap
export LD_LIBRARY_PATH=$PWD/libnpf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$OUT" || exit 1
: >"$RAW" || exit 1

emit() {
	echo "$*" >>"$RAW"
}

say() {
	echo "bench: $*"
}

# A pause without a fork (under emulation a fork costs milliseconds).
mkfifo "$TMP/nap" && exec 9<>"$TMP/nap"
nap() {
	read -r -t "$1" -u 9 _
}

# mark ID: have the host sample the virtual CPUs' time (bench/hostmon.py).
MARKS=0
mark() {
	local v i
	[ "$HOSTMON" = 1 ] || return 0
	echo "NPFBENCH-MARK $1"
	for ((i = 0; i < 500; i++)); do
		v=
		read -r v 2>/dev/null <"$OUT/ack"
		[ "$v" = "$1" ] && return 0
		nap 0.02
	done
	say "no answer from the host monitor: measuring without it"
	HOSTMON=0
}

fail() {
	say "ERROR: $*"
	emit "kind=error msg=$(echo "$*" | tr ' =' '_:')"
	exit 1
}

has_row() {
	case " $ROWS " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- setup -------------------------------------------------------------------

for f in "$NPFKO" "$NPFDUMP" "$NPFSTAT" "$NPFGEN" "$BIN/cpustat" \
	"$BIN/sendmmsg" "$BIN/bpfbench" "$BIN/npfread" "$BIN/pcapnull"; do
	[ -e "$f" ] || fail "$f not built"
done
command -v tcpdump >/dev/null || fail "tcpdump not installed"
[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs (sender on CPU 0, reader on CPU 1)"

insmod "$NPFKO" || fail "insmod $NPFKO failed"
modprobe veth || fail "modprobe veth failed"
modprobe pktgen || fail "modprobe pktgen failed"
for d in all default; do
	echo 1 >/proc/sys/net/ipv6/conf/$d/disable_ipv6 2>/dev/null
done
ip link add va type veth peer name vb || fail "cannot create veth pair"
ip link set va up && ip link set vb up || fail "cannot bring up veth"
# An otherwise idle machine: no timers of ours, no IPv6 chatter.

case $FLOOD in rx | veth) ;; *) fail "NPF_BENCH_FLOOD must be rx or veth" ;; esac

emit "kind=env kernel=$(uname -r) cpus=$(nproc) jit=$(cat /proc/sys/net/core/bpf_jit_enable)" \
	"npf_ko=$NPFKO npf_srcversion=$(cat /sys/module/npf/srcversion 2>/dev/null)" \
	"tcpdump=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')" \
	"libpcap=$(tcpdump --version 2>&1 | awk '/libpcap/{print $3; exit}')" \
	"reps=$REPS flood=$FLOOD n64=$N64 n1500=$N1500 ntx=$NTX iters=$ITERS bufkib=$BUFKIB drain=$DRAIN" \
	"qdisc_va=$(tc qdisc show dev va 2>/dev/null | awk 'NR==1{print $2}')"

# The device pktgen drives: one at a time (pgctrl start runs them all).
PGDEV=
pg_use() {
	local i
	[ "$PGDEV" = "$1" ] && return 0
	echo rem_device_all >$PG/kpktgend_0 || fail "pktgen control failed"
	for ((i = 0; i < 100; i++)); do
		[ -n "$PGDEV" ] && [ -e "$PG/$PGDEV" ] || break
		nap 0.05
	done
	echo "add_device $1" >$PG/kpktgend_0 || fail "pktgen add_device $1 failed"
	PGDEV=$1
}

pgset() {
	echo "$*" >"$PG/$PGDEV" || fail "pktgen: '$*' refused"
}

# pg_setup SIZE COUNT PORTS [MODE [RATE]]: MODE rx (the flood of the
# capture rows, NPF_BENCH_FLOOD) or tx (pktgen on va, default mode); RATE
# limits to RATE frames/s (0: full speed). PORTS "vary" sends to UDP ports
# 0..99 in turn (1 frame in 100 to port 9), "fixed" to port 9 only.
PG_BURST=1
pg_setup() {
	local mode=${4:-rx} rate=${5:-0}
	[ "$mode" = rx ] && [ "$FLOOD" = veth ] && mode=tx
	if [ "$mode" = rx ]; then
		pg_use vb
		pgset "xmit_mode netif_receive"
		PG_BURST=16
	else
		pg_use va
		pgset "xmit_mode start_xmit"
		PG_BURST=1
	fi
	pgset "burst $PG_BURST"
	pgset "count $2"
	pgset "pkt_size $1"
	pgset "clone_skb 0"
	if [ "$rate" -gt 0 ]; then
		# pktgen's delay is per call, and a call sends a burst
		pgset "ratep $(((rate + PG_BURST - 1) / PG_BURST))"
	else
		pgset "delay 0"
	fi
	pgset "dst_mac $DSTMAC"
	pgset "dst_min 198.18.0.2"
	pgset "dst_max 198.18.0.2"
	pgset "src_min 198.18.0.1"
	pgset "src_max 198.18.0.1"
	pgset "udp_src_min 1024"
	pgset "udp_src_max 1024"
	if [ "$3" = vary ]; then
		# pktgen's range is [min, max): ports 0..99, in order.
		pgset "udp_dst_min 0"
		pgset "udp_dst_max 100"
	else
		pgset "udp_dst_min 9"
		pgset "udp_dst_max 9"
	fi
}

pg_run() {
	echo start >$PG/pgctrl || fail "pktgen start failed"
}

# Elapsed microseconds of the last pktgen run.
pg_usec() {
	sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' "$PG/$PGDEV"
}

rxp() {
	cat /sys/class/net/vb/statistics/rx_packets
}

# Frames the veth pair or the backlog dropped (should stay 0).
lostp() {
	local n drop rest
	n=$(($(cat /sys/class/net/va/statistics/tx_dropped) +
		$(cat /sys/class/net/vb/statistics/rx_dropped)))
	while read -r _ drop rest; do
		n=$((n + 0x$drop))
	done </proc/net/softnet_stat
	echo "$n"
}

# snap PREFIX [PID]: the CPU snapshot as PREFIX-ed fields.
snap() {
	local out
	if [ -n "${2:-}" ]; then
		out=$("$BIN/cpustat" "$2")
		out=${out/ p$2=/ reader=}
	else
		out=$("$BIN/cpustat")
	fi
	echo "$out" | sed "s/\([a-z]*\)=/$1\1=/g"
}

RPID=
# start_reader CMD...: on CPU 1; returns once it says it listens.
start_reader() {
	local i
	: >"$TMP/r.out"
	: >"$TMP/r.err"
	taskset -c 1 "$@" >"$TMP/r.out" 2>"$TMP/r.err" &
	RPID=$!
	for ((i = 0; i < 300; i++)); do
		grep -qE 'listening on|counting on' "$TMP/r.err" && return 0
		kill -0 "$RPID" 2>/dev/null || break
		nap 0.1
	done
	say "reader did not start: $* ($(tr '\n' ' ' <"$TMP/r.err"))"
	kill -KILL "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
	return 1
}

stop_reader() {
	[ -n "$RPID" ] || return 0
	kill -INT "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}

# What the reader said: captured= dropped= (tcpdump's and npfdump's three
# lines; npfstat's JSON lines; npfread's and pcapnull's records= line).
reader_result() {
	local kind=$1 cap drop reads=
	case $kind in
	pcap)
		cap=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$TMP/r.err")
		drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$TMP/r.err")
		;;
	stat)
		cap=$(sed -n 's/.*"packets":\([0-9]*\).*/\1/p' "$TMP/r.out" |
			awk '{ s += $1 } END { print s + 0 }')
		drop=0
		;;
	records)
		cap=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$TMP/r.out")
		drop=$(sed -n 's/.* drop=\([0-9]*\).*/\1/p' "$TMP/r.out")
		reads=$(sed -n 's/.* reads=\([0-9]*\).*/\1/p' "$TMP/r.out")
		;;
	esac
	echo "captured=${cap:-NA} dropped=${drop:-NA}${reads:+ reads=$reads}"
}

# measure ROW CFG REP SIZE N PORTS KIND [READER...]: one flood.
# KIND: none (baseline), pcap, stat or records (how to read the result).
# PG_RATE: frames/s for the next floods (0: full speed). PPS[cfg]: the
# rate pktgen reached in the last run of cfg.
PG_RATE=0
declare -A PPS
measure() {
	local row=$1 cfg=$2 rep=$3 size=$4 n=$5 ports=$6 kind=$7
	local b a rx0 rx1 l0 l1 us res extra='' t0=$EPOCHREALTIME
	shift 7
	pg_setup "$size" "$n" "$ports" rx "$PG_RATE"
	rm -f "$DUMPFILE"
	if [ "$kind" != none ]; then
		if ! start_reader "$@"; then
			emit "kind=run row=$row cfg=$cfg rep=$rep size=$size n=$n ports=$ports error=reader_start"
			return
		fi
	fi
	nap 0.3
	rx0=$(rxp)
	l0=$(lostp)
	b=$(snap b_ "$RPID")
	MARKS=$((MARKS + 1))
	mark "${MARKS}b"
	pg_run
	nap "$DRAIN"
	mark "${MARKS}a"
	a=$(snap a_ "$RPID")
	us=$(pg_usec)
	rx1=$(rxp)
	l1=$(lostp)
	if [ "$kind" = none ]; then
		res="captured=0 dropped=0"
	else
		stop_reader
		res=$(reader_result "$kind")
	fi
	[ -f "$DUMPFILE" ] && extra="file_bytes=$(stat -c %s "$DUMPFILE")"
	rm -f "$DUMPFILE"
	[ -n "$us" ] && [ "$us" -gt 0 ] && PPS[$cfg]=$((n * 1000000 / us))
	emit "kind=run row=$row cfg=$cfg rep=$rep size=$size n=$n ports=$ports" \
		"rate=$PG_RATE flood=$FLOOD pg_us=$us rx=$((rx1 - rx0)) lost=$((l1 - l0)) $res $b $a $extra" \
		"$([ "$HOSTMON" = 1 ] && echo "hm=$MARKS")" \
		"wall_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')"
	say "$row $cfg rep $rep size $size: $(echo "$res" | tr '\n' ' ') pktgen ${us}us"
}

# --- filter: interpreter vs JIT ------------------------------------------------

row_filter() {
	local line
	if ! insmod "$KMOD"; then
		emit "kind=filter error=insmod_npf_bpfbench"
		return
	fi
	say "filter: $ITERS runs x 3 modes x $REPS rounds per filter"
	"$BIN/bpfbench" -n "$ITERS" -r "$REPS" bench/filters.txt >"$TMP/filter.out" 2>&1
	while IFS= read -r line; do
		emit "kind=filter $line"
	done <"$TMP/filter.out"
	rmmod npf_bpfbench
}

# --- capture, statistics mode, kernel dump: one set of rounds ----------------

# One round's configurations for one frame size, as "cfg|row|ports|kind|cmd".
capture_configs() {
	local size=$1 b=$BUFKIB rb=$((BUFKIB * 1024))
	echo "base|base|vary|none|"
	if has_row capture || has_row stat || has_row profile; then
		echo "tcpdump|capture|vary|pcap|tcpdump -i vb -n -B $b -w /dev/null"
		echo "npfdump|capture|vary|pcap|$NPFDUMP -i vb -n -B $b -w /dev/null"
	fi
	if has_row capture || has_row profile; then
		echo "tcpdump-sel|capture|vary|pcap|tcpdump -i vb -n -B $b -w /dev/null udp dst port 9"
		echo "npfdump-sel|capture|vary|pcap|$NPFDUMP -i vb -n -B $b -w /dev/null udp dst port 9"
	fi
	if has_row stat || has_row profile; then
		echo "npfstat|stat|vary|stat|$NPFSTAT -i vb -t 0.5 --json"
	fi
	if has_row dump; then
		echo "tcpdump-w|dump|vary|pcap|tcpdump -i vb -n -B $b -w $DUMPFILE"
		echo "npfdump-w|dump|vary|pcap|$NPFDUMP -i vb -n -B $b -w $DUMPFILE"
		echo "npfdump-K|dump|vary|pcap|$NPFDUMP -i vb -n -B $b -K -w $DUMPFILE"
	fi
	if has_row profile; then
		# Where the time goes: the tools' own work (npfread and pcapnull
		# only walk the records), batching (MinToCopy, read size), the
		# copy (snap length), the tap and filter alone (reject-all).
		echo "pcapnull|profile|vary|records|$BIN/pcapnull -i vb -B $b"
		echo "npfread|profile|vary|records|$BIN/npfread -i vb -B $rb"
		echo "npfread-m200k|profile|vary|records|$BIN/npfread -i vb -B $rb -m 200000"
		echo "npfread-m4M|profile|vary|records|$BIN/npfread -i vb -B $rb -m 4000000 -b 4194304"
		echo "npfread-m1|profile|vary|records|$BIN/npfread -i vb -B $rb -m 1"
		echo "npfread-snap14|profile|vary|records|$BIN/npfread -i vb -B $rb -s 14"
		echo "npfread-reject|profile|vary|records|$BIN/npfread -i vb -B $rb less 1"
		echo "pcapnull-reject|profile|vary|records|$BIN/pcapnull -i vb -B $b less 1"
		echo "npfstat-reject|profile|vary|stat|$NPFSTAT -i vb -t 0.5 --json less 1"
		echo "npfdump-m200k|profile|vary|pcap|$NPFDUMP -i vb -n -B $b --min-to-copy 200000 -w /dev/null"
	fi
}

# The loss comparisons: every tool at 90% of the rate pktgen reached with
# the reference tool capturing, in this round (pktgen's rate limiting has
# a cost of its own: at 100% the reference itself could not be offered
# its own full rate).
loss_runs() {
	local rep=$1 size=$2 n=$3 b=$BUFKIB
	if has_row capture && [ -n "${PPS[tcpdump]:-}" ]; then
		PG_RATE=$((PPS[tcpdump] * 9 / 10))
		measure loss tcpdump-eq "$rep" "$size" "$n" vary pcap \
			tcpdump -i vb -n -B "$b" -w /dev/null
		measure loss npfdump-eq "$rep" "$size" "$n" vary pcap \
			"$NPFDUMP" -i vb -n -B "$b" -w /dev/null
	fi
	if has_row dump && [ -n "${PPS[tcpdump-w]:-}" ]; then
		PG_RATE=$((PPS[tcpdump-w] * 9 / 10))
		measure loss tcpdump-w-eq "$rep" "$size" "$n" vary pcap \
			tcpdump -i vb -n -B "$b" -w "$DUMPFILE"
		measure loss npfdump-w-eq "$rep" "$size" "$n" vary pcap \
			"$NPFDUMP" -i vb -n -B "$b" -w "$DUMPFILE"
		measure loss npfdump-K-eq "$rep" "$size" "$n" vary pcap \
			"$NPFDUMP" -i vb -n -B "$b" -K -w "$DUMPFILE"
	fi
	PG_RATE=0
	PPS=()
}

# Rounds 0..REPS-1, after a warm-up round (rep -1, NWARM frames, which
# bench/report.py ignores).
rows_capture() {
	local rep size n cfgs line cfg row ports kind cmd
	for ((rep = -1; rep < REPS; rep++)); do
		for size in 64 1500; do
			n=$N64
			[ "$size" = 1500 ] && n=$N1500
			((rep < 0)) && n=$NWARM
			cfgs=$(capture_configs "$size")
			# Every other round in reverse order, the baseline always first.
			if ((rep % 2 != 0 && rep > 0)); then
				cfgs=$(echo "$cfgs" | head -n 1; echo "$cfgs" | tail -n +2 | tac)
			fi
			while IFS='|' read -r cfg row ports kind cmd; do
				# shellcheck disable=SC2086
				measure "$row" "$cfg" "$rep" "$size" "$n" "$ports" "$kind" $cmd
			done <<<"$cfgs"
			((rep < 0)) || loss_runs "$rep" "$size" "$n"
		done
	done
}

# --- transmit -------------------------------------------------------------------

# xmit_one CFG REP [COUNT]: COUNT frames (default NTX). A run of 16 frames
# in every round gives the fixed cost (process start and exit), which
# bench/report.py subtracts.
xmit_one() {
	local cfg=$1 rep=$2 b a rx0 rx1 secs out ntx=${3:-$NTX} frames
	((rep < 0)) && ntx=$NWARM
	pg_setup 64 "$ntx" fixed tx
	# -rxoff: vb is down, veth drops every frame in va's transmit: the
	# sender's own work, without vb's receive path
	case $cfg in *-rxoff) ip link set vb down ;; esac
	nap 0.3
	rx0=$(rxp)
	b=$(snap b_)
	MARKS=$((MARKS + 1))
	mark "${MARKS}b"
	case $cfg in
	pktgen)
		pg_run
		secs=$(pg_usec | awk '{ printf "%.6f", $1 / 1e6 }')
		out=
		;;
	npfgen*)
		out=$(taskset -c 0 "$NPFGEN" -i va -n "$ntx" --size 64 \
			--dst-mac "$DSTMAC" --json 2>/dev/null)
		secs=$(echo "$out" | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')
		frames=$(echo "$out" | sed -n 's/.*"frames":\([0-9]*\).*/\1/p')
		;;
	sendmmsg*)
		out=$(taskset -c 0 "$BIN/sendmmsg" -i va -n "$ntx" -s 64 -b 256 \
			-d "$DSTMAC")
		secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
		frames=$(echo "$out" | sed -n 's/.*frames=\([0-9]*\).*/\1/p')
		;;
	esac
	mark "${MARKS}a"
	a=$(snap a_)
	rx1=$(rxp)
	case $cfg in *-rxoff) ip link set vb up ;; esac
	emit "kind=xmit cfg=$cfg rep=$rep n=$ntx size=64 rx=$((rx1 - rx0)) seconds=${secs:-NA}" \
		"frames=${frames:-NA} $b $a" \
		"$([ "$HOSTMON" = 1 ] && echo "hm=$MARKS")"
	say "xmit $cfg rep $rep: $((rx1 - rx0)) frames in ${secs:-?} s"
}

row_xmit() {
	local rep cfg cfgs extra=
	has_row profile || has_row xmit-profile && extra="npfgen-rxoff sendmmsg-rxoff"
	for ((rep = -1; rep < REPS; rep++)); do
		cfgs="pktgen npfgen sendmmsg $extra"
		((rep % 2 != 0 && rep > 0)) && cfgs=$(echo "$cfgs" | tr ' ' '\n' | tac | tr '\n' ' ')
		for cfg in $cfgs; do
			xmit_one "$cfg" "$rep"
			((rep < 0)) || xmit_one "$cfg" "$rep" 16
		done
	done
}

# --- kernel profiles (optional) ----------------------------------------------------

profile_perf() {
	local name=$1
	shift
	command -v perf >/dev/null || return 0
	pg_setup 64 "$N64" vary
	if [ $# -gt 0 ]; then
		start_reader "$@" || return 0
	fi
	nap 0.3
	perf record -q -a -e cpu-clock -F 2000 -o "$TMP/perf.data" -- \
		sh -c "echo start > $PG/pgctrl" >/dev/null 2>&1
	stop_reader
	{
		echo "# $name: perf record -a -e cpu-clock -F 2000 during a flood of $N64 64-byte frames"
		echo "# columns: share of samples, samples (1 sample = 0.5 ms of a CPU; ns per frame ="
		echo "# samples * 500000 / $N64), symbol"
		perf report -q -n -i "$TMP/perf.data" --stdio --no-children \
			--sort sym 2>/dev/null | grep -v '^$' | head -n 45
		echo "# by command"
		perf report -q -n -i "$TMP/perf.data" --stdio --no-children \
			--sort comm 2>/dev/null | grep -v '^$' | head -n 10
	} >"$OUT/perf-$name.txt"
	say "profile of $name in $OUT/perf-$name.txt"
}

# --- main -----------------------------------------------------------------------

start=$(date +%s)
has_row filter && row_filter
if has_row capture || has_row stat || has_row dump || has_row profile; then
	rows_capture
fi
{ has_row xmit || has_row xmit-profile; } && row_xmit
if has_row profile && perf --version >/dev/null 2>&1; then
	profile_perf base
	profile_perf npfdump "$NPFDUMP" -i vb -n -B "$BUFKIB" -w /dev/null
	profile_perf tcpdump tcpdump -i vb -n -B "$BUFKIB" -w /dev/null
	profile_perf npfdump-sel "$NPFDUMP" -i vb -n -B "$BUFKIB" -w /dev/null udp dst port 9
	profile_perf tcpdump-sel tcpdump -i vb -n -B "$BUFKIB" -w /dev/null udp dst port 9
fi
emit "kind=done seconds=$(($(date +%s) - start))"
rm -rf "$TMP"
say "done in $(($(date +%s) - start)) s"
exit 0
