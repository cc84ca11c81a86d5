// SPDX-License-Identifier: MIT
/* Runs every suite; usage: libnpf-test [path of libnpf.so.1] */
#include <stddef.h>
#include <stdio.h>

#include "t.h"

int t_case_failed;
const char *t_solib;

static const struct t_case *const suites[] = {
	name_cases, bpf_cases, record_cases, error_cases, ioctl_cases,
	sendq_cases,
#ifndef NO_PCAP_ORDER_TEST
	pcap_order_cases,
#endif
	export_cases,
};

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	size_t i;

	t_solib = argc > 1 ? argv[1] : NULL;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		const struct t_case *c;

		for (c = suites[i]; c->fn; c++) {
			t_case_failed = 0;
			c->fn();
			/* TAP-style result lines, as scripts/check.sh reads */
			printf("%s %s\n", t_case_failed ? "not ok" : "ok",
			       c->name);
			if (t_case_failed)
				failed++;
			else
				passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
