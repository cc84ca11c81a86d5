#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every function libnpf.so exports is declared in Packet32.h and has a man
# page: its own (man/NAME.3) or its group's, which names it in its NAME
# section (the Makefile's MAN_LINKS, FUNCTION:PAGE, installs the link).
# Every page renders without a warning when groff is there.
#
#   tests/man.sh SOLIB [FUNCTION:PAGE...]

solib=$1
shift
links=" $* "
rc=0

for f in $(nm -D --defined-only "$solib" | awk '{ print $3 }' |
	   sed -n 's/^\(Packet[A-Za-z0-9]*\)@@.*/\1/p'); do
	if ! grep -q "[ *]$f(" Packet32.h; then
		echo "man.sh: $f is not declared in Packet32.h" >&2
		rc=1
	fi
	page=$f
	case $links in *" $f:"*)
		page=${links#*" $f:"}
		page=${page%% *}
		;;
	esac
	if [ ! -f "man/$page.3" ]; then
		echo "man.sh: $f has no man page (man/$page.3)" >&2
		rc=1
	elif ! sed -n '/^\.SH NAME/,/^\.SH/p' "man/$page.3" | grep -q "$f\\b"; then
		echo "man.sh: man/$page.3 does not name $f" >&2
		rc=1
	fi
done

if command -v groff >/dev/null 2>&1; then
	for p in man/*.3; do
		out=$(LC_ALL=C groff -man -ww -z -Tutf8 "$p" 2>&1)
		if [ -n "$out" ]; then
			echo "man.sh: $p: $out" >&2
			rc=1
		fi
	done
fi
exit $rc
