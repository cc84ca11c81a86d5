// SPDX-License-Identifier: GPL-2.0
/*
 * npf_stats: the counters (BIOCGSTATS, BIOCGSTATSEX) and MODE_STAT's
 * records (kmod/stats.c).
 */

#include "../stats.c"

#include <linux/timekeeping.h>

#include "npf_test.h"

static void count_all(struct npf_open *o, u64 base)
{
	npf_test_count(o, NPF_STAT_RECV, base + 10);
	npf_test_count(o, NPF_STAT_CAPT, base + 4);
	npf_test_count(o, NPF_STAT_DROP, base + 3);
	npf_test_count(o, NPF_STAT_FILTERED, base + 2);
	npf_test_count(o, NPF_STAT_NOMEM, base + 1);
	npf_test_count(o, NPF_STAT_BYTES, base + 999);
	npf_test_count(o, NPF_STAT_SENT, base + 5);
	npf_test_count(o, NPF_STAT_SENT_BYTES, base + 500);
	npf_test_count(o, NPF_STAT_SENT_ERR, base + 6);
}

static void stats_record_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_stat_record), 48UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_stat_record, packets), 32UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_stat_record, bytes), 40UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_stat_dump_record), 56UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_stat_dump_record, dump_bytes),
			48UL);
}

/* BIOCGSTATSEX gives every counter; BIOCGSTATS folds bs_nomem into bs_drop. */
static void stats_ioctl_values(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_stats s;
	struct bpf_stat s32;

	count_all(o, 0);
	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, true), 0L);
	NPF_TEST_GET(test, &s, u, sizeof(s));
	KUNIT_EXPECT_EQ(test, s.bs_recv, 10ULL);
	KUNIT_EXPECT_EQ(test, s.bs_drop, 3ULL);
	KUNIT_EXPECT_EQ(test, s.ps_ifdrop, 0ULL);	/* not bound */
	KUNIT_EXPECT_EQ(test, s.bs_capt, 4ULL);
	KUNIT_EXPECT_EQ(test, s.bs_filtered, 2ULL);
	KUNIT_EXPECT_EQ(test, s.bs_nomem, 1ULL);
	KUNIT_EXPECT_EQ(test, s.bs_sent, 5ULL);
	KUNIT_EXPECT_EQ(test, s.bs_sent_bytes, 500ULL);
	KUNIT_EXPECT_EQ(test, s.bs_senterr, 6ULL);

	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, false), 0L);
	NPF_TEST_GET(test, &s32, u, sizeof(s32));
	KUNIT_EXPECT_EQ(test, s32.bs_recv, 10U);
	KUNIT_EXPECT_EQ(test, s32.bs_drop, 4U);
	KUNIT_EXPECT_EQ(test, s32.ps_ifdrop, 0U);
	KUNIT_EXPECT_EQ(test, s32.bs_capt, 4U);

	KUNIT_EXPECT_EQ(test, npf_stats_ioctl(o, NPF_TEST_BADPTR, true), -EFAULT);
	KUNIT_EXPECT_EQ(test, npf_stats_ioctl(o, NPF_TEST_BADPTR, false), -EFAULT);
}

/* WinPcap's counters are 32 bits and wrap; the _EX ones do not. */
static void stats_ioctl_32bit_wrap(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_stats s;
	struct bpf_stat s32;

	count_all(o, 0x100000000ULL);
	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, true), 0L);
	NPF_TEST_GET(test, &s, u, sizeof(s));
	KUNIT_EXPECT_EQ(test, s.bs_recv, 0x10000000aULL);
	KUNIT_EXPECT_EQ(test, s.bs_senterr, 0x100000006ULL);
	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, false), 0L);
	NPF_TEST_GET(test, &s32, u, sizeof(s32));
	KUNIT_EXPECT_EQ(test, s32.bs_recv, 10U);
	KUNIT_EXPECT_EQ(test, s32.bs_drop, 4U);	/* (2^32+3) + (2^32+1) */
	KUNIT_EXPECT_EQ(test, s32.bs_capt, 4U);
}

/* Zeroing is a snapshot: later counts show only what came after. */
static void stats_zero_is_snapshot(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_stats s;

	count_all(o, 0);
	npf_stats_zero(o);
	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, true), 0L);
	NPF_TEST_GET(test, &s, u, sizeof(s));
	KUNIT_EXPECT_EQ(test, s.bs_recv + s.bs_drop + s.bs_capt + s.bs_filtered +
			s.bs_nomem + s.bs_sent + s.bs_sent_bytes + s.bs_senterr,
			0ULL);
	npf_test_count(o, NPF_STAT_RECV, 7);
	npf_test_count(o, NPF_STAT_FILTERED, 7);
	KUNIT_ASSERT_EQ(test, npf_stats_ioctl(o, u, true), 0L);
	NPF_TEST_GET(test, &s, u, sizeof(s));
	KUNIT_EXPECT_EQ(test, s.bs_recv, 7ULL);
	KUNIT_EXPECT_EQ(test, s.bs_filtered, 7ULL);
	KUNIT_EXPECT_EQ(test, s.bs_capt, 0ULL);
}

