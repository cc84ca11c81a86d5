#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel VM (scripts/kernel/kunit.sh): load the
# KUnit module (its suites run during insmod and print KTAP to the kernel
# log, which the console carries to the host), unload it, then look for
# leaks. Markers in the kernel log delimit what the host parses.
#
#   kunit-guest.sh MODULE.ko

set -u
ko=${1:?usage: kunit-guest.sh MODULE.ko}
kmsg() { echo "npf-kunit: $*" >/dev/kmsg; }

# Fault injection for the *_alloc_failures cases (they set the task's
# fail-nth): act on GFP_KERNEL allocations too, silently.
fs=/sys/kernel/debug/failslab
if [ -d "$fs" ]; then
	echo N >"$fs/ignore-gfp-wait"
	echo 0 >"$fs/verbose"
fi

# kmemleak: suspects from before (boot) are reported by two scans, then
# made grey by clear, so that what is found later is this run's.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi
echo "npf-kunit: tainted before: $(cat /proc/sys/kernel/tainted)"
kmsg "begin"
start=$(date +%s)
insmod "$ko"
rc=$?
kmsg "insmod status $rc after $(($(date +%s) - start))s"
if [ "$rc" = 0 ]; then
	rmmod npf_kunit || kmsg "rmmod npf_kunit failed"
fi
# Objects younger than 5 s are never reported: let them age, scan twice.
# The report is read, not tested with -s: a debugfs file has size 0.
if [ -w "$kmemleak" ]; then
	sleep 6
	if echo scan >"$kmemleak"; then
		echo scan >"$kmemleak"
		leaks=$(cat "$kmemleak")
		if [ -n "$leaks" ]; then
			echo "npf-kunit: kmemleak report:"
			printf '%s\n' "$leaks"
		fi
	else
		echo "npf-kunit: kmemleak report: kmemleak refuses to scan (it disabled itself?)"
	fi
else
	echo "npf-kunit: no kmemleak in this kernel"
fi
echo "npf-kunit: tainted after: $(cat /proc/sys/kernel/tainted)"
kmsg "end"
exit "$rc"
