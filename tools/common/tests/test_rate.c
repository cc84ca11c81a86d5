// SPDX-License-Identifier: GPL-2.0
/* Decimal option values, SI rates, and the pacing schedule's arithmetic. */
#include <errno.h>
#include <string.h>

#include "rate.h"
#include "t.h"

static void parse_fixed(void)
{
	uint64_t v = 42;

	CHECK(tool_parse_fixed("1", 3, 1, 1000000, &v) == 0 && v == 1000);
	CHECK(tool_parse_fixed("0.5", 3, 1, 1000000, &v) == 0 && v == 500);
	CHECK(tool_parse_fixed("2.25", 3, 1, 1000000, &v) == 0 && v == 2250);
	CHECK(tool_parse_fixed("0.001", 3, 1, 1000000, &v) == 0 && v == 1);
	CHECK(tool_parse_fixed("007", 0, 1, 10, &v) == 0 && v == 7);
	CHECK(tool_parse_fixed("18446744073709551615", 0, 0, UINT64_MAX,
			       &v) == 0 && v == UINT64_MAX);
	/* too many decimals, malformed */
	CHECK_ERR(tool_parse_fixed("0.0001", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("1.5", 0, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed(".5", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("5.", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("-1", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("+1", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("1e3", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("1 ", 3, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed("0x10", 0, 0, 1000, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_fixed(NULL, 3, 0, 1000, &v), -1, EINVAL);
	/* out of range, overflow */
	CHECK_ERR(tool_parse_fixed("0", 3, 1, 1000, &v), -1, ERANGE);
	CHECK_ERR(tool_parse_fixed("0.0009", 4, 10, 1000, &v), -1, ERANGE);
	CHECK_ERR(tool_parse_fixed("1.001", 3, 0, 1000, &v), -1, ERANGE);
	CHECK_ERR(tool_parse_fixed("18446744073709551616", 0, 0, UINT64_MAX,
				   &v), -1, ERANGE);
	CHECK_ERR(tool_parse_fixed("18446744073709552", 3, 0, UINT64_MAX,
				   &v), -1, ERANGE);
	CHECK(v == UINT64_MAX);		/* untouched on failure */
}

static int si_is(double v, const char *unit, const char *want)
{
	char buf[32];

	return !strcmp(tool_format_si(v, unit, buf, sizeof(buf)), want);
}

static void format_si(void)
{
	CHECK(si_is(0, "bit/s", "0 bit/s"));
	CHECK(si_is(512, "bit/s", "512 bit/s"));
	CHECK(si_is(999.4, "bit/s", "999 bit/s"));
	/* 999.96 would print "1000 bit/s": it is "1.0 kbit/s" */
	CHECK(si_is(999.96, "bit/s", "1.0 kbit/s"));
	CHECK(si_is(790100, "bit/s", "790.1 kbit/s"));
	CHECK(si_is(1e6, "bit/s", "1.0 Mbit/s"));
	CHECK(si_is(1.25e9, "bit/s", "1.2 Gbit/s") ||
	      si_is(1.25e9, "bit/s", "1.3 Gbit/s"));
	CHECK(si_is(400e9, "bit/s", "400.0 Gbit/s"));
	CHECK(si_is(2e21, "B", "2000.0 EB"));	/* no prefix past E */
}

#define NS	TOOL_NSEC_PER_SEC

static void pace_times(void)
{
	struct tool_pace p;

	/* 1000 pps: one frame every millisecond from the start. */
	tool_pace_init(&p, 1000 * 1000, 5 * NS);
	CHECK(tool_pace_time(&p, 0) == 5 * NS);
	CHECK(tool_pace_time(&p, 1) == 5 * NS + 1000000);
	CHECK(tool_pace_time(&p, 1000) == 6 * NS);
	/* 3 pps: times rounded up, never early; exact every 3 frames */
	tool_pace_init(&p, 3000, 0);
	CHECK(tool_pace_time(&p, 1) == 333333334);
	CHECK(tool_pace_time(&p, 2) == 666666667);
	CHECK(tool_pace_time(&p, 3) == NS);
	CHECK(tool_pace_time(&p, 3000000) == 1000000 * NS);
	/* 0.5 pps */
	tool_pace_init(&p, 500, 0);
	CHECK(tool_pace_time(&p, 1) == 2 * NS);
	/* No overflow: 10 Mpps for a year */
	tool_pace_init(&p, 10000000ULL * 1000, 0);
	CHECK(tool_pace_time(&p, 10000000ULL * 86400 * 365) ==
	      86400ULL * 365 * NS);
}

static void pace_due(void)
{
	struct tool_pace p;

	tool_pace_init(&p, 1000 * 1000, 0);	/* 1000 pps */
	CHECK(tool_pace_due(&p, 0, 0) == 1);	/* frame 0 at once */
	CHECK(tool_pace_due(&p, 1, 0) == 0);
	CHECK(tool_pace_due(&p, 1, 999999) == 0);
	CHECK(tool_pace_due(&p, 1, 1000000) == 1);
	/* Woken late: the backlog goes in one batch. */
	CHECK(tool_pace_due(&p, 1, 10500000) == 10);
	CHECK(tool_pace_due(&p, 11, 10500000) == 0);
	CHECK(p.start_ns == 0 && p.base == 0);
}

/* A sender woken with jitter sends exactly rate x time frames. */
static void pace_exact_on_average(void)
{
	uint64_t now = 0, sent = 0, due, wakeups = 0;
	uint32_t jitter = 12345;
	struct tool_pace p;

	tool_pace_init(&p, 2500 * 1000 + 500, 0);	/* 2500.5 pps */
	while (now < 10 * NS) {
		due = tool_pace_due(&p, sent, now);
		if (due) {
			sent += due;
			continue;
		}
		/* sleep until the next frame's time, then some */
		jitter = jitter * 1103515245 + 12345;
		now = tool_pace_time(&p, sent) + (jitter >> 8) % 3000000;
		wakeups++;
	}
	sent += tool_pace_due(&p, sent, now);
	/* frames 0..k with k / 2500.5 <= now: floor(now * 2500.5) + 1 */
	CHECK(p.base == 0);
	CHECK(sent == (uint64_t)((unsigned __int128)now * 2500500 /
				 ((unsigned __int128)NS * 1000)) + 1);
	CHECK(sent >= 25006 && sent <= 25006 + 8);
	CHECK(wakeups < sent);		/* batches, not one frame a wake */
}

/* Far behind (stalled, or a slow adapter): no burst, a new schedule. */
static void pace_debt_forgiven(void)
{
	struct tool_pace p;

	tool_pace_init(&p, 1000 * 1000, 0);
	CHECK(tool_pace_due(&p, 0, 0) == 1);
	/* 100 ms behind frame 1: frames 1 to 101 caught up in one batch */
	CHECK(tool_pace_due(&p, 1, 1000000 + TOOL_PACE_MAX_DEBT_NS) == 101);
	/* 5 s behind: one frame now, the next 1 ms later */
	CHECK(tool_pace_due(&p, 102, 5 * NS) == 1);
	CHECK(p.base == 102 && p.start_ns == 5 * NS);
	CHECK(tool_pace_time(&p, 103) == 5 * NS + 1000000);
	CHECK(tool_pace_due(&p, 103, 5 * NS + 999999) == 0);
	CHECK(tool_pace_due(&p, 103, 5 * NS + 1000000) == 1);
}

const struct t_case rate_cases[] = {
	T_CASE(parse_fixed),
	T_CASE(format_si),
	T_CASE(pace_times),
	T_CASE(pace_due),
	T_CASE(pace_exact_on_average),
	T_CASE(pace_debt_forgiven),
	T_END
};
