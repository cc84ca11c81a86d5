#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command as root inside a throw-away QEMU guest that boots the
# installed Debian kernel and uses the host's root file system (read-only,
# over virtio-9p) as its userland, so the guest has the host's tools and
# this repo's build tree, and can insmod what `make` built.
#
#   scripts/vm/run.sh [OPTIONS] -- COMMAND [ARGS...]
#   scripts/vm/run.sh [OPTIONS] --script FILE [ARGS...]
#
# COMMAND with no ARGS is a shell command line, run by bash -c in the guest
# (so `-- 'modprobe veth && ip link show'` works); with ARGS it is run as
# an argv. --script copies FILE (which may live anywhere on the host) into
# the guest and runs it. The command starts in the repo's root directory,
# with stdin from /dev/null, as root, with PATH set and HOME=/tmp/root.
#
# The exit status is the command's; 124 if the guest timed out; 125 if the
# VM failed some other way (no end marker on the console).
#
# Options (each has an environment equivalent):
#   -t, --timeout SECS   kill the VM after SECS seconds      NPF_VM_TIMEOUT=600
#   -v, --verbose        stream the whole console to stdout  NPF_VM_VERBOSE=1
#                        (default: only the command's output)
#   -q, --quiet          print nothing to stdout, only log   NPF_VM_QUIET=1
#   -l, --log FILE       console log (default build/vm/log/<time>-<pid>.log;
#                        build/vm/last.log points to the latest)
#   -k, --kernel VER     kernel version to boot               NPF_VM_KVER=
#                        (default: newest /boot/vmlinuz-*-amd64 whose
#                        /lib/modules/VER/kernel exists)
#   -e, --env NAME[=VAL] export NAME into the guest (repeatable). NPF_*
#                        (except NPF_VM_*), CI and V are passed through
#                        by default; NPF_VM_ENV="A B" adds more names.
#   -m, --mem MB         guest RAM                             NPF_VM_MEM=2048
#   -s, --smp N          guest CPUs                            NPF_VM_SMP=2
#   -a, --append ARGS    extra kernel command line             NPF_VM_APPEND=
#   NPF_VM_KVM=1         use -enable-kvm -cpu host (default TCG: KVM guests
#                        hang on some hosts)
#   NPF_VM_KLOG=1        full kernel log on the console (default `quiet`)
#
# In the guest: /proc /sys /dev (+pts, shm, net/tun, mqueue), debugfs,
# tracefs, bpffs and cgroup2 are mounted; tmpfs on /tmp /run /var/tmp
# /var/log /mnt /media; the repo's build/ is the host's, read-write;
# everything else is the host's, read-only. NPF_VM=1 is set.
#
# The initramfs (busybox-static + the virtio/9p modules) is cached in
# build/vm/ and rebuilt when the kernel version or these scripts change.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$REPO/build
CACHE=$BUILD/vm

die() {
	echo "vm/run.sh: $*" >&2
	exit 125
}

usage() {
	sed -n '4,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 125
}

timeout=${NPF_VM_TIMEOUT:-600}
verbose=${NPF_VM_VERBOSE:-0}
quiet=${NPF_VM_QUIET:-0}
log=
kver=${NPF_VM_KVER:-}
mem=${NPF_VM_MEM:-2048}
smp=${NPF_VM_SMP:-2}
append_extra=${NPF_VM_APPEND:-}
script=
envs=()

while [ $# -gt 0 ]; do
	case $1 in
	-t | --timeout) timeout=${2:?}; shift 2 ;;
	-v | --verbose) verbose=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-l | --log) log=${2:?}; shift 2 ;;
	-k | --kernel) kver=${2:?}; shift 2 ;;
	-e | --env) envs+=("${2:?}"); shift 2 ;;
	-m | --mem) mem=${2:?}; shift 2 ;;
	-s | --smp) smp=${2:?}; shift 2 ;;
	-a | --append) append_extra="$append_extra ${2:?}"; shift 2 ;;
	--script) script=${2:?}; shift 2; break ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) echo "vm/run.sh: unknown option $1" >&2; usage ;;
	esac
