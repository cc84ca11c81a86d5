// SPDX-License-Identifier: GPL-2.0
/* Time, rates and pacing; see rate.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "rate.h"

uint64_t tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * TOOL_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int tool_sleep_until(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / TOOL_NSEC_PER_SEC),
		.tv_nsec = (long)(ns % TOOL_NSEC_PER_SEC),
	};

	/* Returns the error itself, and 0 at once for a time past. */
	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* *@v = *@v * 10 + @digit; true when that overflows. */
static bool mul10_add(uint64_t *v, unsigned int digit)
{
	if (*v > (UINT64_MAX - digit) / 10)
		return true;
	*v = *v * 10 + digit;
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int tool_parse_fixed(const char *s, int decimals, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	int nint = 0, nfrac = 0;
	bool point = false, big = false;
	uint64_t v = 0;

	if (!s || decimals < 0 || decimals > 9) {
		errno = EINVAL;
		return -1;
	}
	for (; is_digit(*s); s++, nint++)
		big |= mul10_add(&v, (unsigned int)(*s - '0'));
	if (*s == '.') {
		point = true;
		for (s++; is_digit(*s); s++, nfrac++)
			big |= mul10_add(&v, (unsigned int)(*s - '0'));
	}
	/* Digits before the point, and after it if there is one. */
	if (*s || !nint || (point && !nfrac) || nfrac > decimals) {
		errno = EINVAL;
		return -1;
	}
	for (; nfrac < decimals; nfrac++)
		big |= mul10_add(&v, 0);
	if (big || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

const char *tool_format_si(double v, const char *unit, char *buf,
			   size_t size)
{
	static const char prefixes[] = "kMGTPE";
	int i = -1;

	while (v >= 999.95 && prefixes[i + 1]) {
		v /= 1000;
		i++;
	}
	if (i < 0)
		snprintf(buf, size, "%.0f %s", v, unit);
	else
		snprintf(buf, size, "%.1f %c%s", v, prefixes[i], unit);
	return buf;
}

void tool_pace_init(struct tool_pace *p, uint64_t rate_milli,
		    uint64_t now_ns)
{
	p->rate_milli = rate_milli ? rate_milli : 1;
	p->start_ns = now_ns;
	p->base = 0;
}

/* 10^12: nanoseconds per second times the rate's 1000. */
#define PACE_SCALE	((unsigned __int128)TOOL_NSEC_PER_SEC * 1000)

uint64_t tool_pace_time(const struct tool_pace *p, uint64_t i)
{
	unsigned __int128 n = (unsigned __int128)(i - p->base) * PACE_SCALE;

	/* Rounded up: frame i never leaves before its exact time. */
	return p->start_ns + (uint64_t)((n + p->rate_milli - 1) / p->rate_milli);
}

uint64_t tool_pace_due(struct tool_pace *p, uint64_t sent, uint64_t now_ns)
{
	unsigned __int128 allowed;
	uint64_t next = tool_pace_time(p, sent);

	if (now_ns < next)
		return 0;
	if (now_ns - next > TOOL_PACE_MAX_DEBT_NS) {
		/* Too far behind: frame @sent leaves now, the rest follow. */
		p->start_ns = now_ns;
		p->base = sent;
		return 1;
	}
	/* Frames base..k leave by now, k = floor(elapsed * rate). */
	allowed = (unsigned __int128)(now_ns - p->start_ns) * p->rate_milli /
		  PACE_SCALE + 1;
	return (uint64_t)allowed - (sent - p->base);
}
