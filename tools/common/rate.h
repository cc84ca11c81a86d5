/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rate.h - time, rates and pacing for the npf tools: CLOCK_MONOTONIC in
 * nanoseconds, decimal option values ("0.5" seconds), SI-prefixed rates
 * ("790.1 kbit/s"), and the schedule of a rate-limited sender.
 */
#ifndef NPF_TOOLS_RATE_H
#define NPF_TOOLS_RATE_H

#include <stddef.h>
#include <stdint.h>

#define TOOL_NSEC_PER_SEC	1000000000ULL

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t tool_now_ns(void);

/*
 * Sleep until CLOCK_MONOTONIC reaches @ns: 0, or EINTR when a signal
 * handler ran (the caller decides whether to go on).
 */
int tool_sleep_until(uint64_t ns);

/*
 * Parse a non-negative decimal number with at most @decimals digits after
 * the point ("2", "0.5", "1.25") into units of 10^-@decimals: "0.5" with
 * 3 decimals is 500. The result must lie in [min, max] (in those units).
 * 0, or -1 with errno EINVAL (not such a number, or more decimals) or
 * ERANGE.
 */
int tool_parse_fixed(const char *s, int decimals, uint64_t min, uint64_t max,
		     uint64_t *out);

/*
 * @v with an SI prefix and @unit: "512 bit/s", "790.1 kbit/s",
 * "1.2 Gbit/s" (no decimal below 1000). Returns @buf.
 */
const char *tool_format_si(double v, const char *unit, char *buf,
			   size_t size);

/*
 * A rate-limited sender's schedule: frame i (from 0) may leave at
 * start + i / rate, exactly, whatever the wake-up jitter: the sender asks
 * how many frames are due, sends them in one batch, and sleeps until the
 * next one's time. A sender that falls more than TOOL_PACE_MAX_DEBT_NS
 * behind (a stalled process, an adapter slower than the rate) restarts the
 * schedule from now rather than bursting to catch up: the rate is a limit.
 */
#define TOOL_PACE_MAX_DEBT_NS	(100 * 1000 * 1000ULL)

struct tool_pace {
	uint64_t rate_milli;	/* frames per 1000 s (pps * 1000), > 0 */
	uint64_t start_ns;	/* when frame @base leaves */
	uint64_t base;		/* first frame of the current schedule */
};

void tool_pace_init(struct tool_pace *p, uint64_t rate_milli,
		    uint64_t now_ns);

/* When frame @i (>= p->base) may leave. */
uint64_t tool_pace_time(const struct tool_pace *p, uint64_t i);

/*
 * How many frames may leave at @now_ns when @sent have: 0 means sleep
 * until tool_pace_time(p, sent). May restart the schedule (see above).
 */
uint64_t tool_pace_due(struct tool_pace *p, uint64_t sent, uint64_t now_ns);

#endif /* NPF_TOOLS_RATE_H */
