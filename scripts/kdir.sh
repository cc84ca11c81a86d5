#!/bin/sh
# Print the Kbuild tree to build the module against: the running kernel's
# when it has one, else the newest installed one (e.g. a build host whose
# own kernel ships no headers). Exit 1 when there is none.
run=/lib/modules/$(uname -r)/build
if [ -d "$run" ]; then
	echo "$run"
	exit 0
fi
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
	if [ -f "$d/Makefile" ]; then
		echo "$d"
		exit 0
	fi
done
exit 1
