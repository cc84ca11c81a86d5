// SPDX-License-Identifier: GPL-2.0
/* JSON Lines output; see json.h. */
#include <math.h>

#include "json.h"

void tool_json_begin(struct tool_json *j, FILE *f)
{
	j->f = f;
	j->first = true;
	fputc('{', f);
}

/* RFC 8259 string: quotes, backslashes and control characters escaped. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_key(struct tool_json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	put_string(j->f, key);
	fputc(':', j->f);
}

void tool_json_u64(struct tool_json *j, const char *key, uint64_t v)
{
	put_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void tool_json_s64(struct tool_json *j, const char *key, int64_t v)
{
	put_key(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void tool_json_double(struct tool_json *j, const char *key, double v,
		      int decimals)
{
	put_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", decimals, v);
	else
		fputs("null", j->f);
}

void tool_json_bool(struct tool_json *j, const char *key, bool v)
{
	put_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void tool_json_str(struct tool_json *j, const char *key, const char *v)
{
	put_key(j, key);
	put_string(j->f, v);
}

void tool_json_end(struct tool_json *j)
{
	fputs("}\n", j->f);
	fflush(j->f);
}
