#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the npf debug kernel (scripts/kernel/build.sh) with the test VM of
# scripts/vm/run.sh, unchanged.
#
#   scripts/kernel/vm.sh [--tree DIR] [run.sh OPTIONS] -- COMMAND [ARGS...]
#   scripts/kernel/vm.sh [--tree DIR] [run.sh OPTIONS] --script FILE [ARGS...]
#
# run.sh boots /boot/vmlinuz-VER and needs /lib/modules/VER (modprobe's
# data for the virtio/9p modules of its initramfs): it cannot boot a
# kernel image from elsewhere. So this runs it in a private mount
# namespace where /boot and /lib/modules are bind mounts of the layout
# build.sh leaves in <tree>/vmroot (bzImage as vmlinuz-VER, the
# modules.builtin data of a kernel with virtio and 9p built in, so the
# initramfs loads no module). QEMU, and through 9p the guest, see that
# view; nothing changes outside the namespace. (Needs root, or
# unprivileged user namespaces.)
#
# --tree DIR   the built tree (default: $NPF_CACHE_DIR/kernel-debug, i.e.
#              build/kernel-debug; build it first with build.sh)
#
# Kernel command line added: pci=noacpi (see below), panic_on_warn=1
# (NPF_KVM_PANIC_ON_WARN=0 to drop it), loglevel=5 so that warnings,
# lockdep and KASAN reports reach the console log even with run.sh's
# `quiet` (NPF_VM_KLOG=1 shows everything), and log_buf_len=8M so that a
# long run's kernel log (read back with dmesg by selftests/run.sh) does not
# wrap. Everything else is run.sh's: -t, -v, -q, -l, -e, -m, -s, -a.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NPF_CACHE_DIR:-$REPO/build}

tree=$CACHE/kernel-debug
if [ "${1:-}" = --tree ]; then
	tree=${2:?--tree needs a directory}
	shift 2
fi

die() {
	echo "kernel/vm.sh: $*" >&2
	exit 125
}

[ -f "$tree/include/config/kernel.release" ] ||
	die "no built kernel in $tree (run scripts/kernel/build.sh)"
krel=$(cat "$tree/include/config/kernel.release")
root=$tree/vmroot
[ -f "$root/boot/vmlinuz-$krel" ] && [ -d "$root/lib/modules/$krel/kernel" ] ||
	die "$root lacks vmlinuz-$krel or lib/modules/$krel (rebuild: scripts/kernel/build.sh --force)"
modules=$(readlink -f /lib/modules) || die "no /lib/modules"
[ -d "$modules" ] || die "no /lib/modules"

# pci=noacpi: PCI interrupt routing from the BIOS tables. With ACPI's
# _PRT, this kernel (KASAN, lockdep... under TCG) runs QEMU's AML so slowly
# that ACPICA gives up (AE_AML_LOOP_TIMEOUT after 30 s per device), the
# virtio devices get no interrupt and the 9p root never mounts. ACPI stays
# on for poweroff.
append="pci=noacpi loglevel=5 log_buf_len=8M"
[ "${NPF_KVM_PANIC_ON_WARN:-1}" = 1 ] && append="$append panic_on_warn=1"

if [ "$(id -u)" = 0 ]; then
	ns=(unshare --mount --propagation private)
else
	ns=(unshare --user --map-root-user --mount --propagation private)
fi

# shellcheck disable=SC2016
exec "${ns[@]}" -- /bin/bash -c '
	root=$1 modules=$2 run=$3 krel=$4 append=$5
	shift 5
	mount --bind "$root/boot" /boot &&
		mount --bind "$root/lib/modules" "$modules" ||
		{ echo "kernel/vm.sh: bind mounts failed" >&2; exit 125; }
	exec "$run" --kernel "$krel" --append "$append" "$@"
' vm.sh "$root" "$modules" "$REPO/scripts/vm/run.sh" "$krel" "$append" "$@"
