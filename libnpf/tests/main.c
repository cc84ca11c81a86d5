// SPDX-License-Identifier: MIT
/* Runs every suite; usage: libnpf-test [path of libnpf.so.1] */
#include <stddef.h>
#include <stdio.h>

#include "t.h"

int t_case_failed;
const char *t_case_skipped;
const char *t_solib;

static const struct t_case *const suites[] = {
	name_cases, bpf_cases, record_cases, error_cases, ioctl_cases,
	sendq_cases, adapter_cases, host_cases,
#ifndef NO_PCAP_ORDER_TEST
	pcap_order_cases,
#endif
	export_cases,
};

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	size_t i;

	t_solib = argc > 1 ? argv[1] : NULL;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		const struct t_case *c;

		for (c = suites[i]; c->fn; c++) {
			t_case_failed = 0;
			t_case_skipped = NULL;
			c->fn();
			fflush(stdout);
			/* TAP-style result lines, as scripts/check.sh reads */
			if (t_case_failed) {
				printf("not ok %s\n", c->name);
				failed++;
			} else if (t_case_skipped) {
				printf("ok %s # SKIP %s\n", c->name,
				       t_case_skipped);
				skipped++;
			} else {
				printf("ok %s\n", c->name);
				passed++;
			}
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
