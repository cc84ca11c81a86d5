/* SPDX-License-Identifier: MIT */
/*
 * A minimal test harness: a suite is an array of named cases; a case
 * fails when any CHECK in it fails. main() prints one line per case and
 * closes with "N passed, N failed".
 */
#ifndef _NPF_T_H
#define _NPF_T_H

#include <stdio.h>

struct t_case {
	const char *name;
	void (*fn)(void);
};

#define T_CASE(f)	{ #f, f }
#define T_END		{ NULL, NULL }

extern int t_case_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			t_case_failed = 1;				\
			printf("  %s:%d: CHECK(%s) failed\n",		\
				__FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

/* Call that fails with errno e; checks both the result and errno. */
#define CHECK_ERR(expr, bad, e)						\
	do {								\
		errno = 0;						\
		CHECK((expr) == (bad));					\
		CHECK(errno == (e));					\
	} while (0)

/* Cases that cannot run here count as skipped, not passed. */
extern const char *t_case_skipped;
#define SKIP(why)							\
	do {								\
		t_case_skipped = (why);					\
		return;							\
	} while (0)

extern const struct t_case name_cases[], bpf_cases[], record_cases[],
	error_cases[], ioctl_cases[], pcap_order_cases[],
	export_cases[], sendq_cases[], adapter_cases[], host_cases[];

/* Path of libnpf.so.1, from the command line, for the export test. */
extern const char *t_solib;

#endif /* _NPF_T_H */
