// SPDX-License-Identifier: GPL-2.0
/* JSON Lines output: exact integers, fixed decimals, escaped strings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "t.h"

/* The line one object of these members makes. */
static char *line(void (*fill)(struct tool_json *j))
{
	struct tool_json j;
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	tool_json_begin(&j, f);
	fill(&j);
	tool_json_end(&j);
	fclose(f);
	return text;
}

static void fill_stat(struct tool_json *j)
{
	tool_json_double(j, "time", 1700000000.123456, 6);
	tool_json_double(j, "interval", 1.00041251, 6);
	tool_json_u64(j, "packets", 1000);
	tool_json_u64(j, "bytes", 18446744073709551615ULL);
	tool_json_double(j, "pps", 999.5877, 3);
	tool_json_double(j, "bps", 0, 3);
}

static void fill_odd(struct tool_json *j)
{
	tool_json_double(j, "nan", NAN, 3);
	tool_json_double(j, "inf", INFINITY, 3);
	tool_json_bool(j, "t", true);
	tool_json_bool(j, "f", false);
	tool_json_str(j, "s", "a\"b\\c\nd\te\x01" "f\x7f");
}

static void fill_signed(struct tool_json *j)
{
	tool_json_s64(j, "timeout", -1);
	tool_json_s64(j, "min", INT64_MIN);
	tool_json_s64(j, "max", INT64_MAX);
}

static void fill_empty(struct tool_json *j)
{
	(void)j;
}

static void members(void)
{
	char *s = line(fill_stat);

	CHECK(s && !strcmp(s, "{\"time\":1700000000.123456,"
			      "\"interval\":1.000413,\"packets\":1000,"
			      "\"bytes\":18446744073709551615,"
			      "\"pps\":999.588,\"bps\":0.000}\n"));
	free(s);
}

static void not_finite_and_strings(void)
{
	char *s = line(fill_odd);

	/* JSON has no NaN or infinity */
	CHECK(s && !strcmp(s, "{\"nan\":null,\"inf\":null,\"t\":true,"
			      "\"f\":false,"
			      "\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"}\n"));
	free(s);
	s = line(fill_empty);
	CHECK(s && !strcmp(s, "{}\n"));
	free(s);
}

static void signed_integers(void)
{
	char *s = line(fill_signed);

	CHECK(s && !strcmp(s, "{\"timeout\":-1,"
			      "\"min\":-9223372036854775808,"
			      "\"max\":9223372036854775807}\n"));
	free(s);
}

const struct t_case json_cases[] = {
	T_CASE(members),
	T_CASE(signed_integers),
	T_CASE(not_finite_and_strings),
	T_END
};
