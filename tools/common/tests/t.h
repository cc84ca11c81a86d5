/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness: a suite is an array of named cases; a case
 * fails when any CHECK in it fails. main() prints one line per case and
 * closes with "N passed, N failed".
 */
#ifndef NPF_TOOLS_T_H
#define NPF_TOOLS_T_H

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

extern const struct t_case record_cases[], util_cases[], filter_cases[],
	cli_cases[], rate_cases[], json_cases[], frame_cases[],
	sendq_cases[], cli_stat_gen_cases[], ctl_cases[];

/* The tools' binaries, from the command line, for the CLI tests. */
extern const char *t_npfdump, *t_npfstat, *t_npfgen, *t_npfctl;

/* A tool run to completion: its status and output. */
struct t_run {
	int status;		/* exit status; -1 if it did not exit */
	char out[16384];	/* stdout */
	char err[4096];		/* stderr */
};

/*
 * Run the program at @path with the NULL-terminated arguments, stdin
 * /dev/null: 0 if it ran.
 */
int t_run(struct t_run *r, const char *path, ...);

/* Status 1, nothing on stdout, one stderr line "TOOL: " + @want... */
int t_error_line(const struct t_run *r, const char *tool, const char *want);

/* @path is given and executable. */
int t_can_run(const char *path);

/* Cases that cannot run here count as skipped, not passed. */
extern const char *t_case_skipped;
#define SKIP(why)							\
	do {								\
		t_case_skipped = (why);					\
		return;							\
	} while (0)

#endif /* NPF_TOOLS_T_H */