done
[ -n "$script" ] || [ $# -gt 0 ] || usage
case $timeout in '' | *[!0-9]*) die "bad --timeout '$timeout'" ;; esac
[ "$verbose" = 1 ] && quiet=0

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (make deps installs qemu-system-x86)"
command -v modprobe >/dev/null || [ -x /sbin/modprobe ] ||
	die "modprobe not found (install kmod)"
PATH=$PATH:/sbin:/usr/sbin

busybox=${NPF_VM_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found (install busybox-static)"

# --- the kernel -------------------------------------------------------------
if [ -z "$kver" ]; then
	for f in $(ls -d /boot/vmlinuz-*-amd64 2>/dev/null | sort -V -r); do
		v=${f#/boot/vmlinuz-}
		if [ -d "/lib/modules/$v/kernel" ]; then
			kver=$v
			break
		fi
	done
	[ -n "$kver" ] ||
		die "no /boot/vmlinuz-*-amd64 with modules (make deps installs linux-image-amd64)"
fi
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || die "cannot read $vmlinuz"
[ -d "/lib/modules/$kver/kernel" ] || die "no /lib/modules/$kver/kernel"

mkdir -p "$CACHE/log" || die "cannot create $CACHE"

# --- cpio (newc) writer, so that no cpio binary is needed ------------------
export LC_ALL=C
cpio_ino=0

# cpio_entry NAME MODE(octal) SIZE RDEVMAJOR RDEVMINOR; data follows
cpio_entry() {
	local name=$1 mode=$2 size=$3 maj=${4:-0} min=${5:-0} n pad
	cpio_ino=$((cpio_ino + 1))
	n=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$cpio_ino" "$((8#$mode))" 0 0 1 0 "$size" 0 0 "$maj" "$min" "$n" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + n) % 4) % 4))
	[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero
	return 0
}

cpio_dir() {
	cpio_entry "$1" 040755 0
}

# cpio_file NAME MODE SRCFILE
cpio_file() {
	local size pad
	size=$(stat -L -c %s "$3") || return 1
	cpio_entry "$1" "$(printf '%o' $((8#100000 | 8#$2)))" "$size"
	cat "$3" || return 1
	pad=$(((4 - size % 4) % 4))
	[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero
	return 0
}

cpio_trailer() {
	cpio_entry 'TRAILER!!!' 0 0
}

# --- the cached part of the initramfs ---------------------------------------
base=$CACHE/initramfs-$kver.cpio
key=$({
	echo "$kver"
	cat "$HERE/init" "$HERE/run.sh"
	stat -L -c '%s %Y' "$busybox" "$vmlinuz"
} | sha256sum | cut -c1-32)

build_base() {
	local tmp mods m ko i=0 name
	tmp=$(mktemp -d "$CACHE/initramfs.XXXXXX") || return 1
	# Module order from modprobe, as the kernel's own dependency data says.
	mods=$(for m in virtio_pci 9pnet_virtio 9p; do
		modprobe -S "$kver" --show-depends "$m" || echo "FAILED $m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 } $1 == "FAILED" { print }')
	case $mods in *FAILED*)
		rm -rf "$tmp"
		echo "modprobe --show-depends failed for kernel $kver" >&2
		return 1 ;;
	esac
	mkdir -p "$tmp/lib/modules"
	: >"$tmp/modules.list"
	for ko in $mods; do
		i=$((i + 1))
		name=$(printf '%02d-%s' "$i" "$(basename "$ko")")
		case $ko in
		*.ko.xz) name=${name%.xz}; xz -dc "$ko" >"$tmp/lib/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -qdc "$ko" >"$tmp/lib/modules/$name" ;;
		*.ko.gz) name=${name%.gz}; gzip -dc "$ko" >"$tmp/lib/modules/$name" ;;
		*) cp "$ko" "$tmp/lib/modules/$name" ;;
		esac || { rm -rf "$tmp"; echo "cannot copy $ko" >&2; return 1; }
		echo "$name" >>"$tmp/modules.list"
	done
	{
		for d in bin sbin usr usr/bin usr/sbin dev proc sys run tmp \
			newroot npf lib lib/modules; do
			cpio_dir "$d"
		done
		cpio_entry dev/console 020600 0 5 1
		cpio_file init 0755 "$HERE/init"
		cpio_file bin/busybox 0755 "$busybox"
		cpio_file modules.list 0644 "$tmp/modules.list"
		for ko in $(cat "$tmp/modules.list"); do
			cpio_file "lib/modules/$ko" 0644 "$tmp/lib/modules/$ko"
		done
		cpio_trailer
	} >"$tmp/out.cpio" || { rm -rf "$tmp"; return 1; }
	mv -f "$tmp/out.cpio" "$base" && echo "$key" >"$base.key"
	rm -rf "$tmp"
}

if [ ! -f "$base" ] || [ "$(cat "$base.key" 2>/dev/null)" != "$key" ]; then
	build_base || die "cannot build the initramfs in $CACHE"
fi

# --- the per-run part -------------------------------------------------------
rundir=$(mktemp -d "$CACHE/run.XXXXXX") || die "mktemp failed"
qpid=
cleanup() {
	# timeout(1) runs in its own process group, so ^C does not reach it.
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
q() { printf '%q' "$1"; }

{
	echo "NPF_VM_NONCE=$nonce"
	echo "NPF_VM_REPO=$(q "$REPO")"
	echo "NPF_VM_BUILD_SHARE=$(q "$BUILD")"
	echo "NPF_VM_HOSTNAME=npf-vm"
} >"$rundir/conf"

# Environment for the guest command.
names=$(compgen -e | grep -E '^(NPF_|CI$|V$)' | grep -v '^NPF_VM_')
for n in $names ${NPF_VM_ENV:-}; do
	[ -n "${!n+x}" ] && envs+=("$n=${!n}")
done

{
	echo "# generated by scripts/vm/run.sh"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/tmp/root LANG=C.UTF-8 TERM=dumb NPF_VM=1"
	echo "export NPF_REPO=$(q "$REPO")"
	for e in "${envs[@]}"; do
		case $e in
		*=*) echo "export ${e%%=*}=$(q "${e#*=}")" ;;
		*) [ -n "${!e+x}" ] && echo "export $e=$(q "${!e}")" ;;
		esac
	done
	echo "cd $(q "$REPO") || exit 125"
	if [ -n "$script" ]; then
		[ -f "$script" ] || die "no such script: $script"
		printf 'exec'
		if [ -x "$script" ] && head -c 2 "$script" | grep -q '^#!'; then
			printf ' /run/npf-vm/script'
		else
			printf ' /bin/sh /run/npf-vm/script'
		fi
		for a in "$@"; do printf ' %s' "$(q "$a")"; done
		echo
	elif [ $# -eq 1 ]; then
		echo "exec /bin/bash -c $(q "$1")"
	else
		printf 'exec'
		for a in "$@"; do printf ' %s' "$(q "$a")"; done
		echo
	fi
} >"$rundir/cmd.sh"

{
	cpio_file npf/conf 0644 "$rundir/conf"
	cpio_file npf/cmd.sh 0755 "$rundir/cmd.sh"
	if [ -n "$script" ]; then
		if [ -x "$script" ]; then
			cpio_file npf/script 0755 "$script"
		else
			cpio_file npf/script 0644 "$script"
		fi
	fi
	cpio_trailer
} >"$rundir/run.cpio" || die "cannot write the per-run initramfs"
cat "$base" "$rundir/run.cpio" >"$rundir/initrd" || die "cannot write the initramfs"

# --- QEMU -------------------------------------------------------------------
if [ -z "$log" ]; then
	log=$CACHE/log/$(date +%Y%m%d-%H%M%S)-$$.log
	ln -sfn "log/$(basename "$log")" "$CACHE/last.log"
	# Keep the 30 newest logs.
	ls -1t "$CACHE/log/"*.log 2>/dev/null | tail -n +31 | xargs -r rm -f
fi
: >"$log" || die "cannot write $log"

# hung_task_panic: a task stuck in D state (unkillable, so the per-test
# timeouts cannot end it) panics the guest within minutes, with a trace,
# instead of using up the whole VM timeout.
cmdline="console=ttyS0 panic=-1 hung_task_panic=1 mitigations=off"
[ "${NPF_VM_KLOG:-0}" = 1 ] || cmdline="$cmdline quiet"
cmdline="$cmdline $append_extra"

esc() { printf '%s' "${1//,/,,}"; }
qemu=(qemu-system-x86_64 -nographic -nodefaults -no-user-config -no-reboot
	-m "$mem" -smp "$smp"
	-kernel "$vmlinuz" -initrd "$rundir/initrd" -append "$cmdline"
	-serial stdio
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=host
	-fsdev "local,id=build,path=$(esc "$BUILD"),security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=build,mount_tag=build)
if [ "${NPF_VM_KVM:-0}" = 1 ]; then
	qemu+=(-enable-kvm -cpu host)
else
	qemu+=(-accel tcg)
fi

start=$(date +%s)
status=
inside=0
ready=0
mkfifo "$rundir/console" || die "mkfifo failed"
timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$rundir/console" 2>&1 &
qpid=$!
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >>"$log"
	case $line in
	*"NPF-VM-READY-$nonce"*)
		inside=1
		ready=1
		[ "$verbose" = 1 ] && printf '%s\n' "$line"
		continue
		;;
	*"NPF-VM-EXIT-$nonce status="*)
		# The command's last line may lack its newline.
		s=${line%%"NPF-VM-EXIT-$nonce status="*}
		[ -n "$s" ] && [ "$inside" = 1 ] && [ "$quiet" != 1 ] && printf '%s\n' "$s"
		s=${line##*"NPF-VM-EXIT-$nonce status="}
		status=${s%%[!0-9]*}
		inside=0
		[ "$verbose" = 1 ] && printf '%s\n' "$line"
		continue
		;;
	esac
	if [ "$verbose" = 1 ] || { [ "$inside" = 1 ] && [ "$quiet" != 1 ]; }; then
		printf '%s\n' "$line"
	fi
done <"$rundir/console"
wait "$qpid"
qstatus=$?
qpid=
elapsed=$(($(date +%s) - start))
[ "$verbose" = 1 ] && echo "vm/run.sh: kernel $kver, ${elapsed}s, log $log" >&2
# How much of the console to show when the guest did not finish (more in CI,
# where the log file is gone with the machine).
tailn=30
[ "${CI:-}" = true ] && tailn=200
# ... unless it was shown already.
if [ "$verbose" = 1 ] || { [ "$ready" = 1 ] && [ "$quiet" != 1 ]; }; then
	tailn=0
fi

if [ -n "$status" ]; then
	exit "$status"
fi
if [ "$qstatus" = 124 ] || [ "$qstatus" = 137 ]; then
	echo "vm/run.sh: guest timed out after ${timeout}s (log: $log)" >&2
	[ "$tailn" = 0 ] || tail -n "$tailn" "$log" | sed 's/^/  | /' >&2
	exit 124
fi
echo "vm/run.sh: guest ended without an exit status (qemu status $qstatus, log: $log)" >&2
[ "$tailn" = 0 ] || tail -n "$tailn" "$log" | sed 's/^/  | /' >&2
exit 125
