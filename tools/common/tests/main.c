// SPDX-License-Identifier: GPL-2.0
/* Runs every suite; usage: tools-test [NPFDUMP [NPFSTAT [NPFGEN [NPFCTL]]]] */
#include <stddef.h>
#include <stdio.h>

#include "t.h"

int t_case_failed;
const char *t_case_skipped;
const char *t_npfdump, *t_npfstat, *t_npfgen, *t_npfctl;

static const struct t_case *const suites[] = {
	record_cases, util_cases, filter_cases, cli_cases, rate_cases,
	json_cases, frame_cases, sendq_cases, cli_stat_gen_cases, ctl_cases,
};

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	size_t i;

	t_npfdump = argc > 1 ? argv[1] : NULL;
	t_npfstat = argc > 2 ? argv[2] : NULL;
	t_npfgen = argc > 3 ? argv[3] : NULL;
	t_npfctl = argc > 4 ? argv[4] : NULL;
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