/* Counts from every CPU add up. */
static void stats_sum_cpus(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	struct npf_counts c;
	int cpu, n = 0;

	for_each_possible_cpu(cpu) {
		struct npf_pcpu_stats *s = per_cpu_ptr(o->stats, cpu);

		u64_stats_add(&s->c[NPF_STAT_RECV], cpu + 1);
		n += cpu + 1;
	}
	npf_stats_raw(o, &c);
	KUNIT_EXPECT_EQ(test, c.c[NPF_STAT_RECV], (u64)n);
	KUNIT_EXPECT_EQ(test, c.c[NPF_STAT_CAPT], 0ULL);
}

static void stats_due(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);

	o->timeout_ms = -1;
	KUNIT_EXPECT_TRUE(test, npf_stats_due(o));
	o->timeout_ms = 0;	/* never ends */
	KUNIT_EXPECT_FALSE(test, npf_stats_due(o));
	o->timeout_ms = 1000;
	o->stat_start = ktime_get();
	KUNIT_EXPECT_FALSE(test, npf_stats_due(o));
	o->stat_start = ktime_sub_ms(ktime_get(), 999);
	KUNIT_EXPECT_FALSE(test, npf_stats_due(o));
	o->stat_start = ktime_sub_ms(ktime_get(), 1000);
	KUNIT_EXPECT_TRUE(test, npf_stats_due(o));
	o->stat_start = ktime_sub_ms(ktime_get(), 60000);
	KUNIT_EXPECT_TRUE(test, npf_stats_due(o));
}

static void check_record(struct kunit *test, const struct npf_stat_record *r,
			 u32 len, u64 packets, u64 bytes, bool nano)
{
	time64_t now = ktime_get_real_seconds();

	KUNIT_EXPECT_EQ(test, r->hdr.bh_caplen, len);
	KUNIT_EXPECT_EQ(test, r->hdr.bh_datalen, len);
	KUNIT_EXPECT_EQ(test, r->hdr.bh_hdrlen, (u16)sizeof(struct bpf_hdr));
	KUNIT_EXPECT_EQ(test, r->hdr.bh_pad0, 0);
	KUNIT_EXPECT_EQ(test, r->hdr.bh_pad1, 0U);
	KUNIT_EXPECT_EQ(test, r->hdr.bh_tstamp.tv_pad, 0U);
	KUNIT_EXPECT_LE(test, r->hdr.bh_tstamp.tv_sec, (s64)now);
	KUNIT_EXPECT_GE(test, r->hdr.bh_tstamp.tv_sec, (s64)now - 5);
	KUNIT_EXPECT_LT(test, r->hdr.bh_tstamp.tv_usec,
			nano ? 1000000000U : 1000000U);
	KUNIT_EXPECT_EQ(test, r->packets, packets);
	KUNIT_EXPECT_EQ(test, r->bytes, bytes);
}

/*
 * MODE_STAT, timeout -1: a read returns at once the packets accepted
 * (stored or dropped by a full ring) and their bytes since the last read.
 */
static void stats_read_record(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	struct npf_stat_record r;

	o->mode = NPF_MODE_STAT;
	o->timeout_ms = -1;
	npf_test_count(o, NPF_STAT_CAPT, 100);	/* before the interval */
	npf_stats_mode_reset(o);
	npf_test_count(o, NPF_STAT_CAPT, 3);
	npf_test_count(o, NPF_STAT_DROP, 2);
	npf_test_count(o, NPF_STAT_FILTERED, 50);
	npf_test_count(o, NPF_STAT_RECV, 55);
	npf_test_count(o, NPF_STAT_BYTES, 300);

	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 4096, true), 48L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	check_record(test, &r, 16, 5, 300, false);

	/* the next interval starts empty */
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 48, true), 48L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	check_record(test, &r, 16, 0, 0, false);

	o->tstamp_nano = true;
	npf_test_count(o, NPF_STAT_CAPT, 1);
	npf_test_count(o, NPF_STAT_BYTES, 60);
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 48, true), 48L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	check_record(test, &r, 16, 1, 60, true);
}

/* Errors lose nothing: the interval goes on. */
static void stats_read_errors(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	struct npf_stat_record r;

	o->mode = NPF_MODE_STAT;
	o->timeout_ms = -1;
	npf_stats_mode_reset(o);
	npf_test_count(o, NPF_STAT_CAPT, 9);
	npf_test_count(o, NPF_STAT_BYTES, 900);

	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 47, true), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, NPF_TEST_BADPTR, 48, true),
			(ssize_t)-EFAULT);
	/* timeout 0: the interval would never end */
	o->timeout_ms = 0;
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 48, true), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 48, false), (ssize_t)-EINVAL);
	/* interval not over, O_NONBLOCK */
	o->timeout_ms = 10000;
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 48, true), (ssize_t)-EAGAIN);

	o->timeout_ms = -1;
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 48, true), 48L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	KUNIT_EXPECT_EQ(test, r.packets, 9ULL);
	KUNIT_EXPECT_EQ(test, r.bytes, 900ULL);
}

