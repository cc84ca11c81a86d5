/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - one JSON object per line (JSON Lines), for the tools' --json
 * output: integers exact, floats with fixed decimals (null when not
 * finite: JSON has no NaN), strings escaped.
 */
#ifndef NPF_TOOLS_JSON_H
#define NPF_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct tool_json {
	FILE *f;
	bool first;		/* no member written yet */
};

/* "{" */
void tool_json_begin(struct tool_json *j, FILE *f);
void tool_json_u64(struct tool_json *j, const char *key, uint64_t v);
void tool_json_s64(struct tool_json *j, const char *key, int64_t v);
void tool_json_double(struct tool_json *j, const char *key, double v,
		      int decimals);
void tool_json_bool(struct tool_json *j, const char *key, bool v);
void tool_json_str(struct tool_json *j, const char *key, const char *v);
/* "}\n", then the line is flushed: a reader sees each line at once. */
void tool_json_end(struct tool_json *j);

#endif /* NPF_TOOLS_JSON_H */
