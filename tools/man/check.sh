#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The man pages say what the tools do: every option a tool's --help names
# is in man/TOOL.8, and every long option the page names is one the tool
# takes. Every page renders without a warning when groff is there.
# TAP-style lines, as scripts/check.sh reads.
#
#   man/check.sh TOOL...     (from tools/, after make)

rc=0

# The options of `TOOL --help`: -x and --long-name, one a line.
help_options() {
	"./$1" --help | sed -n 's/.*\[-\([A-Za-z]*\)\].*/\1/p' |
		fold -w 1 | sed 's/^/-/'
	"./$1" --help | grep -oE '(^|[][ ,(])-[A-Za-z]([^A-Za-z-]|$)' |
		grep -oE -- '-[A-Za-z]'
	"./$1" --help | grep -oE -- '--[a-z][a-z-]*'
}

# The option as the page writes it (roff: \- for each hyphen).
in_page() {
	roff=$(printf '%s' "$1" | sed 's/-/\\\\-/g')
	grep -qE -- "$roff([^A-Za-z\\\\-]|\\\\f|\$)" "$2"
}

check_tool() {
	tool=$1
	page=man/$tool.8
	bad=
	if [ ! -f "$page" ]; then
		echo "not ok man page $page"
		return 1
	fi
	for opt in $(help_options "$tool" | sort -u); do
		in_page "$opt" "$page" || bad="$bad $opt"
	done
	for opt in $(grep -oE -- '\\-\\-[a-z][a-z\\-]*' "$page" |
		     sed 's/\\//g' | sort -u); do
		"./$tool" "$opt" </dev/null 2>&1 >/dev/null |
			grep -q 'unrecognized option' && bad="$bad (stale)$opt"
	done
	if command -v groff >/dev/null 2>&1; then
		out=$(LC_ALL=C groff -man -ww -z -Tutf8 "$page" 2>&1)
		[ -n "$out" ] && bad="$bad (groff: $out)"
	fi
	if [ -n "$bad" ]; then
		echo "not ok man page $page:$bad"
		return 1
	fi
	echo "ok man page $page"
}

for t in "$@"; do
	check_tool "$t" || rc=1
done
exit $rc