/* A blocking read waits for the end of the interval, no less. */
static void stats_read_waits_interval(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	ktime_t t0;
	s64 ms;

	o->mode = NPF_MODE_STAT;
	o->timeout_ms = 200;
	npf_stats_mode_reset(o);
	t0 = o->stat_start;
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 48, false), 48L);
	ms = ktime_ms_delta(ktime_get(), t0);
	KUNIT_EXPECT_GE(test, ms, 200LL);
	/* the next interval runs from this read */
	KUNIT_EXPECT_GE(test, ktime_ms_delta(o->stat_start, t0), 200LL);
}

/* MODE_STAT | MODE_DUMP: the record carries the dump file's size. */
static void stats_read_dump_record(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	struct npf_stat_dump_record r;

	o->mode = NPF_MODE_STAT | NPF_MODE_DUMP;
	o->timeout_ms = -1;
	o->dump.bytes = 123456789012ULL;
	npf_stats_mode_reset(o);
	npf_test_count(o, NPF_STAT_CAPT, 4);
	npf_test_count(o, NPF_STAT_DROP, 1);
	npf_test_count(o, NPF_STAT_BYTES, 5000);

	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 48, true), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 55, true), (ssize_t)-EMSGSIZE);
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 56, true), 56L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	check_record(test, &r.stat, 24, 5, 5000, false);
	KUNIT_EXPECT_EQ(test, r.dump_bytes, 123456789012ULL);
}

/*
 * Guards issue 12's "MODE_STAT|MODE_DUMP: poll and read agree on the
 * dump's end": poll() reports EPOLLIN once the dump ended, so a read
 * must then return at once, not at the end of the interval; and once
 * only: the read that returns the record tells the end (end_told), after
 * which reads and poll() wait for the interval again.
 */
static void stats_read_tells_dump_end(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	struct npf_stat_dump_record r;
	ktime_t t0;

	o->mode = NPF_MODE_STAT | NPF_MODE_DUMP;
	o->timeout_ms = 100000;
	o->dump.bytes = 1000;
	npf_stats_mode_reset(o);
	npf_test_count(o, NPF_STAT_CAPT, 2);
	npf_test_count(o, NPF_STAT_BYTES, 120);
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 56, true), (ssize_t)-EAGAIN);

	WRITE_ONCE(o->dump.ended, true);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 56, true), 56L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	check_record(test, &r.stat, 24, 2, 120, false);
	KUNIT_EXPECT_EQ(test, r.dump_bytes, 1000ULL);
	KUNIT_EXPECT_TRUE(test, o->dump.end_told);
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 56, true), (ssize_t)-EAGAIN);

	/* a blocking read waits for the end of the interval again */
	o->timeout_ms = 200;
	t0 = o->stat_start;
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 56, false), 56L);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 200LL);
}

/* The adapter went away: what was counted is read, then ENODEV. */
static void stats_read_gone(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	char __user *u = npf_test_ualloc(test, 4096);
	struct npf_stat_record r;

	o->mode = NPF_MODE_STAT;
	o->timeout_ms = 0;
	npf_stats_mode_reset(o);
	npf_test_count(o, NPF_STAT_CAPT, 2);
	npf_test_count(o, NPF_STAT_BYTES, 128);
	o->timeout_ms = 60000;
	WRITE_ONCE(o->gone, true);
	/* not due, but gone: no wait */
	KUNIT_ASSERT_EQ(test, npf_stats_read(o, u, 48, false), 48L);
	NPF_TEST_GET(test, &r, u, sizeof(r));
	KUNIT_EXPECT_EQ(test, r.packets, 2ULL);
	KUNIT_EXPECT_EQ(test, r.bytes, 128ULL);
	KUNIT_EXPECT_EQ(test, npf_stats_read(o, u, 48, false), (ssize_t)-ENODEV);
}

static struct kunit_case npf_stats_cases[] = {
	KUNIT_CASE(stats_record_layout),
	KUNIT_CASE(stats_ioctl_values),
	KUNIT_CASE(stats_ioctl_32bit_wrap),
	KUNIT_CASE(stats_zero_is_snapshot),
	KUNIT_CASE(stats_sum_cpus),
	KUNIT_CASE(stats_due),
	KUNIT_CASE(stats_read_record),
	KUNIT_CASE(stats_read_errors),
	KUNIT_CASE(stats_read_waits_interval),
	KUNIT_CASE(stats_read_dump_record),
	KUNIT_CASE(stats_read_tells_dump_end),
	KUNIT_CASE(stats_read_gone),
	{}
};

static struct kunit_suite npf_stats_suite = {
	.name = "npf_stats",
	.suite_init = npf_test_mm_get,
	.suite_exit = npf_test_mm_put,
	.test_cases = npf_stats_cases,
};

kunit_test_suites(&npf_stats_suite);
